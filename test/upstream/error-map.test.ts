import t, { type Test } from 'tap'
import { GatewayError, type ErrorCode } from '../../src/errors.js'
import { buildClient, CANARY, CANARY_SECRET, LEVEL } from './helpers/build-client.js'
import { pangolinError, startScriptedServer, type Reply } from './helpers/scripted-server.js'

async function failWith (t: Test, reply: Reply, timeoutMs = 2000) {
  const s = await startScriptedServer(() => reply)
  t.teardown(() => s.close())
  const built = buildClient(t, s.url, { timeoutMs, retry: { attempts: 1 } })
  const err = await built.client.listRoles('acme').catch((e: unknown) => e)
  t.ok(err instanceof GatewayError, 'a GatewayError')
  const gw = err as GatewayError
  t.notMatch(gw.message, CANARY_SECRET, 'no key in the message')
  t.notMatch(JSON.stringify(gw.extensions), CANARY_SECRET, 'no key in the extensions')
  return { err: gw, logs: built.logs }
}

const cases: Array<[string, Reply, ErrorCode, string | RegExp]> = [
  ['an upstream 400', pangolinError(400, 'Validation error: Unrecognized key: "foo"'), 'UPSTREAM_REJECTED', 'Validation error: Unrecognized key: "foo"'],
  ['an upstream 402', pangolinError(402, 'Plan limit reached'), 'UPSTREAM_REJECTED', 'Plan limit reached'],
  ['an upstream 403 that is not about the key', pangolinError(403, 'Wildcard subdomains are not supported on your current plan. Please upgrade to access this feature.'), 'UPSTREAM_REJECTED', /Wildcard subdomains/],
  ['an upstream 404 with a JSON envelope', pangolinError(404, 'Resource with ID 9 not found'), 'NOT_FOUND', 'Resource with ID 9 not found'],
  ['an upstream 409', pangolinError(409, 'Resource with that domain already exists'), 'CONFLICT', 'Resource with that domain already exists'],
  ['an upstream 429', pangolinError(429, 'Too many concurrent rebuild operations for this organization. Please retry after a moment.'), 'UPSTREAM_RATE_LIMITED', /rate limiting/],
  ['an upstream 500', pangolinError(500, 'An error occurred'), 'UPSTREAM_UNAVAILABLE', /HTTP 500/],
  ['an upstream 502', { status: 502, html: '<html>bad gateway</html>' }, 'UPSTREAM_UNAVAILABLE', /HTTP 502/],
  ['an upstream 503', pangolinError(503, 'Service Unavailable'), 'UPSTREAM_UNAVAILABLE', /HTTP 503/],
  ['an upstream 504', pangolinError(504, 'Gateway Timeout'), 'UPSTREAM_UNAVAILABLE', /HTTP 504/],
  ['a connection reset by Pangolin', { destroy: true }, 'UPSTREAM_UNAVAILABLE', /could not be reached/]
]

for (const [name, reply, code, message] of cases) {
  t.test(`${name} maps to ${code}`, async (t) => {
    const { err } = await failWith(t, reply)

    t.equal(err.code, code)
    t.match(err.message, message)
    t.equal(err.extensions.upstreamRoute, 'GET /org/:orgId/roles')
  })
}

t.test('an upstream 401 maps to UPSTREAM_CREDENTIALS without detail and logs at error', async (t) => {
  const { err, logs } = await failWith(t, pangolinError(401, 'Invalid API key'))

  t.equal(err.code, 'UPSTREAM_CREDENTIALS')
  t.notMatch(err.message, 'Invalid API key')
  t.ok(logs().some((l) => l.level === LEVEL.error && l.msg === 'pangolin refused the gateway key'))
})

t.test('an upstream 403 about the key maps to UPSTREAM_CREDENTIALS', async (t) => {
  const { err, logs } = await failWith(t, pangolinError(403, 'Key does not have permission perform this action'))

  t.equal(err.code, 'UPSTREAM_CREDENTIALS')
  t.notMatch(err.message, 'permission')
  t.ok(logs().some((l) => l.level === LEVEL.error))
})

t.test('an upstream HTML 404 maps to UPSTREAM_UNAVAILABLE with an operator log line', async (t) => {
  const { err, logs } = await failWith(t, { status: 404, html: '<pre>Cannot GET /v1/org/acme/roles</pre>' })

  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(err.extensions.reason, 'unknown-route')
  t.ok(logs().some((l) => l.level === LEVEL.error && /PANGOLIN_URL/.test(l.msg)))
})

t.test('an upstream that stalls past the timeout maps to UPSTREAM_UNAVAILABLE', async (t) => {
  const { err } = await failWith(t, { stall: true }, 100)

  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(err.extensions.reason, 'timeout')
})

t.test('a 2xx body that does not match the route schema maps to UPSTREAM_UNAVAILABLE', async (t) => {
  const { err } = await failWith(t, { status: 200, json: { data: { roles: [{ nope: 1 }] }, success: true, error: false, message: 'ok', status: 200 } })

  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(err.extensions.reason, 'invalid-response')
})

t.test('an upstream message that echoes the key is scrubbed before it is passed on', async (t) => {
  const { err } = await failWith(t, pangolinError(400, `bad header Bearer ${CANARY}`))

  t.equal(err.code, 'UPSTREAM_REJECTED')
  t.match(err.message, '[redacted]')
})
