import t from 'tap'
import { build, call, httpResource, SEED_KEYS } from './fixtures/emulator.js'

t.test('an unknown body key is 400 Unrecognized key', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site', { body: { name: 'x', type: 'newt', foo: 1 } })
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Validation error: Unrecognized key: "foo"')
})

t.test('a body number sent as a string is not coerced', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/resource/1/target', { body: { siteId: '1', ip: '10.0.0.1', port: 80 } })
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Validation error: Invalid input: expected number, received string at "siteId"')
})

t.test('a missing required key names the field', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site', { body: { type: 'newt' } })
  t.equal(res.json.message, 'Validation error: Invalid input: expected string, received undefined at "name"')
})

t.test('an unknown query key on the sites list is 400', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/sites?limit=5')
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Validation error: Unrecognized key: "limit"')
})

t.test('the roles query is not strict', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/roles?limit=5')
  t.equal(res.status, 200)
  t.same(res.json.data.roles.map((r: { name: string }) => r.name), ['Admin', 'Developers', 'Member'])
})

t.test('an invalid page size falls back to the default', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/sites?pageSize=abc&page=-1')
  t.equal(res.status, 200)
  t.same(res.json.data.pagination, { total: 3, pageSize: 20, page: 1 })
})

t.test('an invalid siteId filter on the resources list is 400', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/resources?siteId=abc')
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Validation error: Invalid input: expected number, received NaN at "siteId"')
})

t.test('a non-numeric path id is 400 with NaN', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/site-resource/abc', { key: SEED_KEYS.root })
  t.equal(res.json.message, 'Missing siteResourceId parameter')
  const target = await call(emu, 'GET', '/target/abc')
  t.equal(target.json.message, 'Invalid target ID')
})

t.test('the site-scoped resource create alias always fails on its params', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/site/1/public-resource', { body: httpResource('x', 'domain1', 'x') })
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Validation error: Unrecognized key: "siteId"')
})

t.test('the site-scoped resources list alias always fails on its params', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/site/1/resources')
  t.equal(res.status, 400)
  t.equal(res.json.message,
    'Validation error: Invalid input: expected string, received undefined at "orgId"; Unrecognized key: "siteId"')
})
