import t from 'tap'
import { GatewayError } from '../../src/errors.js'
import { CircuitBreaker } from '../../src/upstream/circuit-breaker.js'
import { RetryBudget } from '../../src/upstream/retry-budget.js'
import { buildClient } from './helpers/build-client.js'
import { envelope, pangolinError, startScriptedServer } from './helpers/scripted-server.js'

const roles = { roles: [{ roleId: 1, name: 'Admin', description: null, isAdmin: true }], pagination: { total: 1, page: 1, pageSize: 1000 } }

t.test('the retry budget stops a retry storm at the configured ratio', async (t) => {
  const s = await startScriptedServer(() => pangolinError(500, 'An error occurred'))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, {
    breaker: { failureThreshold: 1_000_000 },
    budget: { ratio: 0.2, windowMs: 60_000, minRetriesPerWindow: 3 }
  })
  const calls = 100

  const results = await Promise.allSettled(Array.from({ length: calls }, () => client.listRoles('acme')))

  t.ok(results.every((r) => r.status === 'rejected'))
  const retries = s.received.length - calls
  t.ok(retries <= Math.max(3, calls * 0.2), `retries ${retries} stay within 20% of ${calls} calls`)
  t.ok(retries > 0, 'some retries still happen')
})

t.test('the retry budget lets a quiet system retry up to its floor', async (t) => {
  const budget = new RetryBudget({ ratio: 0.2, windowMs: 1000, minRetriesPerWindow: 2 })
  budget.recordCall()

  t.equal(budget.tryRetry(), true)
  t.equal(budget.tryRetry(), true)
  t.equal(budget.tryRetry(), false)
})

t.test('the retry budget forgets calls that left the window', async (t) => {
  let now = 0
  const budget = new RetryBudget({ ratio: 0.5, windowMs: 1000, minRetriesPerWindow: 0, now: () => now })
  for (let i = 0; i < 10; i++) budget.recordCall()
  for (let i = 0; i < 5; i++) t.equal(budget.tryRetry(), true)
  t.equal(budget.tryRetry(), false)

  now = 1500
  budget.recordCall()
  budget.recordCall()

  t.equal(budget.tryRetry(), true)
  t.equal(budget.tryRetry(), false)
})

t.test('the breaker opens after consecutive outages, fails fast, and closes after a good probe', async (t) => {
  let down = true
  const s = await startScriptedServer(() => down ? pangolinError(503, 'Service Unavailable') : envelope(roles))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, { retry: { attempts: 1 }, breaker: { failureThreshold: 3, resetMs: 150 } })

  for (let i = 0; i < 3; i++) await client.listRoles('acme').catch(() => {})
  t.equal(client.stats().breakerState, 'open')

  const err = await client.listRoles('acme').catch((e: unknown) => e) as GatewayError
  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(err.extensions.reason, 'circuit-open')
  t.equal(s.received.length, 3, 'no request sent while open')

  down = false
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(client.stats().breakerState, 'half-open')
  const list = await client.listRoles('acme')

  t.equal(list.length, 1)
  t.equal(client.stats().breakerState, 'closed')
})

t.test('a failed half-open probe opens the breaker again', async (t) => {
  let now = 0
  const breaker = new CircuitBreaker({ failureThreshold: 2, resetMs: 100, now: () => now })
  breaker.onOutage()
  breaker.onOutage()
  t.equal(breaker.state, 'open')

  now = 150
  t.equal(breaker.allow(), true, 'one probe passes')
  t.equal(breaker.allow(), false, 'a second caller waits for the probe')
  breaker.onOutage()

  t.equal(breaker.state, 'open')
  t.equal(breaker.allow(), false)
})

t.test('4xx answers do not open the breaker', async (t) => {
  const s = await startScriptedServer(() => pangolinError(404, 'Resource with ID 1 not found'))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, { breaker: { failureThreshold: 2, resetMs: 10_000 } })

  for (let i = 0; i < 5; i++) await client.getResource(1).catch(() => {})

  t.equal(client.stats().breakerState, 'closed')
  t.equal(s.received.length, 5)
})

t.test('the concurrency cap holds at the server', async (t) => {
  const s = await startScriptedServer(() => ({ ...envelope(roles), delayMs: 20 }))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, { maxInFlight: 4 })

  await Promise.all(Array.from({ length: 40 }, () => client.listRoles('acme')))

  t.equal(s.received.length, 40)
  t.equal(s.maxInFlight, 4)
  t.same(client.stats(), { inFlight: 0, queued: 0, breakerState: 'closed' })
})

t.test('a call that waits too long for a slot fails with UPSTREAM_UNAVAILABLE', async (t) => {
  const s = await startScriptedServer(() => ({ ...envelope(roles), delayMs: 300 }))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, { maxInFlight: 1, queueTimeoutMs: 50 })

  const first = client.listRoles('acme')
  const second = await client.listRoles('acme').catch((e: unknown) => e) as GatewayError

  t.equal(second.code, 'UPSTREAM_UNAVAILABLE')
  t.match(second.message, /queue is timed out/)
  t.equal((await first).length, 1)
  t.equal(s.received.length, 1)
})

t.test('waiting calls are served in the order they came', async (t) => {
  const order: number[] = []
  const s = await startScriptedServer((n) => ({ ...envelope({ ...roles, roles: [{ roleId: n + 1, name: `r${n}`, description: null, isAdmin: false }] }), delayMs: 5 }))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, { maxInFlight: 1 })

  await Promise.all([0, 1, 2, 3].map(async (i) => {
    await client.listRoles('acme')
    order.push(i)
  }))

  t.same(order, [0, 1, 2, 3])
})

t.test('a call aborted while it waits for a slot leaves the queue', async (t) => {
  const s = await startScriptedServer(() => ({ ...envelope(roles), delayMs: 100 }))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, { maxInFlight: 1 })
  const controller = new AbortController()

  const first = client.listRoles('acme')
  const second = client.listRoles('acme', { signal: controller.signal }).catch((e: unknown) => e)
  controller.abort(new Error('caller gave up'))

  t.match(await second, { message: 'caller gave up' })
  t.equal(client.stats().queued, 0)
  await first
  t.equal(s.received.length, 1)
})
