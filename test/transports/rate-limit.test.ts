import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { ConfigError, loadConfig } from '../../src/config/index.js'
import { createLogger } from '../../src/observability/logger.js'
import { createServices } from '../../src/services/index.js'
import { openDatabase } from '../../src/store/database.js'
import type { PangolinClient } from '../../src/upstream/types.js'
import { buildGateway, type TestGateway } from '../helpers/gateway.js'

const VIEWER = '{ viewer { name } }'

async function post (gw: TestGateway, token: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${gw.gateway.url}/graphql`, {
    method: 'POST', headers, body: JSON.stringify({ query: VIEWER })
  })
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() as any }
}

async function limited (t: Test, max: number, windowMs = 60_000) {
  return await buildGateway(t, { env: { RATE_LIMIT_MAX: String(max), RATE_LIMIT_WINDOW_MS: String(windowMs) } })
}

t.test('the limits default to 600 requests a minute and are read from the environment', async (t) => {
  const base = { GATEWAY_TOKEN_SECRET: 'x'.repeat(32) }
  t.same(loadConfig(base).rateLimit, { max: 600, windowMs: 60_000 })
  t.same(loadConfig({ ...base, RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '1000' }).rateLimit, { max: 5, windowMs: 1000 })
  t.throws(() => loadConfig({ ...base, RATE_LIMIT_MAX: '0' }), new ConfigError('RATE_LIMIT_MAX must be at least 1.'))
  t.throws(() => loadConfig({ ...base, RATE_LIMIT_WINDOW_MS: 'soon' }),
    new ConfigError('RATE_LIMIT_WINDOW_MS must be a whole number between 1000 and 86400000.'))
})

t.test('a client over its limit gets RATE_LIMITED with status 429 and a retry hint', async (t) => {
  const gw = await limited(t, 3)
  const token = await gw.token(['read'])
  for (let i = 0; i < 3; i++) t.equal((await post(gw, token)).status, 200, `request ${i + 1} passes`)

  const refused = await post(gw, token)
  t.equal(refused.status, 429)
  const retryAfter = Number(refused.retryAfter)
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After is ${refused.retryAfter}`)
  t.same(refused.body, {
    data: null,
    errors: [{ message: `Too many requests; retry in ${retryAfter} s.`, extensions: { code: 'RATE_LIMITED', retryAfter } }]
  })
  t.ok(gw.logs.some((l) => JSON.parse(l).msg === 'rate limited'), 'the refusal is logged')
})

t.test('each client has its own budget', async (t) => {
  const gw = await limited(t, 2)
  const greedy = await gw.token(['read'])
  const quiet = await gw.token(['read'])
  for (let i = 0; i < 3; i++) await post(gw, greedy)
  t.equal((await post(gw, greedy)).status, 429)
  t.equal((await post(gw, quiet)).status, 200)
})

t.test('requests without a valid token are limited by IP', async (t) => {
  const gw = await limited(t, 2)
  t.equal((await post(gw, undefined)).status, 401)
  t.equal((await post(gw, 'pgw_nope')).status, 401)
  const refused = await post(gw, `pgw_${'A'.repeat(43)}`)
  t.equal(refused.status, 429)
  t.equal(refused.body.errors[0].extensions.code, 'RATE_LIMITED')
})

t.test('a route outside GraphQL answers RATE_LIMITED as a JSON document', async (t) => {
  const logger = createLogger({ level: 'silent' })
  const database = await openDatabase(':memory:')
  await database.migrate()
  // Nothing here reaches Pangolin: the route under test answers from the principal alone.
  const services = createServices({ database, pangolin: {} as PangolinClient, tokenSecret: 'k'.repeat(32), logger })
  const app = await buildApp({
    services, logger, graphiql: false, introspection: false, ready: async () => ({}), rateLimit: { max: 1, windowMs: 60_000 }
  })
  app.get('/v1/whoami', { config: { authenticate: true } }, async (request) => ({ clientId: request.principal?.clientId }))
  t.teardown(async () => { await app.close(); await database.close() })
  const { token, client } = await services.clients.create({ name: 'rest', orgs: '*', scopes: ['read'] })
  const get = async () => await app.inject({ url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } })

  t.same((await get()).json(), { clientId: client.id })
  const refused = await get()
  t.equal(refused.statusCode, 429)
  const retryAfter = Number(refused.headers['retry-after'])
  t.same(refused.json(), { code: 'RATE_LIMITED', message: `Too many requests; retry in ${retryAfter} s.`, retryAfter })
})

t.test('health and readiness probes are never limited', async (t) => {
  const gw = await limited(t, 1)
  const statuses = []
  for (let i = 0; i < 4; i++) {
    statuses.push((await fetch(`${gw.gateway.url}/healthz`)).status, (await fetch(`${gw.gateway.url}/readyz`)).status)
  }
  t.same(statuses, Array(8).fill(200))
})

t.test('the budget comes back when the window ends', async (t) => {
  const gw = await limited(t, 1, 1000)
  const token = await gw.token(['read'])
  t.equal((await post(gw, token)).status, 200)
  t.equal((await post(gw, token)).status, 429)
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await post(gw, token)).status, 200)
})
