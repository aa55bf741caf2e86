import t from 'tap'
import { SCOPES, type Scope } from '../../src/auth/scopes.js'
import { buildGateway } from '../helpers/gateway.js'

interface Cell {
  field: string
  scope: Scope | null
  /** Whether the field acts in an org (so an out-of-org target must be refused). */
  scoped: boolean
  query: (org: Org) => { query: string, variables?: Record<string, unknown> }
}

interface Org { orgId: string, domainId: string, siteNiceId: string, siteId: number, resourceId: number, targetId: number, siteResourceId: number, roleId: number, operationId: string }

const mutation = (field: string, type: string, input: Record<string, unknown>) => ({
  query: `mutation ($input: ${type}!) { ${field}(input: $input) { operation { id } } }`,
  variables: { input }
})

const CELLS: Cell[] = [
  { field: 'org', scope: 'read', scoped: true, query: (o) => ({ query: `{ org(orgId: "${o.orgId}") { roles { name } } }` }) },
  { field: 'site', scope: 'read', scoped: true, query: (o) => ({ query: `{ site(siteId: ${o.siteId}) { name } }` }) },
  { field: 'resource', scope: 'read', scoped: true, query: (o) => ({ query: `{ resource(resourceId: ${o.resourceId}) { name } }` }) },
  { field: 'privateResource', scope: 'read', scoped: true, query: (o) => ({ query: `{ privateResource(siteResourceId: ${o.siteResourceId}) { name } }` }) },
  { field: 'operation', scope: 'read', scoped: true, query: (o) => ({ query: `{ operation(id: "${o.operationId}") { status } }` }) },
  { field: 'clients', scope: 'admin', scoped: false, query: () => ({ query: '{ clients { id } }' }) },
  { field: 'auditEvents', scope: 'admin', scoped: false, query: () => ({ query: '{ auditEvents { nodes { id } } }' }) },
  { field: 'createClient', scope: 'admin', scoped: false, query: () => ({ query: 'mutation { createClient(input: { name: "m", orgs: ["acme"], scopes: [READ] }) { token } }' }) },
  { field: 'revokeClient', scope: 'admin', scoped: false, query: () => ({ query: 'mutation { revokeClient(id: "cl_nope") { id } }' }) },
  { field: 'createSite', scope: 'provision', scoped: true, query: (o) => mutation('createSite', 'CreateSiteInput', { orgId: o.orgId, name: 'matrix' }) },
  {
    field: 'provisionHttpService',
    scope: 'provision',
    scoped: true,
    query: (o) => mutation('provisionHttpService', 'ProvisionHttpServiceInput', { orgId: o.orgId, name: 'm', domainId: o.domainId, subdomain: 'matrix', targets: [{ siteNiceId: o.siteNiceId, ip: '10.0.0.1', port: 80 }] })
  },
  {
    field: 'provisionPrivateResource',
    scope: 'provision',
    scoped: true,
    query: (o) => mutation('provisionPrivateResource', 'ProvisionPrivateResourceInput', { orgId: o.orgId, name: 'm', siteNiceId: o.siteNiceId, mode: 'HOST', destination: '10.9.9.9', alias: 'matrix.internal', tcpPortRangeString: '', udpPortRangeString: '' })
  },
  { field: 'addTargets', scope: 'provision', scoped: true, query: (o) => mutation('addTargets', 'AddTargetsInput', { resourceId: o.resourceId, targets: [{ siteNiceId: o.siteNiceId, ip: '10.0.0.9', port: 81 }] }) },
  { field: 'grantAccess', scope: 'grant', scoped: true, query: (o) => mutation('grantAccess', 'AccessInput', { resourceId: o.resourceId, roleIds: [o.roleId] }) },
  { field: 'revokeAccess', scope: 'grant', scoped: true, query: (o) => mutation('revokeAccess', 'AccessInput', { resourceId: o.resourceId, roleIds: [o.roleId] }) },
  { field: 'decommissionHttpService', scope: 'delete', scoped: true, query: (o) => mutation('decommissionHttpService', 'DecommissionHttpServiceInput', { resourceId: o.resourceId }) },
  { field: 'removeTarget', scope: 'delete', scoped: true, query: (o) => ({ query: `mutation { removeTarget(targetId: ${o.targetId}) { targetId } }` }) },
  { field: 'deletePrivateResource', scope: 'delete', scoped: true, query: (o) => ({ query: `mutation { deletePrivateResource(siteResourceId: ${o.siteResourceId}) { id } }` }) },
  { field: 'deleteSite', scope: 'delete', scoped: true, query: (o) => ({ query: `mutation { deleteSite(siteId: ${o.siteId}) { id } }` }) }
]

