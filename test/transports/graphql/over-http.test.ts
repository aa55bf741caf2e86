import t from 'tap'
import { serverAudits } from 'graphql-http'
import { buildGateway } from '../../helpers/gateway.js'

const GRAPHQL_RESPONSE = 'application/graphql-response+json'

t.test('the graphql-http server audits pass: every MUST, the counts printed', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  // A client of ours sends its token, and on GET the preflight header that the CSRF rule asks for.
  const authorizedFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${token}`)
    if ((init?.method ?? 'GET') === 'GET') headers.set('graphql-require-preflight', '1')
    return await fetch(input, { ...init, headers })
  }

  const results = await Promise.all(serverAudits({ url: `${gw.gateway.url}/graphql`, fetchFn: authorizedFetch })
    .map(async (audit) => await audit.fn()))
  const failed = results.filter((r) => r.status !== 'ok')
  const mandatory = failed.filter((r) => r.name.startsWith('MUST'))
  t.comment(`graphql-http audits: ${results.length - failed.length} passed, ${failed.length} failed (mandatory failed: ${mandatory.length})`)
  for (const r of failed) t.comment(`  ${r.status}: ${r.name}`)
  t.same(mandatory.map((r) => r.name), [], 'no MUST audit fails')
})

t.test('with application/graphql-response+json a parse error is 400 without data, in that media type', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const response = await fetch(`${gw.gateway.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: GRAPHQL_RESPONSE },
    body: JSON.stringify({ query: '{ viewer { name ' })
  })
  t.equal(response.status, 400)
  t.equal(response.headers.get('content-type'), `${GRAPHQL_RESPONSE}; charset=utf-8`)
  const body = await response.json() as Record<string, unknown>
  t.notOk('data' in body, 'a request that never executed has no data member')
  t.match(body, { errors: [{ message: /Syntax Error/, extensions: { code: 'BAD_USER_INPUT' } }] })
})

t.test('with application/graphql-response+json a field error is 200 with data', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'], ['acme'])
  const response = await fetch(`${gw.gateway.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: GRAPHQL_RESPONSE },
    body: JSON.stringify({ query: '{ viewer { name } org(orgId: "globex") { orgId } }' })
  })
  t.equal(response.status, 200)
  t.equal(response.headers.get('content-type'), `${GRAPHQL_RESPONSE}; charset=utf-8`)
  const body = await response.json() as { data: unknown, errors: Array<{ extensions: { code: string } }> }
  t.same(body.data, { viewer: { name: 'test-1' }, org: null })
  t.equal(body.errors[0]!.extensions.code, 'FORBIDDEN')
})

t.test('application/json stays the answer when Accept is missing or a wildcard', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  for (const accept of [undefined, '*/*', 'application/json']) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    if (accept !== undefined) headers.accept = accept
    const response = await fetch(`${gw.gateway.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) })
    t.equal(response.headers.get('content-type'), 'application/json; charset=utf-8', `accept ${accept}`)
    t.same(await response.json(), { data: { __typename: 'Query' } })
  }
})

t.test('an Accept header that allows neither JSON type is answered 406', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const response = await fetch(`${gw.gateway.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/html' },
    body: JSON.stringify({ query: '{ __typename }' })
  })
  t.equal(response.status, 406)
  t.equal(((await response.json()) as any).errors[0].extensions.code, 'BAD_USER_INPUT')
})

t.test('a query over GET is answered; a mutation over GET is 405 with Allow: POST and runs nothing', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read', 'admin'])
  const headers = { authorization: `Bearer ${token}`, 'graphql-require-preflight': '1' }

  const query = await fetch(`${gw.gateway.url}/graphql?query=${encodeURIComponent('{ viewer { name } }')}`, { headers })
  t.equal(query.status, 200)
  t.same(await query.json(), { data: { viewer: { name: 'test-1' } } })

  const mutation = 'mutation { createClient(input: { name: "x", orgs: ["acme"], scopes: [READ] }) { token } }'
  const refused = await fetch(`${gw.gateway.url}/graphql?query=${encodeURIComponent(mutation)}`, { headers })
  t.equal(refused.status, 405)
  t.equal(refused.headers.get('allow'), 'POST')
  const body = await refused.json() as any
  t.equal(body.errors[0].extensions.code, 'BAD_USER_INPUT')
  t.same((await gw.gateway.services.clients.list()).map((c) => c.name), ['test-1'], 'no client was created')
})

t.test('null operationName, variables and extensions are accepted as absent', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  const response = await fetch(`${gw.gateway.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }', operationName: null, variables: null, extensions: null })
  })
  t.equal(response.status, 200)
  t.same(await response.json(), { data: { __typename: 'Query' } })
})
