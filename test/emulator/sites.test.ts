import t from 'tap'
import { build, call, SEED_KEYS } from './fixtures/emulator.js'

t.test('a newt site gets a generated niceId and Newt credentials', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site', { body: { name: 'Branch', type: 'newt' } })
  t.equal(res.status, 201)
  t.equal(res.json.message, 'Site created successfully')
  t.match(res.json.data.niceId, /^[a-z]+-[a-z]+$/)
  t.match(res.json.data.newtId, /^[a-z0-9]{15}$/)
  t.match(res.json.data.secret, /^[a-z0-9]{48}$/)
  t.match(res.json.data.address, /^100\.90\.128\.\d+$/)
  t.equal(emu.state.newts.filter((n) => n.siteId === res.json.data.siteId).length, 1)
})

t.test('a local site returns no Newt credentials', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site', { body: { name: 'Lab', type: 'local' } })
  t.notOk('newtId' in res.json.data)
  t.notOk('secret' in res.json.data)
})

t.test('a duplicate site niceId is 409', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site', { body: { name: 'HQ', type: 'newt', niceId: 'acme-hq' } })
  t.equal(res.status, 409)
  t.equal(res.json.message, 'Nice ID acme-hq already exists. Please choose a different one.')
})

t.test('a site is found by its niceId', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/site/acme-edge')
  t.equal(res.status, 200)
  t.match(res.json.data, { niceId: 'acme-edge', newtId: /^[a-z0-9]{15}$/ })
  t.equal((await call(emu, 'GET', '/org/acme/site/nope')).json.message, 'Site not found')
})

t.test('a taken address is 409', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site', {
    body: { name: 'X', type: 'local', address: '100.90.128.1' }
  })
  t.equal(res.status, 409)
  t.equal(res.json.message, 'Subnet 100.90.128.1/24 already exists in sites')
})

t.test('local sites have no online key in the list', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/sites')
  const local = res.json.data.sites.find((s: { niceId: string }) => s.niceId === 'acme-local')
  t.notOk('online' in local)
})

t.test('site defaults are a preview with Newt credentials', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/globex/pick-site-defaults', { key: SEED_KEYS.globex })
  t.equal(res.status, 200)
  t.match(res.json.data, { exitNodeId: 1, newtId: /^[a-z0-9]{15}$/, newtSecret: /^[a-z0-9]{48}$/ })
  t.equal(emu.state.sites.length, 4)
})

t.test('the org lists carry the seeded domains, roles and users', async (t) => {
  const emu = await build(t)
  const domains = await call(emu, 'GET', '/org/acme/domains')
  t.same(domains.json.data.domains.map((d: { type: string }) => d.type).sort(),
    ['cname', 'ns', 'ns', 'wildcard', 'wildcard'])
  const users = await call(emu, 'GET', '/org/acme/users')
  t.same(users.json.data.users.map((u: { id: string, email: string }) => u.email),
    ['alice@acme.test', 'bob@acme.test'])
  t.ok(users.json.data.users.every((u: Record<string, unknown>) => typeof u.id === 'string' && !('userId' in u)))
})

t.test('the emulator starts empty without seed data', async (t) => {
  const emu = await build(t, { seed: false })
  t.equal(emu.state.orgs.length, 0)
  t.equal(emu.state.keys.length, 0)
})
