/**
 * The emulator's in-memory database. Tables are plain arrays named after Pangolin's own tables,
 * with Pangolin's column names, so tests can count orphans and duplicates directly.
 */

export interface Org {
  orgId: string
  name: string
  subnet: string | null
  utilitySubnet: string | null
}

export interface ExitNode {
  exitNodeId: number
  name: string
  address: string
  endpoint: string
  publicKey: string
  listenPort: number
}

export interface SiteRow {
  siteId: number
  orgId: string
  niceId: string
  exitNodeId: number | null
  name: string
  pubKey: string | null
  exitNodeSubnet?: string | null
  subnet?: string | null
  megabytesIn: number
  megabytesOut: number
  lastBandwidthUpdate: string | null
  type: 'newt' | 'wireguard' | 'local'
  online: boolean
  lastPing: number | null
  address: string | null
  endpoint: string | null
  publicKey: string | null
  lastHolePunch: number | null
  listenPort: number | null
  dockerSocketEnabled: boolean
  status: 'pending' | 'approved'
}

export interface Newt {
  newtId: string
  secretHash: string
  siteId: number
  dateCreated: string
  version: string | null
}

export interface DomainRow {
  domainId: string
  baseDomain: string
  verified: boolean
  type: 'ns' | 'cname' | 'wildcard' | null
  failed: boolean
  tries: number
  configManaged: boolean
  certResolver: string | null
  preferWildcardCert: boolean | null
  errorMessage: string | null
}

export interface OrgDomain {
  orgId: string
  domainId: string
}

/** One row for both generations; the keys of the other generation are simply absent. */
export interface ResourceRow {
  resourceId: number
  orgId: string
  niceId: string
  name: string
  subdomain: string | null
  fullDomain: string | null
  domainId: string | null
  ssl: boolean
  blockAccess: boolean
  proxyPort: number | null
  sso: boolean
  emailWhitelistEnabled: boolean
  applyRules: boolean
  enabled: boolean
  stickySession: boolean
  tlsServerName: string | null
  setHostHeader: string | null
  skipToIdpId: number | null
  proxyProtocol: boolean
  proxyProtocolVersion: number | null
  postAuthPath: string | null
  health: string
  wildcard: boolean
  status: 'pending' | 'approved'
  // mode generation
  resourcePolicyId?: number | null
  defaultResourcePolicyId?: number | null
  resourceGuid?: string
  requestHeaders?: string | null
  responseHeaders?: string | null
  maintenanceModeEnabled?: boolean
  maintenanceModeType?: string | null
  maintenanceTitle?: string | null
  maintenanceMessage?: string | null
  maintenanceEstimatedTime?: string | null
  mode?: string
  pamMode?: string | null
  authDaemonMode?: string | null
  authDaemonPort?: number | null
  // http/protocol generation
  http?: boolean
  protocol?: string
  headers?: string | null
}

export interface TargetRow {
  targetId: number
  resourceId: number
  siteId: number
  ip: string
  method: string | null
  port: number
  internalPort: number | null
  enabled: boolean
  path: string | null
  pathMatchType: string | null
  rewritePath: string | null
  rewritePathType: string | null
  priority: number
  mode?: string | null
  providerId?: number | null
}

export interface TargetHealthCheck {
  targetHealthCheckId: number
  targetId: number
  orgId: string
  siteId: number
  name: string
  hcEnabled: boolean
  hcPath: string | null
  hcScheme: string | null
  hcMode: string | null
  hcHostname: string | null
  hcPort: number | null
  hcInterval: number | null
  hcUnhealthyInterval: number | null
  hcTimeout: number | null
  /** A JSON string, as stored upstream. */
  hcHeaders: string | null
  hcFollowRedirects: boolean | null
  hcMethod: string | null
  hcStatus: number | null
  hcHealth: string
  hcTlsServerName: string | null
  hcHealthyThreshold: number | null
  hcUnhealthyThreshold: number | null
}

