import { readFileSync } from 'node:fs'
import { buildSchema, printSchema } from 'graphql'
import t from 'tap'
import { SCHEMA_PATH } from '../../../src/paths.js'
import { SEED_KEYS } from '../../../src/emulator/index.js'
import { buildGateway } from '../../helpers/gateway.js'

t.test('the served schema is schema.graphql', async (t) => {
  const { gateway } = await buildGateway(t)
  const served = printSchema(gateway.app.graphql.schema)
  t.equal(served, printSchema(buildSchema(readFileSync(SCHEMA_PATH, 'utf8'))))
})

t.test('viewer describes the calling client', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read', 'grant'], ['acme'])
  const { body } = await gw.graphql(token, '{ viewer { name orgs allOrgs scopes } }')
  t.same(body, { data: { viewer: { name: 'test-1', orgs: ['acme'], allOrgs: false, scopes: ['READ', 'GRANT'] } } })
})

t.test('an org query returns sites, domains, resources with targets, roles and users', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const { status, body } = await gw.graphql(token, `{
    org(orgId: "acme") {
      orgId
      sites(pageSize: 50) { total items { siteId niceId name type online } }
      domains { domainId baseDomain type verified }
      resources(pageSize: 50) { total items { resourceId name protocol fullDomain subdomain domain { baseDomain } targets { targetId ip port siteId } } }
      roles { roleId name isAdmin }
      users { userId email username }
    }
  }`)
  t.equal(status, 200)
  t.notOk(body.errors, JSON.stringify(body.errors))
  const org = body.data.org
  const state = gw.emulator.state

  const acmeSites = state.sites.filter((s) => s.orgId === 'acme')
  t.equal(org.sites.total, acmeSites.length)
  t.same(org.sites.items.map((s: { niceId: string }) => s.niceId).sort(), acmeSites.map((s) => s.niceId).sort())
  const local = org.sites.items.find((s: { type: string }) => s.type === 'local')
  if (local !== undefined) t.equal(local.online, null, 'a local site has no online state')

  const types = new Set(org.domains.map((d: { type: string }) => d.type))
  t.ok(types.has('WILDCARD') && types.has('NS') && types.has('CNAME'), 'domains of each type')

  const acmeResources = state.resources.filter((r) => r.orgId === 'acme')
  t.equal(org.resources.total, acmeResources.length)
  for (const item of org.resources.items) {
    const expected = state.targets.filter((x) => x.resourceId === item.resourceId)
    t.equal(item.targets.length, expected.length, `targets of ${item.name}`)
    t.equal(item.protocol, 'http')
    if (item.subdomain !== null) t.equal(`${item.subdomain}.${item.domain.baseDomain}`, item.fullDomain)
  }
  t.ok(org.roles.some((r: { isAdmin: boolean }) => r.isAdmin))
  t.ok(org.users.some((u: { email: string }) => u.email === 'alice@acme.test'))
})

t.test('the nested resources query costs one upstream call', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  gw.emulator.stats.reset()
  const { body } = await gw.graphql(token, '{ org(orgId: "acme") { resources(pageSize: 50) { items { name targets { ip port siteId } } } } }')
  t.notOk(body.errors)
  t.ok(body.data.org.resources.items.length >= 2)
  t.equal(gw.emulator.stats.total, 1, 'one upstream call for the list and every target')
  t.same(gw.emulator.stats.byRoute, { 'GET /org/:orgId/resources': 1 })
})

t.test('asking for a field the list lacks fans out through one loader call per resource', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  gw.emulator.stats.reset()
  const { body } = await gw.graphql(token, '{ org(orgId: "acme") { resources(pageSize: 50) { items { name targets { method } } } } }')
  t.notOk(body.errors)
  const resources = body.data.org.resources.items.length
  t.equal(gw.emulator.stats.byRoute['GET /resource/:resourceId/targets'], resources)
  t.equal(gw.emulator.stats.total, 1 + resources)
  t.ok(body.data.org.resources.items.flatMap((r: { targets: Array<{ method: string }> }) => r.targets).every((x: { method: string | null }) => x.method !== undefined))
})

t.test('target sites come from one sites call per org', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  gw.emulator.stats.reset()
  const { body } = await gw.graphql(token, '{ org(orgId: "acme") { resources(pageSize: 50) { items { targets { site { niceId } } } } } }')
  t.notOk(body.errors)
  t.same(gw.emulator.stats.byRoute, { 'GET /org/:orgId/resources': 1, 'GET /org/:orgId/sites': 1 })
})

