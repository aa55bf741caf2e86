import t from 'tap'
import {
  createdSiteSchema, domainPageSchema, resourceSchema, siteSchema, targetSchema, userPageSchema
} from '../../src/upstream/schemas.js'

const base = { resourceId: 1, niceId: 'brave-otter', name: 'app', fullDomain: 'app.acme.test', domainId: 'domain1', enabled: true, sso: true }

t.test('a mode-generation resource takes its protocol from mode', async (t) => {
  t.equal(resourceSchema.parse({ ...base, mode: 'ssh', requestHeaders: null }).protocol, 'ssh')
})

t.test('a legacy http resource reads as http', async (t) => {
  t.equal(resourceSchema.parse({ ...base, http: true, protocol: 'tcp', headers: '[]' }).protocol, 'http')
})

t.test('a legacy raw resource reads as its protocol', async (t) => {
  t.equal(resourceSchema.parse({ ...base, http: false, protocol: 'udp', proxyPort: 5353 }).protocol, 'udp')
})

t.test('a local site without online reads as online null', async (t) => {
  const site = siteSchema.parse({ siteId: 3, niceId: 'acme-local', name: 'Local', type: 'local', address: null })

  t.equal(site.online, null)
})

t.test('a created newt site keeps its Newt id and secret, other sites do not get them', async (t) => {
  const row = { siteId: 4, niceId: 'lab', name: 'Lab', type: 'newt', online: false, address: '100.90.128.4', subnet: null }

  t.match(createdSiteSchema.parse({ ...row, newtId: 'n1', secret: 's1' }), { newtId: 'n1', secret: 's1' })
  t.notOk('secret' in createdSiteSchema.parse({ ...row, type: 'local' }))
})

t.test('domain pagination accepts a total sent as a string', async (t) => {
  const page = domainPageSchema.parse({
    domains: [{ domainId: 'domain1', baseDomain: 'acme.test', verified: true, type: 'wildcard', failed: false }],
    pagination: { total: '1', limit: 1000, offset: 0 }
  })

  t.equal(page.pagination.total, 1)
  t.equal(page.domains[0]!.type, 'wildcard')
})

t.test('a target from create, with hcHeaders as a JSON string, parses', async (t) => {
  const target = targetSchema.parse({
    targetId: 9, resourceId: 1, siteId: 2, ip: '10.0.0.1', port: 80, method: 'http', enabled: true, hcHeaders: '[{"name":"a","value":"b"}]', hcHealth: 'unknown'
  })

  t.match(target, { targetId: 9, healthStatus: 'unknown', method: 'http' })
})

t.test('listUsers rows map id to userId', async (t) => {
  const page = userPageSchema.parse({ users: [{ id: 'u1', email: 'a@acme.test', username: 'a@acme.test', name: 'A', roles: [] }] })

  t.same(page.users, [{ userId: 'u1', email: 'a@acme.test', username: 'a@acme.test', name: 'A' }])
})

t.test('a row missing a field we use is refused', async (t) => {
  t.notOk(resourceSchema.safeParse({ name: 'x' }).success)
})