export interface SiteResourceRow {
  siteResourceId: number
  orgId: string
  networkId: number
  defaultNetworkId: number
  requiresExitNodeConnection: boolean
  niceId: string
  name: string
  ssl: boolean
  mode: string
  scheme: string | null
  proxyPort: number | null
  destinationPort: number | null
  destination: string | null
  enabled: boolean
  alias: string | null
  aliasAddress: string | null
  tcpPortRangeString: string
  udpPortRangeString: string
  disableIcmp: boolean
  authDaemonPort: number | null
  pamMode: string | null
  authDaemonMode: string | null
  domainId: string | null
  subdomain: string | null
  fullDomain: string | null
  status: 'pending' | 'approved'
}

export interface SiteNetwork {
  networkId: number
  siteId: number
}

export interface RoleRow {
  roleId: number
  orgId: string
  isAdmin: boolean
  name: string
  description: string | null
}

export interface UserRow {
  id: string
  email: string | null
  username: string
  name: string | null
  type: string
  emailVerified: boolean
  dateCreated: string
  twoFactorEnabled: boolean
}

export interface UserOrg {
  userId: string
  orgId: string
  roleId: number
  isOwner: boolean
}

export interface ApiKey {
  apiKeyId: string
  /** Kept in plain text: the emulator compares it directly instead of with argon2. */
  secret: string
  isRoot: boolean
  /** Linked orgs (`apiKeyOrg`); `'*'` links every org, present and future. */
  orgIds: string[] | '*'
  /** Granted action ids (`apiKeyActions`); `'*'` grants every action. */
  actions: string[] | '*'
}

export interface EmulatorState {
  orgs: Org[]
  exitNodes: ExitNode[]
  sites: SiteRow[]
  newts: Newt[]
  domains: DomainRow[]
  orgDomains: OrgDomain[]
  resources: ResourceRow[]
  targets: TargetRow[]
  targetHealthCheck: TargetHealthCheck[]
  siteResources: SiteResourceRow[]
  siteNetworks: SiteNetwork[]
  roles: RoleRow[]
  users: UserRow[]
  userOrgs: UserOrg[]
  clients: Array<{ clientId: number, orgId: string, name: string }>
  roleSites: Array<{ roleId: number, siteId: number }>
  roleResources: Array<{ roleId: number, resourceId: number }>
  userResources: Array<{ userId: string, resourceId: number }>
  roleSiteResources: Array<{ roleId: number, siteResourceId: number }>
  userSiteResources: Array<{ userId: string, siteResourceId: number }>
  clientSiteResources: Array<{ clientId: number, siteResourceId: number }>
  keys: ApiKey[]
  /** Client-association rebuilds in flight per org: the in-memory counter of the OSS build. */
  rebuildsInFlight: Map<string, number>
  /** Serial counters, one per auto-increment id. */
  sequences: Record<string, number>
}

export function createState (): EmulatorState {
  return {
    orgs: [],
    exitNodes: [],
    sites: [],
    newts: [],
    domains: [],
    orgDomains: [],
    resources: [],
    targets: [],
    targetHealthCheck: [],
    siteResources: [],
    siteNetworks: [],
    roles: [],
    users: [],
    userOrgs: [],
    clients: [],
    roleSites: [],
    roleResources: [],
    userResources: [],
    roleSiteResources: [],
    userSiteResources: [],
    clientSiteResources: [],
    keys: [],
    rebuildsInFlight: new Map(),
    sequences: {}
  }
}

/** The next value of a serial column, like Postgres `serial`. */
export function nextId (state: EmulatorState, sequence: string): number {
  const next = (state.sequences[sequence] ?? 0) + 1
  state.sequences[sequence] = next
  return next
}

/** Removes every row matching `predicate` in place and returns how many went. */
export function removeWhere<T> (rows: T[], predicate: (row: T) => boolean): number {
  let kept = 0
  for (const row of rows) {
    if (!predicate(row)) rows[kept++] = row
  }
  const removed = rows.length - kept
  rows.length = kept
  return removed
}