t.test('resourceByDomain finds the exact domain and nothing else', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const resource = gw.emulator.state.resources.find((r) => r.orgId === 'acme' && r.fullDomain !== null)!
  const exact = await gw.graphql(token, 'query ($d: String!) { org(orgId: "acme") { resourceByDomain(fullDomain: $d) { resourceId } } }', { d: resource.fullDomain!.toUpperCase() })
  t.equal(exact.body.data.org.resourceByDomain.resourceId, resource.resourceId)
  const partial = await gw.graphql(token, 'query ($d: String!) { org(orgId: "acme") { resourceByDomain(fullDomain: $d) { resourceId } } }', { d: resource.fullDomain!.slice(1) })
  t.equal(partial.body.data.org.resourceByDomain, null)
})

t.test('site, resource and privateResource by id, and null when absent', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const site = gw.emulator.state.sites.find((s) => s.orgId === 'acme')!
  const resource = gw.emulator.state.resources.find((r) => r.orgId === 'acme')!
  const priv = gw.emulator.state.siteResources.find((r) => r.orgId === 'acme')!
  const { body } = await gw.graphql(token, `query ($s: Int!, $r: Int!, $p: Int!) {
    site(siteId: $s) { siteId niceId }
    resource(resourceId: $r) { resourceId name subdomain targets { targetId method } }
    privateResource(siteResourceId: $p) { siteResourceId name mode alias tcpPortRangeString }
    missing: site(siteId: 9999) { siteId }
    bySlug: org(orgId: "acme") { site(niceId: "${site.niceId}") { siteId } }
  }`, { s: site.siteId, r: resource.resourceId, p: priv.siteResourceId })
  t.notOk(body.errors, JSON.stringify(body.errors))
  t.equal(body.data.site.niceId, site.niceId)
  t.equal(body.data.resource.name, resource.name)
  t.equal(body.data.resource.targets.length, gw.emulator.state.targets.filter((x) => x.resourceId === resource.resourceId).length)
  t.equal(body.data.privateResource.name, priv.name)
  t.equal(body.data.missing, null)
  t.equal(body.data.bySlug.site.siteId, site.siteId)
})

t.test('an org outside the client is FORBIDDEN and costs no upstream call', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'], ['globex'])
  gw.emulator.stats.reset()
  const { body } = await gw.graphql(token, '{ org(orgId: "acme") { sites { total } } }')
  t.same(body.data, { org: null })
  t.equal(body.errors?.[0]?.extensions?.code, 'FORBIDDEN')
  t.equal(gw.emulator.stats.total, 0)
})

t.test('a client without the read scope is FORBIDDEN', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'])
  const { body } = await gw.graphql(token, '{ org(orgId: "acme") { roles { name } } }')
  t.equal(body.errors?.[0]?.extensions?.code, 'FORBIDDEN')
})

t.test('a request without a valid token is UNAUTHENTICATED with status 401', async (t) => {
  const gw = await buildGateway(t)
  for (const token of [undefined, 'pgw_nope', `pgw_${'A'.repeat(43)}`]) {
    const { status, body } = await gw.graphql(token, '{ viewer { name } }')
    t.equal(status, 401)
    t.equal(body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED')
  }
})

t.test('bad paging arguments are BAD_USER_INPUT naming the argument, without an upstream call', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  gw.emulator.stats.reset()
  const { body } = await gw.graphql(token, '{ org(orgId: "acme") { sites(pageSize: 5000) { total } } }')
  t.equal(body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
  t.match(body.errors?.[0]?.message, /^pageSize: must be between 1 and 1000/)
  t.equal(gw.emulator.stats.total, 0)
})

t.test('an upstream outage is UPSTREAM_UNAVAILABLE, not a 500', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  gw.emulator.faults.add({ route: '/org/:orgId/roles', kind: 'status', status: 503, times: Infinity })
  const { body } = await gw.graphql(token, '{ org(orgId: "acme") { roles { name } } }')
  t.equal(body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE')
})

t.test('the upstream key appears in no log line and no response', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const secret = SEED_KEYS.root.split('.')[1]!
  gw.emulator.faults.add({ route: '/org/:orgId/users', kind: 'status', status: 500 })
  const answers = await Promise.all([
    gw.graphql(token, '{ org(orgId: "acme") { users { email } sites { total } resources { items { targets { method } } } } }'),
    gw.graphql(token, '{ org(orgId: "nope") { roles { name } } }'),
    gw.graphql(token, '{ resource(resourceId: 424242) { name } }')
  ])
  t.ok(gw.logs.length > 5, 'the gateway logged')
  for (const line of gw.logs) JSON.parse(line)
  t.equal(gw.logs.filter((l) => l.includes(secret)).length, 0, 'no log line carries the key')
  t.equal(answers.filter((a) => a.text.includes(secret) || a.text.includes(token)).length, 0)
  t.equal(gw.logs.filter((l) => l.includes(token.slice(4))).length, 0, 'no log line carries the token')
})
