import t from 'tap'
import { build, call } from './fixtures/emulator.js'

const hostBody = (extra: Record<string, unknown> = {}) => ({
  name: 'Redis',
  mode: 'host',
  siteIds: [1],
  destination: '10.0.0.6',
  userIds: [],
  roleIds: [],
  clientIds: [],
  ...extra
})

t.test('a host site resource is created with an alias address', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ alias: 'redis.acme.internal' }) })
  t.equal(res.status, 201)
  t.equal(res.json.message, 'Site resource created successfully')
  t.match(res.json.data, { aliasAddress: /^100\.96\.128\.\d+\/32$/, tcpPortRangeString: '*', udpPortRangeString: '*' })
  t.notOk('siteId' in res.json.data)
})

t.test('a hostname destination needs an alias', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/private-resource', { body: hostBody({ destination: 'redis.lan' }) })
  t.equal(res.status, 400)
  t.equal(res.json.message,
    'Validation error: Destination must be a valid IPV4 address or valid domain AND alias is required')
})

t.test('a site resource without sites is refused', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ siteIds: [] }) })
  t.equal(res.json.message, 'Validation error: At least one of siteIds or siteId must be provided')
})

t.test('the grant arrays are required', async (t) => {
  const emu = await build(t)
  const { userIds, ...body } = hostBody()
  t.same(userIds, [])
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body })
  t.equal(res.json.message, 'Validation error: Invalid input: expected array, received undefined at "userIds"')
})

t.test('a bad alias is refused with the alias message', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ alias: 'db' }) })
  t.match(res.json.message, /^Validation error: Alias must be a fully qualified domain name/)
})

t.test('an empty part in a port range is refused', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ tcpPortRangeString: '80,,443' }) })
  t.match(res.json.message, /^Validation error: Port range must be "\*" for all ports/)
})

t.test('a taken alias in the org is 409', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ alias: 'db.acme.internal' }) })
  t.equal(res.status, 409)
  t.equal(res.json.message, 'Alias already in use by another site resource')
})

t.test('a site without a Newt is refused and nothing is stored', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ siteIds: [3] }) })
  t.equal(res.status, 404)
  t.equal(res.json.message, 'Newt not found for site 3')
  t.equal(emu.state.siteResources.length, 1)
})

t.test('a site of another org is 404 Some site not found', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ siteIds: [4] }) })
  t.equal(res.json.message, 'Some site not found')
})

t.test('a write is refused with 429 while ten rebuilds run for the org', async (t) => {
  const emu = await build(t)
  emu.state.rebuildsInFlight.set('acme', 10)
  const res = await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody() })
  t.equal(res.status, 429)
  t.equal(res.json.message,
    'Too many concurrent rebuild operations for this organization. Please retry after a moment.')
  t.equal(emu.state.siteResources.length, 1)
  const grant = await call(emu, 'POST', '/site-resource/1/roles/add', { body: { roleId: 2 } })
  t.equal(grant.status, 429)
})

t.test('a background rebuild ends by itself', async (t) => {
  const emu = await build(t)
  t.equal((await call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody() })).status, 201)
  await new Promise((resolve) => setTimeout(resolve, 120))
  t.equal(emu.state.rebuildsInFlight.get('acme'), undefined)
})

t.test('a concurrent burst of writes meets the 429', async (t) => {
  const emu = await build(t)
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    call(emu, 'PUT', '/org/acme/site-resource', { body: hostBody({ name: `R${i}` }) })))
  const created = results.filter((r) => r.status === 201).length
  t.equal(created + results.filter((r) => r.status === 429).length, 40)
  t.equal(emu.state.siteResources.length, 1 + created)
})

t.test('deleting a site resource deletes its grants', async (t) => {
  const emu = await build(t)
  await call(emu, 'POST', '/site-resource/1/users/add', { body: { userId: 'aliceacme000001' } })
  await call(emu, 'DELETE', '/site-resource/1')
  t.equal(emu.state.roleSiteResources.length, 0)
  t.equal(emu.state.userSiteResources.length, 0)
  t.equal(emu.state.siteNetworks.length, 0)
})

t.test('the site-resources list carries the site names', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/site-resources?query=db.acme')
  t.match(res.json.data.siteResources, [{ alias: 'db.acme.internal', siteIds: [1], siteNiceIds: ['acme-hq'] }])
})
