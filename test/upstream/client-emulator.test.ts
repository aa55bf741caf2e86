import t, { type Test } from 'tap'
import { GatewayError } from '../../src/errors.js'
import { SEED_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js'
import type { UpstreamKey } from '../../src/config/keys.js'
import type { PangolinClientOptions } from '../../src/upstream/client.js'
import type { Resource } from '../../src/upstream/types.js'
import { buildClient, LEVEL, type Built } from './helpers/build-client.js'

interface Setup extends Built { emu: Emulator }

async function setup (t: Test, opts: {
  generation?: 'mode' | 'legacy'
  latencyMs?: number
  keys?: UpstreamKey[]
  client?: Partial<PangolinClientOptions>
} = {}): Promise<Setup> {
  const emu = await startEmulator({ seed: true, generation: opts.generation ?? 'mode', latencyMs: opts.latencyMs ?? 0 })
  t.teardown(() => emu.close())
  const built = buildClient(t, emu.url, {
    upstreamKeys: opts.keys ?? [{ primary: SEED_KEYS.root, orgs: '*' }],
    ...opts.client
  })
  return { emu, ...built }
}

async function error (p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(err)}`)
  return err
}

function findByDomain (s: Setup, fullDomain: string) {
  return async (): Promise<Resource | undefined> =>
    (await s.client.listResources('acme', { query: fullDomain })).items.find((r) => r.fullDomain === fullDomain)
}

t.test('health answers without a key', async (t) => {
  const { client } = await setup(t, { keys: [] })

  await client.health()

  t.pass('healthy')
})

t.test('pickSiteDefaults returns a preview of site settings', async (t) => {
  const { client } = await setup(t)

  const d = await client.pickSiteDefaults('acme')

  t.type(d.exitNodeId, 'number')
  t.match(d.newtId, /^[a-z0-9]{15}$/)
  t.type(d.newtSecret, 'string')
})

t.test('createSite returns the Newt secret once, and the site can be read back', async (t) => {
  const { client } = await setup(t)

  const site = await client.createSite('acme', { name: 'Lab', type: 'newt', niceId: 'acme-lab' })

  t.ok('secret' in site && site.secret.length > 0)
  t.ok('newtId' in site)
  t.equal((await client.getSite(site.siteId)).niceId, 'acme-lab')
  t.equal((await client.getSiteByNiceId('acme', 'acme-lab')).siteId, site.siteId)
})

t.test('listSites pages the sites of an org', async (t) => {
  const { client } = await setup(t)

  const page = await client.listSites('acme', { pageSize: 2, page: 1 })

  t.equal(page.items.length, 2)
  t.equal(page.pageSize, 2)
  t.ok(page.total >= 3)
  const all = await client.listSites('acme', { query: 'acme-hq' })
  t.same(all.items.map((s) => s.niceId), ['acme-hq'])
})

t.test('deleteSite removes the site, and deleting it again counts as done', async (t) => {
  const { client } = await setup(t)
  const site = await client.getSiteByNiceId('acme', 'acme-edge')

  await client.deleteSite(site.siteId)
  await client.deleteSite(site.siteId)

  t.equal((await error(client.getSite(site.siteId))).code, 'NOT_FOUND')
})

t.test('listDomains returns every domain of the org with its type', async (t) => {
  const { client } = await setup(t)

  const domains = await client.listDomains('acme')

  t.match(domains.find((d) => d.domainId === 'domain1'), { baseDomain: 'acme.test', type: 'wildcard', verified: true })
  t.ok(domains.some((d) => d.type === 'ns'))
  t.ok(domains.some((d) => d.type === 'cname'))
})

t.test('createResource creates an http resource on the mode generation', async (t) => {
  const { client } = await setup(t)

  const r = await client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' })

  t.match(r, { name: 'Docs', protocol: 'http', fullDomain: 'docs.acme.test', domainId: 'domain1' })
  t.equal((await client.getResource(r.resourceId)).fullDomain, 'docs.acme.test')
})

t.test('createResource creates an http resource on the legacy generation', async (t) => {
  const { client } = await setup(t, { generation: 'legacy' })

  const r = await client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' })

  t.equal(r.protocol, 'http')
  t.equal((await client.getResource(r.resourceId)).protocol, 'http')
})

t.test('listResources finds a resource by domain and carries its targets', async (t) => {
  const { client } = await setup(t)

  const page = await client.listResources('acme', { query: 'grafana.acme.test' })

  const grafana = page.items.find((r) => r.fullDomain === 'grafana.acme.test')
  t.ok(grafana)
  t.equal(grafana?.targets?.length, 2)
})

t.test('updateResource changes the resource and returns it', async (t) => {
  const { client } = await setup(t)
  const r = await client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' })

  const updated = await client.updateResource(r.resourceId, { name: 'Handbook' })

  t.equal(updated.name, 'Handbook')
})

t.test('deleteResource removes the resource, and deleting it again counts as done', async (t) => {
  const { client } = await setup(t)
  const r = await client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' })

  await client.deleteResource(r.resourceId)
  await client.deleteResource(r.resourceId)

  t.equal((await error(client.getResource(r.resourceId))).code, 'NOT_FOUND')
})

t.test('targets can be created, listed, read and deleted', async (t) => {
  const { client } = await setup(t)
  const r = await client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' })
  const hq = await client.getSiteByNiceId('acme', 'acme-hq')

  const target = await client.createTarget(r.resourceId, { siteId: hq.siteId, ip: '10.0.0.7', port: 8080, method: 'http' })
  const listed = await client.listTargets(r.resourceId)
  const got = await client.getTarget(target.targetId)
  await client.deleteTarget(target.targetId)
  await client.deleteTarget(target.targetId)

  t.match(target, { resourceId: r.resourceId, siteId: hq.siteId, ip: '10.0.0.7', port: 8080, method: 'http' })
  t.same(listed.map((x) => x.targetId), [target.targetId])
  t.equal(got.ip, '10.0.0.7')
  t.same(await client.listTargets(r.resourceId), [])
})

t.test('site resources can be created, read, listed and deleted', async (t) => {
  const { client } = await setup(t)
  const hq = await client.getSiteByNiceId('acme', 'acme-hq')

  const sr = await client.createSiteResource('acme', {
    name: 'Redis',
    mode: 'host',
    siteIds: [hq.siteId],
    destination: '10.0.0.6',
    alias: 'redis.acme.internal',
    tcpPortRangeString: '6379',
    udpPortRangeString: '',
    roleIds: [],
    userIds: [],
    clientIds: []
  })
  const got = await client.getSiteResource(sr.siteResourceId)
  const page = await client.listSiteResources('acme', { query: 'redis.acme.internal' })
  await client.deleteSiteResource(sr.siteResourceId)
  await client.deleteSiteResource(sr.siteResourceId)

  t.match(sr, { name: 'Redis', mode: 'host', alias: 'redis.acme.internal', tcpPortRangeString: '6379', udpPortRangeString: '' })
  t.equal(got.destination, '10.0.0.6')
  t.same(page.items.map((x) => x.siteResourceId), [sr.siteResourceId])
  t.equal((await error(client.getSiteResource(sr.siteResourceId))).code, 'NOT_FOUND')
})

t.test('listRoles and listUsers return the org roles and users, users by userId', async (t) => {
  const { client } = await setup(t)

  const roles = await client.listRoles('acme')
  const users = await client.listUsers('acme')

  t.same(roles.map((r) => r.name).sort(), ['Admin', 'Developers', 'Member'])
  t.equal(roles.find((r) => r.name === 'Admin')?.isAdmin, true)
  t.match(users.find((u) => u.email === 'alice@acme.test'), { userId: 'aliceacme000001' })
  t.same((await client.listUsers('acme', { query: 'bob' })).map((u) => u.email), ['bob@acme.test'])
})

t.test('resource grants are idempotent both ways', async (t) => {
  const { client, emu } = await setup(t)
  const r = await client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' })
  const dev = (await client.listRoles('acme')).find((x) => x.name === 'Developers')!

  await client.addResourceGrant(r.resourceId, 'role', dev.roleId)
  await client.addResourceGrant(r.resourceId, 'role', dev.roleId)
  await client.addResourceGrant(r.resourceId, 'user', 'aliceacme000001')
  await client.addResourceGrant(r.resourceId, 'user', 'aliceacme000001')
  t.equal(emu.state.roleResources.filter((x) => x.resourceId === r.resourceId && x.roleId === dev.roleId).length, 1)

  await client.removeResourceGrant(r.resourceId, 'role', dev.roleId)
  await client.removeResourceGrant(r.resourceId, 'role', dev.roleId)
  await client.removeResourceGrant(r.resourceId, 'user', 'aliceacme000001')
  await client.removeResourceGrant(r.resourceId, 'user', 'aliceacme000001')

  t.equal(emu.state.roleResources.filter((x) => x.resourceId === r.resourceId && x.roleId === dev.roleId).length, 0)
  t.equal(emu.state.userResources.filter((x) => x.resourceId === r.resourceId).length, 0)
})

t.test('site-resource grants are idempotent both ways', async (t) => {
  const { client, emu } = await setup(t)
  const sr = (await client.listSiteResources('acme', { query: 'db.acme.internal' })).items[0]!

  await client.addSiteResourceGrant(sr.siteResourceId, 'user', 'bobacme00000001')
  await client.addSiteResourceGrant(sr.siteResourceId, 'user', 'bobacme00000001')
  t.equal(emu.state.userSiteResources.filter((x) => x.siteResourceId === sr.siteResourceId).length, 1)

  await client.removeSiteResourceGrant(sr.siteResourceId, 'user', 'bobacme00000001')
  await client.removeSiteResourceGrant(sr.siteResourceId, 'user', 'bobacme00000001')
  await client.addSiteResourceGrant(sr.siteResourceId, 'role', 2)
  await client.removeSiteResourceGrant(sr.siteResourceId, 'role', 2)

  t.equal(emu.state.userSiteResources.filter((x) => x.siteResourceId === sr.siteResourceId).length, 0)
})

t.test('an org key serves only its org, and another org is FORBIDDEN before any call', async (t) => {
  const { client, emu } = await setup(t, { keys: [{ primary: SEED_KEYS.acme, orgs: ['acme'] }] })
  emu.stats.reset()

  t.ok((await client.listRoles('acme')).length > 0)
  t.equal((await error(client.listRoles('globex'))).code, 'FORBIDDEN')
  t.equal(emu.stats.total, 1)
})

t.test('a key without the action is UPSTREAM_CREDENTIALS', async (t) => {
  const { client } = await setup(t, { keys: [{ primary: SEED_KEYS.acmeReadOnly, orgs: ['acme'] }] })

  const err = await error(client.createSite('acme', { name: 'Lab', type: 'newt' }))

  t.equal(err.code, 'UPSTREAM_CREDENTIALS')
})

t.test('a duplicate fullDomain is CONFLICT with Pangolin\'s message', async (t) => {
  const { client } = await setup(t)

  const err = await error(client.createResource('acme', { name: 'Again', domainId: 'domain1', subdomain: 'grafana' }))

  t.equal(err.code, 'CONFLICT')
  t.equal(err.message, 'Resource with that domain already exists')
})

t.test('a create applied then reset is sent once and reported ambiguous without reconcile', async (t) => {
  const { client, emu } = await setup(t)
  emu.faults.add({ method: 'PUT', route: '/org/:orgId/resource', kind: 'apply-then-reset' })
  emu.stats.reset()

  const err = await error(client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' }))

  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(err.extensions.ambiguous, true)
  t.equal(emu.stats.byRoute['PUT /org/:orgId/resource'], 1)
  t.equal(emu.state.resources.filter((r) => r.fullDomain === 'docs.acme.test').length, 1)
})

t.test('a create applied then reset is reconciled to the object it made', async (t) => {
  const s = await setup(t)
  s.emu.faults.add({ method: 'PUT', route: '/org/:orgId/resource', kind: 'apply-then-reset' })
  s.emu.stats.reset()

  const r = await s.client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' },
    { reconcile: findByDomain(s, 'docs.acme.test') })

  t.equal(r.fullDomain, 'docs.acme.test')
  t.equal(s.emu.stats.byRoute['PUT /org/:orgId/resource'], 1)
  t.equal(s.emu.state.resources.filter((x) => x.fullDomain === 'docs.acme.test').length, 1)
  t.ok(s.logs().some((l) => l.level === LEVEL.info && l.msg === 'reconciled'))
})

t.test('a target create that stalls past the timeout is reconciled, not duplicated', async (t) => {
  const s = await setup(t, { client: { timeoutMs: 300 } })
  const grafana = (await s.client.listResources('acme', { query: 'grafana.acme.test' })).items[0]!
  const hq = await s.client.getSiteByNiceId('acme', 'acme-hq')
  s.emu.faults.add({ method: 'PUT', route: '/resource/:resourceId/target', kind: 'apply-then-stall', delayMs: 5_000 })
  s.emu.stats.reset()

  const target = await s.client.createTarget(grafana.resourceId, { siteId: hq.siteId, ip: '10.0.0.99', port: 9000, method: 'http' }, {
    reconcile: async () => (await s.client.listTargets(grafana.resourceId)).find((x) => x.ip === '10.0.0.99' && x.port === 9000)
  })

  t.equal(target.ip, '10.0.0.99')
  t.equal(s.emu.stats.byRoute['PUT /resource/:resourceId/target'], 1)
  t.equal(s.emu.state.targets.filter((x) => x.ip === '10.0.0.99').length, 1)
})

t.test('a create reset before Pangolin acted is sent again after reconcile finds nothing', async (t) => {
  const s = await setup(t)
  const grafana = (await s.client.listResources('acme', { query: 'grafana.acme.test' })).items[0]!
  const hq = await s.client.getSiteByNiceId('acme', 'acme-hq')
  s.emu.faults.add({ method: 'PUT', route: '/resource/:resourceId/target', kind: 'reset-before' })
  s.emu.stats.reset()

  await s.client.createTarget(grafana.resourceId, { siteId: hq.siteId, ip: '10.0.0.98', port: 9000, method: 'http' }, {
    reconcile: async () => (await s.client.listTargets(grafana.resourceId)).find((x) => x.ip === '10.0.0.98')
  })

  t.equal(s.emu.stats.byRoute['PUT /resource/:resourceId/target'], 2)
  t.equal(s.emu.state.targets.filter((x) => x.ip === '10.0.0.98').length, 1)
})

t.test('a create answered 502 by a proxy is sent once without reconcile', async (t) => {
  const { client, emu } = await setup(t)
  emu.faults.add({ method: 'PUT', route: '/org/:orgId/site', kind: 'status', status: 502, message: 'Bad Gateway' })
  emu.stats.reset()

  const err = await error(client.createSite('acme', { name: 'Lab', type: 'newt', niceId: 'acme-lab' }))

  t.equal(err.extensions.ambiguous, true)
  t.equal(emu.stats.byRoute['PUT /org/:orgId/site'], 1)
})

t.test('a read is retried after a 500 from the emulator', async (t) => {
  const { client, emu } = await setup(t)
  emu.faults.add({ method: 'GET', route: '/org/:orgId/roles', kind: 'status', status: 500, message: 'An error occurred' })
  emu.stats.reset()

  const roles = await client.listRoles('acme')

  t.equal(roles.length, 3)
  t.equal(emu.stats.byRoute['GET /org/:orgId/roles'], 2)
})

t.test('a delete applied then reset is retried and counts as done', async (t) => {
  const { client, emu } = await setup(t)
  const r = await client.createResource('acme', { name: 'Docs', domainId: 'domain1', subdomain: 'docs' })
  emu.faults.add({ method: 'DELETE', route: '/resource/:resourceId', kind: 'apply-then-reset' })

  await client.deleteResource(r.resourceId)

  t.equal(emu.state.resources.filter((x) => x.resourceId === r.resourceId).length, 0)
})

t.test('the concurrency cap holds at the emulator', async (t) => {
  const { client, emu } = await setup(t, { client: { maxInFlight: 4 } })
  // A delay fault holds each request after the emulator counts it as in flight.
  emu.faults.add({ route: '/org/:orgId/roles', kind: 'delay', delayMs: 10, times: Infinity })
  emu.stats.reset()

  await Promise.all(Array.from({ length: 30 }, () => client.listRoles('acme')))

  t.ok(emu.stats.maxInFlight <= 4, `max in flight ${emu.stats.maxInFlight}`)
  t.ok(emu.stats.maxInFlight >= 2, 'requests did overlap')
})
