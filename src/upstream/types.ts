/**
 * The gateway's view of Pangolin's objects, normalised from either upstream generation. Fields
 * that a list route does not return are optional; the GraphQL layer fetches the full object when
 * a query asks for one of them.
 */
import type { Logger } from 'pino'

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export interface Site {
  siteId: number
  niceId: string
  name: string
  type: string
  /** Pangolin omits `online` for local sites. */
  online: boolean | null
  address: string | null
  orgId?: string
}

export interface CreatedSite extends Site {
  newtId: string
  /** The Newt secret, in plain text, returned once by Pangolin. Never stored or logged. */
  secret: string
}

export interface SiteDefaults {
  exitNodeId: number
  address: string
  subnet: string
  clientAddress: string
  newtId: string
  newtSecret: string
}

export type DomainType = 'ns' | 'cname' | 'wildcard'

export interface Domain {
  domainId: string
  baseDomain: string
  type: DomainType | null
  verified: boolean
}

export interface Target {
  targetId: number
  resourceId: number
  siteId: number
  ip: string
  port: number
  /** Absent when the target came from a resource list, which does not carry it. */
  method?: string | null
  enabled: boolean
  healthStatus: string | null
  siteNiceId?: string
  siteName?: string
}

export interface Resource {
  resourceId: number
  niceId: string
  name: string
  /** `mode ?? (http ? "http" : protocol)`, so both generations read the same. */
  protocol: string
  fullDomain: string | null
  subdomain?: string | null
  domainId: string | null
  proxyPort: number | null
  enabled: boolean
  sso: boolean
  orgId?: string
  /** Present when the resource came from a list, which carries its targets. */
  targets?: Target[]
}

export interface SiteResource {
  siteResourceId: number
  niceId: string
  name: string
  mode: string
  siteIds?: number[]
  destination: string | null
  alias: string | null
  tcpPortRangeString: string | null
  udpPortRangeString: string | null
  disableIcmp: boolean
  enabled: boolean
  orgId?: string
}

export interface Role {
  roleId: number
  name: string
  description: string | null
  isAdmin: boolean
}

export interface User {
  userId: string
  email: string | null
  username: string
  name: string | null
}

export interface ListQuery {
  query?: string
  page?: number
  pageSize?: number
}

export interface CallContext {
  /** The org the call acts in; it selects the upstream key. */
  orgId?: string
  signal?: AbortSignal
  log?: Logger
}

export interface CreateContext<T> extends CallContext {
  /**
   * Finds the object by its natural key after an ambiguous failure (timeout or reset after the
   * request was sent, 502, 504). Without it, an ambiguous create is not retried.
   */
  reconcile?: () => Promise<T | undefined>
}

export interface CreateSiteBody {
  name: string
  type: 'newt' | 'wireguard' | 'local'
  niceId?: string
  newtId?: string
  secret?: string
  address?: string
}

export interface CreateResourceBody {
  name: string
  domainId: string
  subdomain?: string | null
  stickySession?: boolean
}

export interface CreateTargetBody {
  siteId: number
  ip: string
  port: number
  method?: string | null
  enabled?: boolean
}

export interface CreateSiteResourceBody {
  name: string
  mode: 'host' | 'cidr'
  siteIds: number[]
  destination: string
  alias?: string
  tcpPortRangeString: string
  udpPortRangeString: string
  disableIcmp?: boolean
  roleIds: number[]
  userIds: string[]
  clientIds: number[]
}

export type GrantKind = 'role' | 'user'

/** One typed function per Pangolin route the product uses. */
export interface PangolinClient {
  health (ctx?: CallContext): Promise<void>

  pickSiteDefaults (orgId: string, ctx?: CallContext): Promise<SiteDefaults>
  createSite (orgId: string, body: CreateSiteBody, ctx?: CreateContext<CreatedSite | Site>): Promise<CreatedSite | Site>
  listSites (orgId: string, query?: ListQuery, ctx?: CallContext): Promise<Page<Site>>
  getSite (siteId: number, ctx?: CallContext): Promise<Site>
  getSiteByNiceId (orgId: string, niceId: string, ctx?: CallContext): Promise<Site>
  deleteSite (siteId: number, ctx?: CallContext): Promise<void>

  listDomains (orgId: string, ctx?: CallContext): Promise<Domain[]>

  createResource (orgId: string, body: CreateResourceBody, ctx?: CreateContext<Resource>): Promise<Resource>
  getResource (resourceId: number, ctx?: CallContext): Promise<Resource>
  listResources (orgId: string, query?: ListQuery & { siteId?: number }, ctx?: CallContext): Promise<Page<Resource>>
  updateResource (resourceId: number, body: Record<string, unknown>, ctx?: CallContext): Promise<Resource>
  deleteResource (resourceId: number, ctx?: CallContext): Promise<void>

  createTarget (resourceId: number, body: CreateTargetBody, ctx?: CreateContext<Target>): Promise<Target>
  listTargets (resourceId: number, ctx?: CallContext): Promise<Target[]>
  getTarget (targetId: number, ctx?: CallContext): Promise<Target>
  deleteTarget (targetId: number, ctx?: CallContext): Promise<void>

  createSiteResource (orgId: string, body: CreateSiteResourceBody, ctx?: CreateContext<SiteResource>): Promise<SiteResource>
  getSiteResource (siteResourceId: number, ctx?: CallContext): Promise<SiteResource>
  listSiteResources (orgId: string, query?: ListQuery & { siteId?: number }, ctx?: CallContext): Promise<Page<SiteResource>>
  deleteSiteResource (siteResourceId: number, ctx?: CallContext): Promise<void>

  listRoles (orgId: string, ctx?: CallContext): Promise<Role[]>
  listUsers (orgId: string, query?: { query?: string }, ctx?: CallContext): Promise<User[]>

  /**
   * Grants are idempotent here: "already assigned" (409) and "not found in resource" (404) count as
   * done. The answer is true when Pangolin changed something, false when it already was so.
   */
  addResourceGrant (resourceId: number, kind: GrantKind, id: number | string, ctx?: CallContext): Promise<boolean>
  removeResourceGrant (resourceId: number, kind: GrantKind, id: number | string, ctx?: CallContext): Promise<boolean>
  addSiteResourceGrant (siteResourceId: number, kind: GrantKind, id: number | string, ctx?: CallContext): Promise<boolean>
  removeSiteResourceGrant (siteResourceId: number, kind: GrantKind, id: number | string, ctx?: CallContext): Promise<boolean>
}
