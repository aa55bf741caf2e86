/**
 * Deterministic seed data: two orgs with domains of every type, sites with Newts, roles, users,
 * public and private resources, and fixed API keys. Objects that have a route are created through
 * their own handler, so the seed follows the same rules as the API.
 */
import type { Context, RouteDef } from './route.js'
import type { ApiKey, DomainRow, EmulatorState } from './state.js'
import { nextId } from './state.js'

export const SEED_KEYS = {
  root: 'emuroot00000001.rootsecretrootsecretrootsecretrootsecret',
  acme: 'emuacme00000001.acmesecretacmesecretacmesecretacmesecret',
  globex: 'emuglobex000001.globexsecretglobexsecretglobexsecretglob',
  acmeReadOnly: 'emuacmeread0001.readonlyreadonlyreadonlyreadonlyreadonly'
} as const

export const READ_ACTIONS = [
  'listSites', 'getSite', 'listOrgDomains', 'getResource', 'listResources', 'listTargets', 'getTarget',
  'getSiteResource', 'listSiteResources', 'listRoles', 'listUsers', 'listResourceRoles', 'listResourceUsers'
]

export function keyFromString (full: string, opts: Pick<ApiKey, 'isRoot' | 'orgIds' | 'actions'>): ApiKey {
  const dot = full.indexOf('.')
  return { apiKeyId: full.slice(0, dot), secret: full.slice(dot + 1), ...opts }
}

function domain (domainId: string, baseDomain: string, type: DomainRow['type'], verified = true): DomainRow {
  const configManaged = type === 'wildcard' && !/\d{2}$/.test(domainId)
  return {
    domainId,
    baseDomain,
    verified,
    type,
    failed: false,
    tries: 0,
    configManaged,
    certResolver: configManaged ? 'letsencrypt' : null,
    preferWildcardCert: configManaged ? false : null,
    errorMessage: null
  }
}

function role (state: EmulatorState, orgId: string, isAdmin: boolean, name: string, description: string | null) {
  return { roleId: nextId(state, 'roles'), orgId, isAdmin, name, description }
}

function seedTables (state: EmulatorState): void {
  state.orgs.push(
    { orgId: 'acme', name: 'Acme', subnet: '100.90.128.0/24', utilitySubnet: '100.96.128.0/24' },
    { orgId: 'globex', name: 'Globex', subnet: '100.90.129.0/24', utilitySubnet: '100.96.129.0/24' }
  )
  state.exitNodes.push({
    exitNodeId: 1,
    name: 'gerbil-1',
    address: '100.89.128.1/24',
    endpoint: 'gerbil.emulator.test',
    publicKey: 'c2VlZC1leGl0LW5vZGUtcHVibGljLWtleS0wMDAwMDA=',
    listenPort: 51820
  })
  state.domains.push(
    domain('domain1', 'acme.test', 'wildcard'),
    domain('domain2', 'globex.test', 'wildcard'),
    domain('acmensdomain001', 'acme.example', 'ns'),
    domain('acmecnamedom001', 'app.acme-cname.test', 'cname'),
    domain('acmeunverified1', 'pending.acme.example', 'ns', false),
    domain('globexnsdomain1', 'globex.example', 'ns')
  )
  // Domains from config.yml are linked to every org, as Pangolin does at start-up.
  for (const orgId of ['acme', 'globex']) {
    state.orgDomains.push({ orgId, domainId: 'domain1' }, { orgId, domainId: 'domain2' })
  }
  state.orgDomains.push(
    { orgId: 'acme', domainId: 'acmensdomain001' },
    { orgId: 'acme', domainId: 'acmecnamedom001' },
    { orgId: 'acme', domainId: 'acmeunverified1' },
    { orgId: 'globex', domainId: 'globexnsdomain1' }
  )
  for (const orgId of ['acme', 'globex']) {
    state.roles.push(
      role(state, orgId, true, 'Admin', 'Admin role with the most permissions'),
      role(state, orgId, false, 'Member', 'Members can only view resources'),
      role(state, orgId, false, 'Developers', null)
    )
  }
  const users: Array<[string, string, string, string, number, boolean]> = [
    ['aliceacme000001', 'alice@acme.test', 'Alice', 'acme', 1, true],
    ['bobacme00000001', 'bob@acme.test', 'Bob', 'acme', 2, false],
    ['carolglobex0001', 'carol@globex.test', 'Carol', 'globex', 4, true]
  ]
  for (const [id, email, name, orgId, roleId, isOwner] of users) {
    state.users.push({
      id,
      email,
      username: email,
      name,
      type: 'internal',
      emailVerified: true,
      dateCreated: '2025-01-01T00:00:00.000Z',
      twoFactorEnabled: false
    })
    state.userOrgs.push({ userId: id, orgId, roleId, isOwner })
  }
  state.keys.push(
    keyFromString(SEED_KEYS.root, { isRoot: true, orgIds: '*', actions: '*' }),
    keyFromString(SEED_KEYS.acme, { isRoot: false, orgIds: ['acme'], actions: '*' }),
    keyFromString(SEED_KEYS.globex, { isRoot: false, orgIds: ['globex'], actions: '*' }),
    keyFromString(SEED_KEYS.acmeReadOnly, { isRoot: false, orgIds: ['acme'], actions: READ_ACTIONS })
  )
}