t.test('access matrix: every field outside a client\'s scopes or orgs is FORBIDDEN with no upstream call', async (t) => {
  const gw = await buildGateway(t, { env: { RATE_LIMIT_MAX: '100000' } })
  const state = gw.emulator.state

  // The gateway learns where objects live from what it reads: an operator's client lists globex.
  const ops = await gw.token(['read', 'provision'])
  const warm = await gw.graphql(ops, '{ org(orgId: "globex") { sites(pageSize: 100) { total } resources(pageSize: 100) { total } privateResources(pageSize: 100) { total } } }')
  t.notOk(warm.body.errors)
  const made = await gw.graphql(ops, 'mutation ($i: CreateSiteInput!) { createSite(input: $i) { operation { id } } }', { i: { orgId: 'globex', name: 'matrix seed' } })
  t.notOk(made.body.errors)
  const priv = await gw.graphql(ops, 'mutation ($i: ProvisionPrivateResourceInput!) { provisionPrivateResource(input: $i) { privateResource { siteResourceId } } }', {
    i: { orgId: 'globex', name: 'globex db', siteNiceId: 'globex-main', mode: 'HOST', destination: '10.7.7.7', alias: 'db.globex.internal', tcpPortRangeString: '5432', udpPortRangeString: '' }
  })
  t.notOk(priv.body.errors, JSON.stringify(priv.body.errors))

  const org = (orgId: string): Org => {
    const resource = state.resources.find((r) => r.orgId === orgId)!
    return {
      orgId,
      domainId: orgId === 'acme' ? 'domain1' : 'domain2',
      siteNiceId: orgId === 'acme' ? 'acme-hq' : 'globex-main',
      siteId: state.sites.find((s) => s.orgId === orgId)!.siteId,
      resourceId: resource.resourceId,
      targetId: state.targets.find((x) => x.resourceId === resource.resourceId)!.targetId,
      siteResourceId: state.siteResources.find((r) => r.orgId === orgId)!.siteResourceId,
      roleId: state.roles.find((r) => r.orgId === orgId && !r.isAdmin)!.roleId,
      operationId: made.body.data.createSite.operation.id
    }
  }
  const outside = org('globex')

  let cells = 0
  let refused = 0
  let upstream = 0
  for (const scope of SCOPES) {
    const token = await gw.token([scope], ['acme'])
    for (const cell of CELLS) {
      // Refused: the scope is missing, or the target is in an org the client does not have.
      const targets: Array<{ o: Org, allowed: boolean }> = [{ o: outside, allowed: cell.scope === scope && !cell.scoped }]
      if (cell.scope !== scope) targets.push({ o: org('acme'), allowed: false })
      for (const { o, allowed } of targets) {
        if (allowed) continue
        cells++
        const { query, variables } = cell.query(o)
        gw.emulator.stats.reset()
        const answer = await gw.graphql(token, query, variables)
        const code = answer.body.errors?.[0]?.extensions?.code
        if (code === 'FORBIDDEN') refused++
        else t.fail(`${cell.field} with scope ${scope} on ${o.orgId}: ${code ?? 'allowed'}`)
        upstream += gw.emulator.stats.total
        if (gw.emulator.stats.total > 0) t.fail(`${cell.field} with scope ${scope} on ${o.orgId} called Pangolin`)
      }
    }
  }
  t.equal(refused, cells, 'every refused cell is FORBIDDEN')
  t.equal(upstream, 0, 'no refused cell called Pangolin')
  t.ok(cells >= 80)
  t.comment(`access matrix: ${CELLS.length} fields x ${SCOPES.length} scopes x in/out of org: ${cells} refused cells, ${refused} FORBIDDEN, ${upstream} upstream calls`)
})

t.test('each scope allows its own reads in its own org', async (t) => {
  const gw = await buildGateway(t)
  const read = await gw.token(['read'], ['acme'])
  const resource = gw.emulator.state.resources.find((r) => r.orgId === 'acme')!
  const answer = await gw.graphql(read, `{ org(orgId: "acme") { roles { name } } resource(resourceId: ${resource.resourceId}) { name } }`)
  t.notOk(answer.body.errors)
  const admin = await gw.token(['admin'], ['acme'])
  t.notOk((await gw.graphql(admin, '{ clients { id } auditEvents { nodes { id } } }')).body.errors)
})
