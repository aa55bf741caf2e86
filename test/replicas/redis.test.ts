import { createServer } from 'node:net'
import { spawn } from 'node:child_process'
import t from 'tap'
import { graphqlAt } from '../helpers/process.js'
import { cluster, REDIS_URL, redisPrefix, spread } from '../helpers/replicas.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function readyz (url: string) {
  const response = await fetch(`${url}/readyz`)
  return { status: response.status, body: await response.json() as any }
}

/** A loopback port nobody listens on (for now). */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

t.test('rate limits hold across two replicas sharing Redis', async (t) => {
  const c = await cluster(t, { REDIS_URL, REDIS_KEY_PREFIX: redisPrefix(t), RATE_LIMIT_MAX: '20' })
  const replicas = [await c.start(), await c.start()]

  const answers = await spread(replicas, 60, (url) => graphqlAt(url, c.token, '{ viewer { name } }'))
  const admitted = answers.filter((a) => a.status === 200).length
  const refused = answers.filter((a) => a.status === 429).length
  const perReplica = replicas.map((_, r) => answers.filter((a, i) => i % 2 === r && a.status === 200).length)

  t.ok(admitted <= 20, `admitted ${admitted} of 60, limit 20`)
  t.ok(admitted > 0, 'some requests pass')
  t.equal(admitted + refused, 60, 'the others are refused with 429')
  t.comment(`replicas, rate limit: 60 requests over 2 replicas, RATE_LIMIT_MAX=20 -> admitted ${admitted} (${perReplica.join(' + ')}), refused ${refused}`)
})

t.test('the upstream in-flight cap holds across two replicas sharing Redis', async (t) => {
  const c = await cluster(t, {
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix(t),
    PANGOLIN_MAX_IN_FLIGHT: '4',
    PANGOLIN_MAX_IN_FLIGHT_GLOBAL: '4',
    PANGOLIN_QUEUE_TIMEOUT_MS: '20000'
  })
  const replicas = [await c.start(), await c.start()]
  const siteIds = c.emulator.state.sites.filter((s) => s.orgId === 'acme').map((s) => s.siteId)
  // A delay rule, not latencyMs: the emulator counts a request in flight after latencyMs.
  c.emulator.faults.add({ method: 'GET', route: '/site/:siteId', kind: 'delay', delayMs: 100, times: Infinity })
  c.emulator.stats.reset()

  const started = Date.now()
  const answers = await spread(replicas, 40, (url, i) =>
    graphqlAt(url, c.token, 'query ($id: Int!) { site(siteId: $id) { siteId } }', { id: siteIds[i % siteIds.length] }))
  const elapsedMs = Date.now() - started
  const ok = answers.filter((a) => a.status === 200 && a.body.errors === undefined).length
  const maxInFlight = c.emulator.stats.maxInFlight

  t.equal(ok, 40, 'every query is answered')
  t.ok(maxInFlight <= 4, `at most 4 calls in flight at Pangolin (${maxInFlight})`)
  t.ok(maxInFlight >= 3, 'the cap was reached, so the test measured something')
  t.comment(`replicas, upstream cap: 40 queries over 2 replicas (4 local slots each), PANGOLIN_MAX_IN_FLIGHT_GLOBAL=4, 100 ms per call -> emulator maxInFlight ${maxInFlight}, ${elapsedMs} ms`)
})

t.test('with Redis unreachable a replica serves with per-process limits, warns, and is ready but degraded', async (t) => {
  const port = await freePort()
  const c = await cluster(t, { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: redisPrefix(t), RATE_LIMIT_MAX: '3', PANGOLIN_MAX_IN_FLIGHT_GLOBAL: '2' })
  const gateway = await c.start()

  const site = await graphqlAt(gateway.url, c.token, 'query ($id: Int!) { site(siteId: $id) { siteId } }', { id: c.emulator.state.sites.find((s) => s.orgId === 'acme')!.siteId })
  t.equal(site.body.errors, undefined, 'upstream calls go ahead under the local limiter')
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await graphqlAt(gateway.url, c.token, '{ viewer { name } }')).status)
  t.same(statuses, [200, 200, 429], 'the per-process limit still applies (the query above counted too)')
  const warning = gateway.lines.map((l) => JSON.parse(l)).find((l) => l.level === 40 && /redis unreachable/.test(l.msg))
  t.ok(warning, 'a warning is logged')
  const degraded = await readyz(gateway.url)
  t.equal(degraded.status, 200)
  t.same(degraded.body, { status: 'degraded', checks: { store: 'ok', pangolin: 'ok', redis: 'degraded' } })

  // Redis comes up on that port: the replica reconnects on its own.
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  t.teardown(() => { redis.kill('SIGTERM') })
  let recovered = await readyz(gateway.url)
  for (let n = 0; n < 60 && recovered.body.checks.redis !== 'ok'; n++) {
    await sleep(100)
    recovered = await readyz(gateway.url)
  }
  t.same(recovered.body, { status: 'ready', checks: { store: 'ok', pangolin: 'ok', redis: 'ok' } }, 'ready again once Redis is back')
  t.ok(gateway.lines.some((l) => /redis reachable again/.test(l)), 'the recovery is logged')
  t.comment(`replicas, Redis down: requests ${statuses.join(',')}; /readyz ${degraded.status} ${JSON.stringify(degraded.body)}; warning "${warning?.msg}"; after Redis came back: ${JSON.stringify(recovered.body)}`)
})
