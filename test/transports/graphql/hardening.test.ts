import t from 'tap'
import { loadConfig } from '../../../src/config/index.js'
import { buildGateway, type TestGateway } from '../../helpers/gateway.js'

async function post (gw: TestGateway, token: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gw.gateway.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) }
}

t.test('each limit answers QUERY_TOO_COMPLEX with status 400 and names the limit', async (t) => {
  const gw = await buildGateway(t, {
    env: { GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '2', GRAPHQL_MAX_TOKENS: '60', GRAPHQL_MAX_COST: '20' }
  })
  const token = await gw.token(['read'])
  const cases: Record<string, string> = {
    depth: '{ org(orgId: "acme") { sites { items { name } } } }',
    aliases: '{ a: viewer { name } b: viewer { name } c: viewer { name } }',
    tokens: `{ ${Array.from({ length: 80 }, () => '__typename').join(' ')} }`,
    cost: '{ org(orgId: "acme") { roles { roleId name description isAdmin } users { userId email username name } } }'
  }
  const messages: Record<string, RegExp> = {
    depth: /Query depth limit of 3 exceeded/,
    aliases: /Aliases limit of 2 exceeded/,
    tokens: /Document contains more th(?:an|at) 60 tokens/,
    cost: /Query Cost limit of 20 exceeded/
  }
  for (const [limit, query] of Object.entries(cases)) {
    const { status, body } = await post(gw, token, { query })
    t.equal(status, 400, limit)
    t.equal(body.errors.length, 1, limit)
    t.match(body.errors[0], { message: messages[limit], extensions: { code: 'QUERY_TOO_COMPLEX' } }, limit)
    t.equal(body.data, null, limit)
  }

  const within = await post(gw, token, { query: '{ a: __typename b: __typename viewer { name } }' })
  t.same(within.body, { data: { a: 'Query', b: 'Query', viewer: { name: 'test-1' } } })
})

t.test('the default limits let the introspection query through and stop a deep query', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const deep = `{ org(orgId: "acme") { ${'sites { items { resources { targets { site { '.repeat(3)}name${' } } } } }'.repeat(3)} } }`
  const { status, body } = await post(gw, token, { query: deep })
  t.equal(status, 400)
  t.match(body.errors[0], { message: /depth limit of 12/, extensions: { code: 'QUERY_TOO_COMPLEX' } })
})

t.test('the limits come from the environment and are checked at start', async (t) => {
  const config = loadConfig({ GRAPHQL_MAX_DEPTH: '7', GRAPHQL_MAX_ALIASES: '5', GRAPHQL_MAX_TOKENS: '900', GRAPHQL_MAX_COST: '100', BODY_LIMIT_BYTES: '2048', GRAPHQL_BATCHING: 'true' })
  t.same(config.graphqlLimits, { maxDepth: 7, maxAliases: 5, maxTokens: 900, maxCost: 100 })
  t.equal(config.bodyLimitBytes, 2048)
  t.equal(config.graphqlBatching, true)
  const defaults = loadConfig({})
  t.same(defaults.graphqlLimits, { maxDepth: 12, maxAliases: 30, maxTokens: 2000, maxCost: 5000 })
  t.equal(defaults.bodyLimitBytes, 1024 * 1024)
  t.equal(defaults.graphqlBatching, false)
  t.throws(() => loadConfig({ GRAPHQL_MAX_DEPTH: '0' }), { message: 'GRAPHQL_MAX_DEPTH must be at least 1.' })
  t.throws(() => loadConfig({ BODY_LIMIT_BYTES: 'lots' }), { message: /^BODY_LIMIT_BYTES must be a whole number/ })
})

t.test('POST requests a browser could send cross-site without a preflight are refused', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['admin', 'read'])
  const mutation = JSON.stringify({ query: 'mutation { createClient(input: { name: "csrf", orgs: ["acme"], scopes: [READ] }) { token } }' })
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const { status, body } = await post(gw, token, mutation, { 'content-type': type })
    t.equal(status, 400, type)
    t.match(body.errors[0], { message: /Cross-Site Request Forgery/, extensions: { code: 'BAD_USER_INPUT' } }, type)
  }
  t.same((await gw.gateway.services.clients.list()).map((c) => c.name), ['test-1'], 'nothing was created')
})