type Call = (
  method: RouteDef['method'], path: string, params: Record<string, string>, body?: unknown
) => Record<string, number>

/** Runs a route handler directly, as the root key, and returns the created row. */
function caller (base: Omit<Context, 'params' | 'query' | 'body' | 'key'>, routes: RouteDef[], root: ApiKey): Call {
  return (method, path, params, body) => {
    const route = routes.find((r) => r.method === method && r.path === path)
    if (route === undefined) throw new Error(`seed: no route ${method} ${path}`)
    const result = route.handler({ ...base, key: root, params, query: {}, body }) as { data: Record<string, number> }
    return result.data
  }
}

export function seed (base: Omit<Context, 'params' | 'query' | 'body' | 'key'>, routes: RouteDef[]): void {
  const { state } = base
  seedTables(state)
  const root = state.keys[0] as ApiKey
  const call = caller(base, routes, root)
  const site = (orgId: string, niceId: string, name: string, type: string, n: number) => {
    const body = type === 'newt'
      ? {
          name,
          type,
          niceId,
          newtId: `seednewt${niceId.replace(/-/g, '')}`.slice(0, 15).padEnd(15, '0'),
          secret: `seedsecret${n}`.padEnd(48, 'x')
        }
      : { name, type, niceId }
    return call('PUT', '/org/:orgId/site', { orgId }, body).siteId as number
  }
  const hq = site('acme', 'acme-hq', 'Acme HQ', 'newt', 1)
  const edge = site('acme', 'acme-edge', 'Acme Edge', 'newt', 2)
  site('acme', 'acme-local', 'Acme Local', 'local', 3)
  const globexMain = site('globex', 'globex-main', 'Globex Main', 'newt', 4)
  for (const s of state.sites) s.online = s.type !== 'wireguard'
  for (const n of state.newts) n.version = '1.4.0'

  const resource = (orgId: string, name: string, domainId: string, subdomain: string) =>
    call('PUT', '/org/:orgId/resource', { orgId },
      { name, domainId, subdomain, http: true, protocol: 'tcp' }).resourceId as number
  const target = (resourceId: number, siteId: number, ip: string, port: number) =>
    call('PUT', '/resource/:resourceId/target', { resourceId: String(resourceId) },
      { siteId, ip, port, method: 'http' })

  const grafana = resource('acme', 'Grafana', 'domain1', 'grafana')
  target(grafana, hq, '10.0.0.10', 3000)
  target(grafana, hq, '10.0.0.11', 3000)
  const wiki = resource('acme', 'Wiki', 'domain1', 'wiki')
  target(wiki, edge, '10.0.1.20', 8080)
  const portal = resource('globex', 'Portal', 'domain2', 'portal')
  target(portal, globexMain, '10.1.0.5', 443)
  state.roleResources.push({ roleId: 2, resourceId: grafana })
  state.userResources.push({ userId: 'bobacme00000001', resourceId: wiki })

  call('PUT', '/org/:orgId/site-resource', { orgId: 'acme' }, {
    name: 'Postgres',
    mode: 'host',
    siteIds: [hq],
    destination: '10.0.0.5',
    alias: 'db.acme.internal',
    tcpPortRangeString: '5432',
    udpPortRangeString: '',
    roleIds: [3],
    userIds: [],
    clientIds: []
  })
}
