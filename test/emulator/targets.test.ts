import t from 'tap'
import { build, call, SEED_KEYS } from './fixtures/emulator.js'

const target = { siteId: 1, ip: '10.0.0.50', port: 8080, method: 'http' }

t.test('a duplicate target is created again', async (t) => {
  const emu = await build(t)
  for (let i = 0; i < 2; i++) {
    const res = await call(emu, 'PUT', '/resource/2/target', { body: target })
    t.equal(res.status, 201)
  }
  t.equal(emu.state.targets.filter((x) => x.ip === '10.0.0.50').length, 2)
})

t.test('a target create returns hcHeaders as a string and get parses it', async (t) => {
  const emu = await build(t)
  const hcHeaders = [{ name: 'X-Check', value: '1' }]
  const created = await call(emu, 'PUT', '/resource/2/target', { body: { ...target, hcHeaders } })
  t.equal(created.json.data.hcHeaders, JSON.stringify(hcHeaders))
  const got = await call(emu, 'GET', `/target/${created.json.data.targetId}`)
  t.same(got.json.data.hcHeaders, hcHeaders)
})

t.test('a target may point at a site of another org', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/resource/1/target', { body: { ...target, siteId: 4 } })
  t.equal(res.status, 201)
})

t.test('an invalid target address is 400 at ip', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/resource/1/target', { body: { ...target, ip: 'not a host' } })
  t.equal(res.json.message, 'Validation error: Invalid input at "ip"')
})

t.test('a health check needs a hostname in the mode generation', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/resource/1/target', { body: { ...target, hcEnabled: true } })
  t.equal(res.json.message, 'Validation error: HcHostname is required when hcEnabled is true at "hcHostname"')
})

t.test('deleting a resource deletes its targets and grants', async (t) => {
  const emu = await build(t)
  await call(emu, 'POST', '/resource/1/users/add', { body: { userId: 'aliceacme000001' } })
  await call(emu, 'DELETE', '/resource/1')
  t.equal(emu.state.targets.filter((x) => x.resourceId === 1).length, 0)
  t.equal(emu.state.targetHealthCheck.filter((x) => x.targetId <= 2).length, 0)
  t.equal(emu.state.roleResources.filter((g) => g.resourceId === 1).length, 0)
  t.equal(emu.state.userResources.filter((g) => g.resourceId === 1).length, 0)
})

t.test('deleting a site deletes its targets', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'DELETE', '/site/1')
  t.equal(res.status, 200)
  t.equal(emu.state.targets.filter((x) => x.siteId === 1).length, 0)
  t.equal(emu.state.newts.filter((n) => n.siteId === 1).length, 0)
})

t.test('deleting a site with its resources is 401 for an API key', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'DELETE', '/site/1?deleteResources=true', { key: SEED_KEYS.root })
  t.equal(res.status, 401)
  t.equal(res.json.message, 'User not authenticated')
  t.ok(emu.state.sites.some((s) => s.siteId === 1))
})

t.test('a target is listed, fetched and deleted', async (t) => {
  const emu = await build(t)
  const list = await call(emu, 'GET', '/resource/1/targets')
  t.same(list.json.data.pagination, { total: 2, limit: 1000, offset: 0 })
  t.equal((await call(emu, 'DELETE', '/target/1')).json.message, 'Target deleted successfully')
  const gone = await call(emu, 'GET', '/target/1')
  t.equal(gone.status, 404)
  t.equal(gone.json.message, 'Target with ID 1 not found')
})

t.test('a target update without hcEnabled turns the health check off', async (t) => {
  const emu = await build(t)
  await call(emu, 'POST', '/target/1', {
    body: { siteId: 1, ip: '10.0.0.10', hcEnabled: true, hcHostname: 'grafana' }
  })
  t.equal(emu.state.targetHealthCheck.find((h) => h.targetId === 1)?.hcEnabled, true)
  await call(emu, 'POST', '/target/1', { body: { siteId: 1, ip: '10.0.0.10' } })
  t.equal(emu.state.targetHealthCheck.find((h) => h.targetId === 1)?.hcEnabled, false)
})
