/**
 * What each route's `data` must hold, as loose zod objects: extra fields pass, the fields we use are
 * required. Each schema transforms into the normalised types of types.ts, so both upstream
 * generations come out the same.
 */
import { z } from 'zod'
import type {
  CreatedSite, Domain, DomainType, Resource, Role, Site, SiteDefaults, SiteResource, Target, User
} from './types.js'

const id = z.number().int()
const optString = z.string().nullish().transform((v) => v ?? null)
/** Postgres returns `count(*)` as text. */
const count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)])

const pagination = z.looseObject({
  total: count,
  page: count.optional(),
  pageSize: count.optional()
})

const siteFields = {
  siteId: id,
  niceId: z.string(),
  name: z.string(),
  type: z.string(),
  online: z.boolean().nullish(),
  address: optString,
  orgId: z.string().optional()
}

function toSite (s: z.output<z.ZodObject<typeof siteFields>>): Site {
  return {
    siteId: s.siteId,
    niceId: s.niceId,
    name: s.name,
    type: s.type,
    online: s.online ?? null,
    address: s.address,
    ...(s.orgId === undefined ? {} : { orgId: s.orgId })
  }
}

export const siteSchema = z.looseObject(siteFields).transform(toSite)

/** A newt site comes back with its Newt id and secret, once; other types without them. */
export const createdSiteSchema = z.looseObject({
  ...siteFields,
  newtId: z.string().optional(),
  secret: z.string().optional()
}).transform((s): CreatedSite | Site => {
  const site = toSite(s)
  return s.newtId !== undefined && s.secret !== undefined ? { ...site, newtId: s.newtId, secret: s.secret } : site
})

export const siteDefaultsSchema = z.looseObject({
  exitNodeId: id,
  address: z.string(),
  subnet: z.string(),
  clientAddress: z.string(),
  newtId: z.string(),
  newtSecret: z.string()
}).transform((d): SiteDefaults => ({
  exitNodeId: d.exitNodeId,
  address: d.address,
  subnet: d.subnet,
  clientAddress: d.clientAddress,
  newtId: d.newtId,
  newtSecret: d.newtSecret
}))

export const sitePageSchema = z.looseObject({ sites: z.array(siteSchema), pagination })

const DOMAIN_TYPES = new Set<string>(['ns', 'cname', 'wildcard'])

export const domainSchema = z.looseObject({
  domainId: z.string(),
  baseDomain: z.string(),
  type: z.string().nullish(),
  verified: z.boolean().nullish()
}).transform((d): Domain => ({
  domainId: d.domainId,
  baseDomain: d.baseDomain,
  type: d.type != null && DOMAIN_TYPES.has(d.type) ? d.type as DomainType : null,
  verified: d.verified ?? false
}))

export const domainPageSchema = z.looseObject({ domains: z.array(domainSchema), pagination })

export const targetSchema = z.looseObject({
  targetId: id,
  resourceId: id,
  siteId: id,
  ip: z.string(),
  port: id,
  method: z.string().nullish(),
  enabled: z.boolean().nullish(),
  /** List routes of resources say `healthStatus`; target routes say `hcHealth`. */
  healthStatus: z.string().nullish(),
  hcHealth: z.string().nullish(),
  siteNiceId: z.string().nullish(),
  siteName: z.string().nullish()
}).transform((t): Target => ({
  targetId: t.targetId,
  resourceId: t.resourceId,
  siteId: t.siteId,
  ip: t.ip,
  port: t.port,
  ...(t.method === undefined ? {} : { method: t.method }),
  enabled: t.enabled ?? true,
  healthStatus: t.healthStatus ?? t.hcHealth ?? null,
  ...(t.siteNiceId == null ? {} : { siteNiceId: t.siteNiceId }),
  ...(t.siteName == null ? {} : { siteName: t.siteName })
}))

export const targetPageSchema = z.looseObject({ targets: z.array(targetSchema), pagination: pagination.optional() })

export const resourceSchema = z.looseObject({
  resourceId: id,
  niceId: z.string(),
  name: z.string(),
  mode: z.string().nullish(),
  http: z.boolean().nullish(),
  protocol: z.string().nullish(),
  fullDomain: optString,
  subdomain: z.string().nullish(),
  domainId: optString,
  proxyPort: id.nullish(),
  enabled: z.boolean().nullish(),
  sso: z.boolean().nullish(),
  orgId: z.string().optional(),
  targets: z.array(targetSchema).optional()
}).transform((r): Resource => ({
  resourceId: r.resourceId,
  niceId: r.niceId,
  name: r.name,
  protocol: r.mode ?? (r.http === true ? 'http' : (r.protocol ?? 'tcp')),
  fullDomain: r.fullDomain,
  ...(r.subdomain === undefined ? {} : { subdomain: r.subdomain }),
  domainId: r.domainId,
  proxyPort: r.proxyPort ?? null,
  enabled: r.enabled ?? true,
  sso: r.sso ?? false,
  ...(r.orgId === undefined ? {} : { orgId: r.orgId }),
  ...(r.targets === undefined ? {} : { targets: r.targets })
}))

export const resourcePageSchema = z.looseObject({ resources: z.array(resourceSchema), pagination })

export const siteResourceSchema = z.looseObject({
  siteResourceId: id,
  niceId: z.string(),
  name: z.string(),
  mode: z.string(),
  siteIds: z.array(id).optional(),
  destination: optString,
  alias: optString,
  tcpPortRangeString: optString,
  udpPortRangeString: optString,
  disableIcmp: z.boolean().nullish(),
  enabled: z.boolean().nullish(),
  orgId: z.string().optional()
}).transform((r): SiteResource => ({
  siteResourceId: r.siteResourceId,
  niceId: r.niceId,
  name: r.name,
  mode: r.mode,
  ...(r.siteIds === undefined ? {} : { siteIds: r.siteIds }),
  destination: r.destination,
  alias: r.alias,
  tcpPortRangeString: r.tcpPortRangeString,
  udpPortRangeString: r.udpPortRangeString,
  disableIcmp: r.disableIcmp ?? false,
  enabled: r.enabled ?? true,
  ...(r.orgId === undefined ? {} : { orgId: r.orgId })
}))

export const siteResourcePageSchema = z.looseObject({ siteResources: z.array(siteResourceSchema), pagination })

export const roleSchema = z.looseObject({
  roleId: id,
  name: z.string(),
  description: optString,
  isAdmin: z.boolean().nullish()
}).transform((r): Role => ({
  roleId: r.roleId,
  name: r.name,
  description: r.description,
  isAdmin: r.isAdmin ?? false
}))

export const rolePageSchema = z.looseObject({ roles: z.array(roleSchema), pagination: pagination.optional() })

/** `listUsers` names the user id `id`. */
export const userSchema = z.looseObject({
  id: z.string(),
  email: optString,
  username: z.string(),
  name: optString
}).transform((u): User => ({ userId: u.id, email: u.email, username: u.username, name: u.name }))

export const userPageSchema = z.looseObject({ users: z.array(userSchema), pagination: pagination.optional() })

/** Deletes and grants answer `null`, `{}` or `{message}`; nothing in them is used. */
export const ignoredSchema = z.unknown().transform((): undefined => undefined)
