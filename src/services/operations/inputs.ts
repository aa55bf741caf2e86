import { z } from 'zod'
import {
  isCidr, isHostname, isIPv4Address, isPort, isPortRange, isTargetHost, isValidAlias, isValidSubdomain
} from '../../upstream/rules.js'

const orgId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be an org id' })
const name = z.string().trim().min(1, { error: 'must not be empty' }).max(255, { error: 'must be at most 255 characters' })
const id = z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).positive({ error: 'must be a positive integer' })
const port = z.number({ error: 'must be an integer' }).refine(isPort, { error: 'must be an integer between 1 and 65535' })
const niceId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: 'must be 1 to 63 lower-case letters, digits and inner dashes'
})

/** Exactly one of two fields, with the error on the first one's path. */
function exactlyOne<T extends Record<string, unknown>> (a: keyof T & string, b: keyof T & string) {
  return (value: T, ctx: z.RefinementCtx) => {
    const count = [value[a], value[b]].filter((v) => v !== undefined && v !== null).length
    if (count !== 1) ctx.addIssue({ code: 'custom', path: [a], message: `give exactly one of ${a} and ${b}` })
  }
}

export const targetInput = z.strictObject({
  siteId: id.nullish(),
  siteNiceId: z.string().min(1, { error: 'must not be empty' }).max(255).nullish(),
  ip: z.string().refine(isTargetHost, { error: 'must be an IPv4 or IPv6 address or a hostname' }),
  port,
  method: z.enum(['http', 'https', 'h2c'], { error: 'must be http, https or h2c' }).default('http'),
  enabled: z.boolean().default(true)
}).superRefine(exactlyOne('siteId', 'siteNiceId'))
export type TargetInput = z.infer<typeof targetInput>

const targets = z.array(targetInput).min(1, { error: 'must list at least one target' })
  .max(50, { error: 'must list at most 50 targets' })
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>()
    list.forEach((t, i) => {
      const key = `${t.siteId ?? t.siteNiceId}|${t.ip}|${t.port}|${t.method}`
      const first = seen.get(key)
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `duplicates targets[${first}]` })
      else seen.set(key, i)
    })
  })

const unique = <T extends z.ZodType>(item: T) => z.array(item).max(100, { error: 'must list at most 100 entries' })
  .transform((list) => [...new Set(list)] as Array<z.infer<T>>)

export const grantsInput = z.strictObject({
  roleIds: unique(id).nullish(),
  roleNames: unique(z.string().trim().min(1, { error: 'must not be empty' }).max(255)).nullish(),
  userIds: unique(z.string().min(1, { error: 'must not be empty' }).max(255)).nullish(),
  userEmails: unique(z.email({ error: 'must be an email address' })).nullish()
})
export type GrantsInput = z.infer<typeof grantsInput>

const idempotencyKey = z.string().nullish()

export const createSiteInput = z.strictObject({
  orgId,
  name,
  niceId: niceId.nullish(),
  idempotencyKey
})

export const provisionHttpServiceInput = z.strictObject({
  orgId,
  name,
  domainId: z.string().min(1, { error: 'must not be empty' }).max(255).nullish(),
  baseDomain: z.string().min(1, { error: 'must not be empty' }).max(253).transform((s) => s.toLowerCase()).nullish(),
  subdomain: z.string().max(253).refine((s) => s === '' || isValidSubdomain(s), {
    error: 'must be DNS labels of letters, digits and inner dashes, separated by dots (no wildcards)'
  }).nullish(),
  targets,
  access: grantsInput.nullish(),
  stickySession: z.boolean().nullish(),
  idempotencyKey
}).superRefine(exactlyOne('domainId', 'baseDomain'))
export type ProvisionHttpServiceInput = z.infer<typeof provisionHttpServiceInput>

export const provisionPrivateResourceInput = z.strictObject({
  orgId,
  name,
  siteId: id.nullish(),
  siteNiceId: z.string().min(1).max(255).nullish(),
  mode: z.enum(['HOST', 'CIDR', 'host', 'cidr'], { error: 'must be HOST or CIDR' }).transform((m) => m.toLowerCase() as 'host' | 'cidr'),
  destination: z.string().min(1, { error: 'must not be empty' }).max(253),
  alias: z.string().refine(isValidAlias, {
    error: 'must be a fully qualified name such as db.internal (wildcards * and ? allowed before the last label)'
  }).nullish(),
  tcpPortRangeString: z.string({ error: 'is required: "*" for all ports, "" for none, or e.g. "80,443,8000-9000"' })
    .refine(isPortRange, { error: 'must be "*", "" or a comma list of ports and ranges such as "80,443,8000-9000"' }),
  udpPortRangeString: z.string({ error: 'is required: "*" for all ports, "" for none, or e.g. "53"' })
    .refine(isPortRange, { error: 'must be "*", "" or a comma list of ports and ranges such as "53,5000-5010"' }),
  disableIcmp: z.boolean().nullish(),
  access: grantsInput.nullish(),
  idempotencyKey
}).superRefine(exactlyOne('siteId', 'siteNiceId')).superRefine((v, ctx) => {
  if (v.mode === 'cidr' && !isCidr(v.destination)) {
    ctx.addIssue({ code: 'custom', path: ['destination'], message: 'must be an IPv4 or IPv6 CIDR such as 10.0.0.0/24 in CIDR mode' })
  }
  if (v.mode === 'host') {
    if (isIPv4Address(v.destination)) return
    if (!isHostname(v.destination)) {
      ctx.addIssue({ code: 'custom', path: ['destination'], message: 'must be an IPv4 address or a hostname in HOST mode (Pangolin refuses IPv6 here)' })
    } else if (v.alias == null) {
      ctx.addIssue({ code: 'custom', path: ['alias'], message: 'is required when the destination is a hostname' })
    }
  }
})
export type ProvisionPrivateResourceInput = z.infer<typeof provisionPrivateResourceInput>

export const addTargetsInput = z.strictObject({ resourceId: id, targets, idempotencyKey })
export type AddTargetsInput = z.infer<typeof addTargetsInput>

export const accessInput = z.strictObject({
  resourceId: id.nullish(),
  siteResourceId: id.nullish(),
  roleIds: unique(id).nullish(),
  roleNames: unique(z.string().trim().min(1, { error: 'must not be empty' }).max(255)).nullish(),
  userIds: unique(z.string().min(1, { error: 'must not be empty' }).max(255)).nullish(),
  userEmails: unique(z.email({ error: 'must be an email address' })).nullish(),
  idempotencyKey
}).superRefine(exactlyOne('resourceId', 'siteResourceId')).superRefine((v, ctx) => {
  const count = (v.roleIds?.length ?? 0) + (v.roleNames?.length ?? 0) + (v.userIds?.length ?? 0) + (v.userEmails?.length ?? 0)
  if (count === 0) ctx.addIssue({ code: 'custom', path: ['roleIds'], message: 'name at least one role or user' })
})
export type AccessInput = z.infer<typeof accessInput>

export const byIdInput = (field: string) => z.strictObject({ [field]: id, idempotencyKey }) as z.ZodType<Record<string, number> & { idempotencyKey?: string | null }>

/** The input minus the idempotency key: what the fingerprint and the journal keep. */
export function withoutKey<T extends { idempotencyKey?: unknown }> (input: T): Omit<T, 'idempotencyKey'> {
  const { idempotencyKey: _, ...rest } = input
  return rest
}
