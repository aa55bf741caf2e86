import t from 'tap'
import { build, call, httpResource, SEED_KEYS } from './fixtures/emulator.js'

t.test('an org key on another org is 403 before the action is checked', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/globex/sites', { key: SEED_KEYS.acmeReadOnly })
  t.equal(res.status, 403)
  t.equal(res.json.message, 'Key does not have access to this organization')
})

t.test('a key without the action gets the misspelt 403', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', {
    key: SEED_KEYS.acmeReadOnly, body: httpResource('Docs', 'domain1', 'docs')
  })
  t.equal(res.status, 403)
  t.equal(res.json.message, 'Key does not have permission perform this action')
  t.equal(emu.state.resources.length, 3)
})

t.test('a read-only key can list and get', async (t) => {
  const emu = await build(t)
  t.equal((await call(emu, 'GET', '/org/acme/resources', { key: SEED_KEYS.acmeReadOnly })).status, 200)
  t.equal((await call(emu, 'GET', '/resource/1', { key: SEED_KEYS.acmeReadOnly })).status, 200)
})

t.test('a root key still needs each action', async (t) => {
  const emu = await build(t)
  const key = emu.addKey({ orgs: '*', root: true, actions: ['listSites'] })
  t.equal((await call(emu, 'GET', '/org/globex/sites', { key })).status, 200)
  const res = await call(emu, 'DELETE', '/site/1', { key })
  t.equal(res.status, 403)
  t.equal(res.json.message, 'Key does not have permission perform this action')
})

t.test('a missing site reads differently for org keys and root keys', async (t) => {
  const emu = await build(t)
  t.equal((await call(emu, 'GET', '/site/77')).json.message, 'Site with ID 77 not found')
  t.equal((await call(emu, 'GET', '/site/77', { key: SEED_KEYS.root })).json.message, 'Site not found')
})

t.test('a missing resource is found missing before the root bypass', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/resource/77', { key: SEED_KEYS.root })
  t.equal(res.status, 404)
  t.equal(res.json.message, 'Resource with ID 77 not found')
})

t.test('a site in another org is 403 for an org key', async (t) => {
  const emu = await build(t)
  const globexSite = emu.state.sites.find((s) => s.niceId === 'globex-main')
  const res = await call(emu, 'GET', `/site/${globexSite?.siteId}`)
  t.equal(res.status, 403)
  t.equal(res.json.message, 'Key does not have access to this organization')
})

t.test('a non-numeric site id is 400 Invalid site ID', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/site/abc')
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Invalid site ID')
})

t.test('a removed key is refused', async (t) => {
  const emu = await build(t)
  const key = emu.addKey({ orgs: ['acme'] })
  t.match(key, /^[a-z0-9]{15}\.[a-z2-7]{40}$/)
  t.equal((await call(emu, 'GET', '/org/acme/sites', { key })).status, 200)
  emu.removeKey(key)
  t.equal((await call(emu, 'GET', '/org/acme/sites', { key })).json.message, 'Invalid API key')
})

t.test('the seed keys have the documented format', async (t) => {
  for (const key of Object.values(SEED_KEYS)) t.match(key, /^[a-z0-9]{15}\.[a-z2-7]{40}$/)
})

t.test('latency is added to every authenticated call', async (t) => {
  const emu = await build(t, { latencyMs: 60 })
  const started = performance.now()
  await call(emu, 'GET', '/org/acme/sites')
  t.ok(performance.now() - started >= 55)
})
