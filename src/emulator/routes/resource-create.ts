/** Section 10.1: `PUT /org/:orgId/resource`, for both generations. */
import { z } from 'zod'
import {
  assertFullDomainFree, subdomainRefine, validateAndConstructDomain, WILDCARD_LICENCE_MESSAGE
} from '../domains.js'
import { answer, HttpError } from '../envelope.js'
import { generateNiceId, uuid } from '../ids.js'
import type { Context } from '../route.js'
import { nextId } from '../state.js'
import type { ResourceRow } from '../state.js'
import { MissingBodyError, orgParams, parse } from '../validation.js'
import { adminRole, niceIdTaken, requireOrg } from './common.js'

const MODES = ['http', 'ssh', 'rdp', 'vnc', 'tcp', 'udp', 'inference'] as const

const modeHttpBody = z.strictObject({
  name: z.string().min(1).max(255),
  domainId: z.string(),
  subdomain: z.string().nullable().optional(),
  mode: z.enum(MODES).optional(),
  http: z.boolean().optional(),
  protocol: z.enum(['tcp', 'udp']).optional(),
  stickySession: z.boolean().optional(),
  postAuthPath: z.string().nullable().optional(),
  pamMode: z.enum(['passthrough', 'push']).optional(),
  authDaemonPort: z.number().int().positive().optional(),
  authDaemonMode: z.enum(['site', 'remote', 'native']).optional(),
  aiProviders: z.array(z.unknown()).optional()
}).refine(subdomainRefine, { message: 'Invalid subdomain' })

const modeRawBody = z.strictObject({
  name: z.string().min(1).max(255),
  proxyPort: z.number().int().min(1).max(65535),
  mode: z.enum(['tcp', 'udp']),
  http: z.boolean().optional(),
  protocol: z.enum(['tcp', 'udp']).optional()
})

const legacyHttpBody = z.strictObject({
  name: z.string().min(1).max(255),
  domainId: z.string(),
  subdomain: z.string().nullable().optional(),
  http: z.boolean(),
  protocol: z.enum(['tcp', 'udp']),
  stickySession: z.boolean().optional(),
  postAuthPath: z.string().nullable().optional()
}).refine(subdomainRefine, { message: 'Invalid subdomain' })

const legacyRawBody = z.strictObject({
  name: z.string().min(1).max(255),
  http: z.boolean(),
  protocol: z.enum(['tcp', 'udp']),
  proxyPort: z.number().int().min(1).max(65535)
})

interface DomainFields {
  name: string
  domainId: string
  subdomain?: string | null | undefined
  stickySession?: boolean | undefined
  postAuthPath?: string | null | undefined
}

function resolveMode (body: Record<string, unknown>): string | undefined {
  if (body.mode !== undefined) return body.mode as string
  if (typeof body.http !== 'boolean' || body.protocol === undefined) return undefined
  if (body.http && body.protocol === 'udp') {
    throw new HttpError(400, 'Invalid deprecated http/protocol combination')
  }
  return body.http ? 'http' : body.protocol as string
}

/** The columns every new row gets; the generation decides the protocol and policy columns. */
function baseRow (ctx: Context, orgId: string, name: string): ResourceRow {
  const row: ResourceRow = {
    resourceId: nextId(ctx.state, 'resources'),
    orgId,
    niceId: generateNiceId(ctx.random, niceIdTaken(ctx.state, orgId)),
    name,
    subdomain: null,
    fullDomain: null,
    domainId: null,
    ssl: false,
    blockAccess: false,
    proxyPort: null,
    sso: true,
    emailWhitelistEnabled: false,
    applyRules: false,
    enabled: true,
    stickySession: false,
    tlsServerName: null,
    setHostHeader: null,
    skipToIdpId: null,
    proxyProtocol: false,
    proxyProtocolVersion: 1,
    postAuthPath: null,
    health: 'unknown',
    wildcard: false,
    status: 'approved'
  }
  if (ctx.settings.generation === 'legacy') return { ...row, headers: null }
  return {
    ...row,
    resourcePolicyId: null,
    defaultResourcePolicyId: nextId(ctx.state, 'resourcePolicies'),
    resourceGuid: uuid(ctx.random),
    requestHeaders: null,
    responseHeaders: null,
    maintenanceModeEnabled: false,
    maintenanceModeType: 'forced',
    maintenanceTitle: null,
    maintenanceMessage: null,
    maintenanceEstimatedTime: null,
    pamMode: null,
    authDaemonMode: null,
    authDaemonPort: null
  }
}

