import t from 'tap'
import { build, call, httpResource } from './fixtures/emulator.js'

const docs = httpResource('Docs', 'domain1', 'docs')
const countDocs = (emu: Awaited<ReturnType<typeof build>>) =>
  emu.state.resources.filter((r) => r.fullDomain === 'docs.acme.test').length

t.test('a delay fault answers normally after the delay', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'delay', route: '/org/:orgId/sites', delayMs: 80 })
  const started = performance.now()
  const res = await call(emu, 'GET', '/org/acme/sites')
  t.equal(res.status, 200)
  t.ok(performance.now() - started >= 75)
})

t.test('a status fault answers the error envelope without applying', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'status', route: '/org/:orgId/resource', status: 502, message: 'Bad Gateway' })
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: docs })
  t.equal(res.status, 502)
  t.same(res.json, { data: null, success: false, error: true, message: 'Bad Gateway', status: 502, stack: null })
  t.equal(countDocs(emu), 0)
})

t.test('a reset-before fault leaves nothing behind', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'reset-before', method: 'PUT', route: '/org/:orgId/resource' })
  await t.rejects(call(emu, 'PUT', '/org/acme/resource', { body: docs }))
  t.equal(countDocs(emu), 0)
})

t.test('an apply-then-reset fault creates the object and resets the socket', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'apply-then-reset', route: '/org/:orgId/resource' })
  await t.rejects(call(emu, 'PUT', '/org/acme/resource', { body: docs }))
  t.equal(countDocs(emu), 1)
})

t.test('an apply-then-stall fault applies and holds the answer past the client timeout', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'apply-then-stall', route: '/org/:orgId/resource', delayMs: 60_000 })
  await t.rejects(call(emu, 'PUT', '/org/acme/resource', { body: docs, signal: AbortSignal.timeout(150) }))
  t.equal(countDocs(emu), 1)
})

t.test('closing the emulator does not wait for a stalled answer', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'apply-then-stall', route: '/org/:orgId/resource' })
  const pending = call(emu, 'PUT', '/org/acme/resource', { body: docs }).catch((err: unknown) => err)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = performance.now()
  await emu.close()
  t.ok(performance.now() - started < 2000)
  t.type(await pending, Error)
})

t.test('a rule on an alias template hits the main path too', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'status', route: '/org/:orgId/public-resource', status: 503 })
  t.equal((await call(emu, 'PUT', '/org/acme/resource', { body: docs })).status, 503)
})

t.test('a rule hits only as many times as it says', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'status', route: '/org/:orgId/sites', status: 500, times: 2 })
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await call(emu, 'GET', '/org/acme/sites')).status)
  t.same(statuses, [500, 500, 200])
})

t.test('a rule for another method does not hit', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'status', method: 'DELETE', route: '/resource/:resourceId', status: 500, times: Infinity })
  t.equal((await call(emu, 'GET', '/resource/1')).status, 200)
  emu.faults.clear()
  t.equal((await call(emu, 'DELETE', '/resource/1')).status, 200)
})

t.test('stats count requests by route template and by key', async (t) => {
  const emu = await build(t)
  emu.stats.reset()
  await call(emu, 'PUT', '/org/acme/resource', { body: docs })
  await call(emu, 'PUT', '/org/acme/public-resource', { body: docs })
  await call(emu, 'GET', '/', { key: null })
  t.equal(emu.stats.total, 3)
  t.equal(emu.stats.byRoute['PUT /org/:orgId/resource'], 2)
  t.equal(emu.stats.byKeyId.emuacme00000001, 2)
  t.equal(emu.stats.inFlight, 0)
})

t.test('stats record the most concurrent requests', async (t) => {
  const emu = await build(t)
  emu.faults.add({ kind: 'delay', route: '/org/:orgId/sites', delayMs: 100, times: 5 })
  emu.stats.reset()
  await Promise.all(Array.from({ length: 5 }, () => call(emu, 'GET', '/org/acme/sites')))
  t.equal(emu.stats.maxInFlight, 5)
})