t.test('a GET needs a header that forces a preflight', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const url = `${gw.gateway.url}/graphql?query=${encodeURIComponent('{ viewer { name } }')}`
  const plain = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  t.equal(plain.status, 400)
  t.match(await plain.json(), { errors: [{ message: /Cross-Site Request Forgery/ }] })
  for (const header of ['graphql-require-preflight', 'apollo-require-preflight', 'x-requested-with']) {
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}`, [header]: '1' } })
    t.equal(ok.status, 200, header)
  }
})

t.test('a body over BODY_LIMIT_BYTES is answered 413', async (t) => {
  const gw = await buildGateway(t, { env: { BODY_LIMIT_BYTES: '2048' } })
  const token = await gw.token(['read'])
  const small = await post(gw, token, { query: '{ __typename }' })
  t.equal(small.status, 200)
  const big = await post(gw, token, { query: `{ __typename } # ${'x'.repeat(4096)}` })
  t.equal(big.status, 413)
  t.equal(big.body.errors[0].extensions.code, 'BAD_USER_INPUT')
})

t.test('batched queries are refused unless GRAPHQL_BATCHING is true', async (t) => {
  const off = await buildGateway(t)
  const offToken = await off.token(['read'])
  const refused = await post(off, offToken, [{ query: '{ __typename }' }, { query: '{ viewer { name } }' }])
  t.equal(refused.status, 400)
  t.equal(refused.body.errors[0].extensions.code, 'BAD_USER_INPUT')

  const on = await buildGateway(t, { env: { GRAPHQL_BATCHING: 'true' } })
  const onToken = await on.token(['read'])
  const batched = await post(on, onToken, [{ query: '{ __typename }' }, { query: '{ viewer { name } }' }])
  t.equal(batched.status, 200)
  t.same(batched.body, [{ data: { __typename: 'Query' } }, { data: { viewer: { name: 'test-1' } } }])
})

t.test('introspection and GraphiQL are off in production and can be switched', async (t) => {
  const prod = await buildGateway(t, { env: { NODE_ENV: 'production' } })
  const token = await prod.token(['read'])
  const introspection = await post(prod, token, { query: '{ __schema { queryType { name } } }' })
  t.equal(introspection.status, 400)
  t.match(introspection.body.errors[0].message, /introspection/i)
  t.equal((await fetch(`${prod.gateway.url}/graphiql`)).status, 404)

  const dev = await buildGateway(t, { env: { NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: 'true' } })
  const devToken = await dev.token(['read'])
  const allowed = await post(dev, devToken, { query: '{ __schema { queryType { name } } }' })
  t.same(allowed.body, { data: { __schema: { queryType: { name: 'Query' } } } })
  const page = await fetch(`${dev.gateway.url}/graphiql`)
  t.equal(page.status, 200)
  t.match(await page.text(), /GraphiQL/)
})

t.test('security headers: a strict policy for the API, one that lets GraphiQL run where enabled', async (t) => {
  const prod = await buildGateway(t, { env: { NODE_ENV: 'production' } })
  const api = await fetch(`${prod.gateway.url}/healthz`)
  t.equal(api.headers.get('x-content-type-options'), 'nosniff')
  t.equal(api.headers.get('x-frame-options'), 'SAMEORIGIN')
  t.match(api.headers.get('strict-transport-security'), /max-age=\d+/)
  t.match(api.headers.get('content-security-policy'), /default-src 'none'/)
  t.match(api.headers.get('content-security-policy'), /frame-ancestors 'none'/)
  t.equal(api.headers.get('cache-control'), 'no-store')

  const dev = await buildGateway(t, { env: { GRAPHIQL: 'true' } })
  const page = await fetch(`${dev.gateway.url}/graphiql`)
  const csp = page.headers.get('content-security-policy') ?? ''
  t.match(csp, /script-src 'self' https:\/\/unpkg\.com/)
  t.notMatch(csp, /unsafe-eval/)
})
