import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { createLogger } from '../../src/observability/logger.js'
import { createServices } from '../../src/services/index.js'
import { openDatabase } from '../../src/store/database.js'
import type { PangolinClient } from '../../src/upstream/types.js'

/** An app with one route that opts in to authentication; nothing here reaches Pangolin. */
async function build (t: Test) {
  const logger = createLogger({ level: 'silent' })
  const database = await openDatabase(':memory:')
  await database.migrate()
  const services = createServices({ database, pangolin: {} as PangolinClient, tokenSecret: 'k'.repeat(32), logger })
  const app = await buildApp({ services, logger, graphiql: false, introspection: false, ready: async () => ({}) })
  app.get('/v1/whoami', { config: { authenticate: true } }, async (request) => ({ clientId: request.principal?.clientId }))
  t.teardown(async () => { await app.close(); await database.close() })
  return { app, services }
}

t.test('a route that asks for a client gets the caller of a valid token', async (t) => {
  const { app, services } = await build(t)
  const { token, client } = await services.clients.create({ name: 'rest', orgs: '*', scopes: ['read'] })
  const response = await app.inject({ url: '/v1/whoami', headers: { authorization: `Bearer ${token}` } })
  t.same(response.json(), { clientId: client.id })
})

t.test('a route that asks for a client answers UNAUTHENTICATED as a JSON document with status 401', async (t) => {
  const { app } = await build(t)
  const response = await app.inject({ url: '/v1/whoami', headers: { authorization: 'Bearer pgw_nope' } })
  t.equal(response.statusCode, 401)
  t.same(response.json(), { code: 'UNAUTHENTICATED', message: 'A gateway token is required: Authorization: Bearer pgw_…' })
})

t.test('routes that do not ask for a client need no token', async (t) => {
  const { app } = await build(t)
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200)
})
