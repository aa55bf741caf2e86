import t from 'tap'
import * as schemas from '../../../src/transports/rest/schemas.js'
import { buildGateway } from '../../helpers/gateway.js'
import { restClient } from '../../helpers/rest.js'

const service = (overrides: Record<string, unknown> = {}) => ({
  name: 'Billing',
  domainId: 'domain1',
  subdomain: 'billing',
  targets: [{ siteNiceId: 'acme-hq', ip: '10.0.0.10', port: 8080 }],
  ...overrides
})

t.test('a call without a token is a 401 UNAUTHENTICATED problem', async (t) => {
  const gw = await buildGateway(t)
  const answer = await restClient(gw)('POST', '/api/v1/orgs/acme/sites', { name: 'x' })
  t.equal(answer.status, 401)
  t.match(answer.contentType, /^application\/problem\+json/)
  t.equal(answer.headers.get('www-authenticate'), 'Bearer')
  t.match(schemas.problem.parse(answer.body), { code: 'UNAUTHENTICATED', status: 401, type: '/api/docs#UNAUTHENTICATED' })
  t.equal(gw.emulator.stats.total, 0)
})

t.test('a client without the scope is a 403 FORBIDDEN problem before any upstream call', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['read']))
  gw.emulator.stats.reset()
  const answer = await rest('POST', '/api/v1/orgs/acme/http-services', service())
  t.equal(answer.status, 403)
  t.match(answer.contentType, /^application\/problem\+json/)
  t.match(answer.body, { code: 'FORBIDDEN', status: 403, requiredScope: 'provision', detail: 'This client lacks the "provision" scope.' })
  t.equal(gw.emulator.stats.total, 0)
})

t.test('a client of another org is a 403 FORBIDDEN problem before any upstream call', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision'], ['globex']))
  gw.emulator.stats.reset()
  for (const [path, body] of [
    ['/api/v1/orgs/acme/http-services', service()],
    ['/api/v1/orgs/acme/sites', { name: 'Sneaky' }]
  ] as const) {
    const answer = await rest('POST', path, body)
    t.equal(answer.status, 403, path)
    t.equal(answer.body.code, 'FORBIDDEN')
    t.equal(answer.body.detail, 'This client may not act in org "acme".')
  }
  t.equal(gw.emulator.stats.total, 0)
})

t.test('invalid input is a 400 problem naming the field, with the message GraphQL gives', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'])
  const input = service({ targets: [{ siteNiceId: 'acme-hq', ip: '10.0.0.10', port: 70000 }] })
  gw.emulator.stats.reset()

  const answer = await restClient(gw, token)('POST', '/api/v1/orgs/acme/http-services', input)
  t.equal(answer.status, 400)
  t.match(answer.contentType, /^application\/problem\+json/)
  t.equal(answer.body.code, 'BAD_USER_INPUT')
  t.equal(answer.body.field, 'targets[0].port')

  const graphql = await gw.graphql(token, 'mutation ($i: ProvisionHttpServiceInput!) { provisionHttpService(input: $i) { replayed } }', {
    i: { ...input, orgId: 'acme' }
  })
  t.equal(answer.body.detail, graphql.body.errors?.[0]?.message)
  t.equal(gw.emulator.stats.total, 0)
})

t.test('a path id that is not an integer is a 400 problem naming it', async (t) => {
  const gw = await buildGateway(t)
  const answer = await restClient(gw, await gw.token(['delete']))('DELETE', '/api/v1/sites/abc')
  t.equal(answer.status, 400)
  t.match(answer.body, { code: 'BAD_USER_INPUT', field: 'siteId', detail: 'siteId: must be an integer' })
})

t.test('an idempotency key or a path field in the body is refused, not ignored', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const key = await rest('POST', '/api/v1/orgs/acme/sites', { name: 'x', idempotencyKey: 'k' })
  t.equal(key.status, 400)
  t.match(key.body, { code: 'BAD_USER_INPUT', field: 'idempotencyKey', detail: /Idempotency-Key header/ })
  const org = await rest('POST', '/api/v1/orgs/acme/sites', { name: 'x', orgId: 'globex' })
  t.equal(org.status, 400)
  t.match(org.body, { code: 'BAD_USER_INPUT', field: 'orgId' })
})

t.test('a body that is not a JSON object is a 400 problem', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const malformed = await rest('POST', '/api/v1/orgs/acme/sites', '{"name":')
  t.equal(malformed.status, 400)
  t.match(malformed.contentType, /^application\/problem\+json/)
  t.equal(malformed.body.code, 'BAD_USER_INPUT')
  const list = await rest('POST', '/api/v1/orgs/acme/sites', [{ name: 'x' }])
  t.equal(list.status, 400)
  t.match(list.body, { code: 'BAD_USER_INPUT', detail: 'The request body must be a JSON object.' })
})

t.test('an existing fullDomain is a 409 CONFLICT problem with the existing resource id', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const grafana = gw.emulator.state.resources.find((r) => r.fullDomain === 'grafana.acme.test')!
  const answer = await rest('POST', '/api/v1/orgs/acme/http-services', service({ subdomain: 'grafana' }))
  t.equal(answer.status, 409)
  t.match(answer.body, { code: 'CONFLICT', existingResourceId: grafana.resourceId, title: 'Conflict' })
})

t.test('an unknown /api route is a 404 problem', async (t) => {
  const gw = await buildGateway(t)
  const answer = await restClient(gw)('GET', '/api/v1/nothing-here')
  t.equal(answer.status, 404)
  t.match(answer.contentType, /^application\/problem\+json/)
  t.equal(answer.body.code, 'NOT_FOUND')
})

t.test('an unexpected error is masked as a 500 problem with the request id; only the log has the cause', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  gw.gateway.services.operations.run = async () => { throw new Error('canary-7f3a internal detail') }

  const answer = await rest('POST', '/api/v1/orgs/acme/sites', { name: 'x' })
  t.equal(answer.status, 500)
  t.match(answer.contentType, /^application\/problem\+json/)
  t.same(answer.body, {
    type: '/api/docs#INTERNAL_SERVER_ERROR',
    title: 'Internal server error',
    status: 500,
    detail: 'Internal server error',
    code: 'INTERNAL_SERVER_ERROR',
    requestId: answer.body.requestId
  })
  t.notMatch(answer.text, 'canary-7f3a')
  const logged = gw.logs.filter((l) => l.includes('canary-7f3a')).map((l) => JSON.parse(l))
  t.ok(logged.some((l) => l.reqId === answer.body.requestId && l.level >= 50), 'logged at error under the request id')
})

t.test('a client over its rate limit gets a 429 RATE_LIMITED problem with Retry-After', async (t) => {
  const gw = await buildGateway(t, { env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '60000' } })
  const rest = restClient(gw, await gw.token(['read']))
  await rest('GET', '/api/v1/operations/x')
  await rest('GET', '/api/v1/operations/x')
  const answer = await rest('GET', '/api/v1/operations/x')
  t.equal(answer.status, 429)
  t.match(answer.contentType, /^application\/problem\+json/)
  t.match(answer.body, { code: 'RATE_LIMITED', status: 429, retryAfter: Number })
  t.equal(answer.headers.get('retry-after'), String(answer.body.retryAfter))
})
