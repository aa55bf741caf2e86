/**
 * Domain rules shared by public and private resources: `validateAndConstructDomain`, the subdomain
 * patterns and the fullDomain uniqueness check (section 10.1).
 */
import { HttpError } from './envelope.js'
import type { Context } from './route.js'

const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?'
const SUBDOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`)
const WILDCARD_SUBDOMAIN = new RegExp(`^\\*(?:\\.${LABEL})*$`)

export function isValidSubdomain (value: string): boolean {
  return SUBDOMAIN.test(value) || WILDCARD_SUBDOMAIN.test(value)
}

/** The object-level refine of the create and update schemas. */
export function subdomainRefine (body: { subdomain?: string | null }): boolean {
  return body.subdomain === undefined || body.subdomain === null || body.subdomain === '' ||
    isValidSubdomain(body.subdomain)
}

export interface BuiltDomain {
  fullDomain: string
  subdomain: string | null
}

export function validateAndConstructDomain (
  ctx: Context, domainId: string, orgId: string, subdomain: string | null | undefined
): BuiltDomain {
  const domain = ctx.state.domains.find((d) => d.domainId === domainId)
  if (domain === undefined) throw new HttpError(400, `Domain with ID ${domainId} not found`)
  if (!ctx.state.orgDomains.some((d) => d.orgId === orgId && d.domainId === domainId)) {
    throw new HttpError(400, `Organization does not have access to domain with ID ${domainId}`)
  }
  if (!domain.verified) throw new HttpError(400, `Domain with ID ${domainId} is not verified`)

  if (domain.type === null) return { fullDomain: '', subdomain: subdomain ?? null }
  if (domain.type === 'cname') return { fullDomain: domain.baseDomain.toLowerCase(), subdomain: null }
  if (domain.type === 'wildcard' && subdomain === '') {
    throw new HttpError(400,
      'Validation error: Invalid subdomain format; Subdomain must be at least 1 character long')
  }
  const fullDomain = subdomain !== undefined && subdomain !== null && subdomain !== ''
    ? `${subdomain}.${domain.baseDomain}`.toLowerCase()
    : domain.baseDomain.toLowerCase()
  const stored = fullDomain === domain.baseDomain.toLowerCase() ? null : subdomain ?? null
  return { fullDomain, subdomain: stored }
}

/**
 * The create-time fullDomain check. `global` is the plain check of the http/protocol generation and
 * of commit de67f06b; `inverted` models 6ad09ade, which only catches a clash between an inference
 * and a non-inference resource.
 */
export function assertFullDomainFree (
  ctx: Context, rows: Array<{ fullDomain: string | null, mode?: string }>, fullDomain: string, mode: string
): void {
  const inverted = ctx.settings.generation === 'mode' && ctx.settings.fullDomainCheck === 'inverted'
  const clash = rows.some((row) => row.fullDomain === fullDomain &&
    (!inverted || (row.mode === 'inference') !== (mode === 'inference')))
  if (clash) throw new HttpError(409, 'Resource with that domain already exists')
}

export const WILDCARD_LICENCE_MESSAGE =
  'Wildcard subdomains are not supported on your current plan. Please upgrade to access this feature.'