function protocolColumns (ctx: Context, mode: string): Partial<ResourceRow> {
  if (ctx.settings.generation === 'mode') return { mode }
  return { http: mode === 'http', protocol: mode === 'udp' ? 'udp' : 'tcp' }
}

function insert (ctx: Context, row: ResourceRow): ResourceRow {
  const admin = adminRole(ctx.state, row.orgId)
  ctx.state.resources.push(row)
  ctx.state.roleResources.push({ roleId: admin.roleId, resourceId: row.resourceId })
  return row
}

function createDomainResource (
  ctx: Context, orgId: string, body: DomainFields, mode: string, extra: Partial<ResourceRow>
) {
  const subdomain = body.subdomain
  if (subdomain?.includes('*') === true) {
    if (mode === 'inference') {
      throw new HttpError(400, 'Wildcard subdomains are not supported for inference-mode resources.')
    }
    throw new HttpError(403, WILDCARD_LICENCE_MESSAGE)
  }
  const built = validateAndConstructDomain(ctx, body.domainId, orgId, subdomain)
  assertFullDomainFree(ctx, ctx.state.resources.map((r) => ({
    fullDomain: r.fullDomain, mode: r.mode ?? (r.http === true ? 'http' : r.protocol)
  })), built.fullDomain, mode)

  const row = insert(ctx, {
    ...baseRow(ctx, orgId, body.name),
    ...built,
    domainId: body.domainId,
    ssl: true,
    stickySession: body.stickySession ?? false,
    postAuthPath: body.postAuthPath ?? null,
    ...protocolColumns(ctx, mode),
    ...extra
  })
  return answer(201, 'Http resource created successfully', row)
}

function createRawResource (ctx: Context, orgId: string, name: string, proxyPort: number, mode: string) {
  const row = insert(ctx, { ...baseRow(ctx, orgId, name), proxyPort, sso: false, ...protocolColumns(ctx, mode) })
  return answer(201, 'Non-http resource created successfully', row)
}

function createModeGeneration (ctx: Context, orgId: string, raw: Record<string, unknown>) {
  const mode = resolveMode(raw)
  if (typeof raw.proxyPort === 'number') {
    if (mode === undefined) throw new HttpError(400, 'Validation error: Raw resources are not allowed')
    const body = parse(modeRawBody, { ...raw, mode })
    return createRawResource(ctx, orgId, body.name, body.proxyPort, body.mode)
  }
  if (mode === undefined) throw new HttpError(400, 'mode is required when deprecated fields are not provided')
  const body = parse(modeHttpBody, raw)
  if (body.aiProviders !== undefined && mode !== 'inference') {
    throw new HttpError(400, 'AI providers can only be attached to inference-mode resources')
  }
  return createDomainResource(ctx, orgId, body, mode, {
    pamMode: body.pamMode ?? null,
    authDaemonMode: body.authDaemonMode ?? null,
    authDaemonPort: body.authDaemonPort ?? null
  })
}

function createLegacyGeneration (ctx: Context, orgId: string, raw: Record<string, unknown>) {
  if (raw.http === undefined) throw new HttpError(400, 'http field is required')
  if (raw.http === false) {
    const body = parse(legacyRawBody, raw)
    return createRawResource(ctx, orgId, body.name, body.proxyPort, body.protocol)
  }
  const body = parse(legacyHttpBody, raw)
  // {http:true, protocol:"udp"} is accepted and stored as tcp.
  return createDomainResource(ctx, orgId, body, 'http', {})
}

export function createResource (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  requireOrg(ctx.state, orgId)
  if (typeof ctx.body !== 'object' || ctx.body === null) throw new MissingBodyError()
  const raw = ctx.body as Record<string, unknown>
  return ctx.settings.generation === 'mode'
    ? createModeGeneration(ctx, orgId, raw)
    : createLegacyGeneration(ctx, orgId, raw)
}
