import { randomBytes } from 'node:crypto'
import t from 'tap'
import { buildApp } from '../../../src/app.js'
import { createLogger } from '../../../src/observability/logger.js'
import { createServices } from '../../../src/services/index.js'
import { openDatabase } from '../../../src/store/database.js'
import type { PangolinClient } from '../../../src/upstream/types.js'
import { Writable } from 'node:stream'

// A fake only for masking: nothing crosses a socket here.
/** A client whose every call fails the way a bug would, with details no caller should see. */
const broken = new Proxy({}, {
  get: () => async () => { throw new TypeError('cannot read x of undefined at /srv/secret/path.ts:12') }
}) as PangolinClient

/** An app around the broken client, on an in-memory store; its log lines are kept. */
async function buildBrokenApp (t: { teardown: (fn: () => unknown) => void }, introspection: boolean) {
  const logs: string[] = []
  const logger = createLogger({
    level: 'info',
    destination: new Writable({ write (c, _e, cb) { logs.push(String(c)); cb() } })
  })
  const database = await openDatabase(':memory:')
  await database.migrate()
  const services = createServices({ database, pangolin: broken, tokenSecret: randomBytes(32).toString('hex'), logger })
  const app = await buildApp({ services, logger, graphiql: false, introspection, ready: async () => ({}) })
  t.teardown(async () => { await app.close(); await database.close() })
  const { token } = await services.clients.create({ name: 'x', orgs: '*', scopes: ['read'] })
  return { app, logs, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }
}

t.test('an unexpected error is masked as INTERNAL_SERVER_ERROR with the request id, and logged', async (t) => {
  const { app, logs, headers } = await buildBrokenApp(t, true)

  const response = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers,
    payload: { query: '{ org(orgId: "acme") { roles { name } } }' }
  })
  const body = response.json()
  t.same(body, {
    data: { org: null },
    errors: [{
      message: 'Internal server error',
      locations: [{ line: 1, column: 24 }],
      path: ['org', 'roles'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: body.errors[0].extensions.requestId }
    }]
  })
  t.type(body.errors[0].extensions.requestId, 'string')
  t.notMatch(response.body, /secret\/path/)
  const logged = logs.map((l) => JSON.parse(l)).find((l) => l.err?.message?.includes('secret/path'))
  t.ok(logged, 'the cause is in the log')
  t.equal(logged.reqId, body.errors[0].extensions.requestId)
})

t.test('a syntax error names the problem and is BAD_USER_INPUT', async (t) => {
  const { app, headers } = await buildBrokenApp(t, false)

  const syntax = await app.inject({ method: 'POST', url: '/graphql', headers, payload: { query: '{ viewer { name ' } })
  t.equal(syntax.statusCode, 400)
  t.match(syntax.json().errors[0], { message: /Syntax Error/, extensions: { code: 'BAD_USER_INPUT' } })

  const introspection = await app.inject({ method: 'POST', url: '/graphql', headers, payload: { query: '{ __schema { types { name } } }' } })
  t.equal(introspection.statusCode, 400, introspection.body)
  t.match(introspection.json().errors[0].message, /introspection/i)
})

t.test('a malformed JSON body is BAD_USER_INPUT with status 400, not a 500', async (t) => {
  const { app, headers } = await buildBrokenApp(t, false)
  const response = await app.inject({ method: 'POST', url: '/graphql', headers, payload: '{bad' })
  t.equal(response.statusCode, 400)
  t.equal(response.json().errors[0].extensions.code, 'BAD_USER_INPUT')
})
