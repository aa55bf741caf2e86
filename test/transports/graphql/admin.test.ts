import t from 'tap'
import { buildGateway, type TestGateway } from '../../helpers/gateway.js'

const CREATE = `mutation ($input: CreateClientInput!) {
  createClient(input: $input) { token client { id name orgs allOrgs scopes revokedAt } }
}`
const REVOKE = 'mutation ($id: ID!) { revokeClient(id: $id) { id revokedAt } }'
const AUDIT = `query ($clientId: ID, $first: Int, $after: String) {
  auditEvents(clientId: $clientId, first: $first, after: $after) {
    nodes { id at clientId clientName orgId kind input outcome errorCode requestId pangolinIds }
    endCursor
    hasNextPage
  }
}`

async function createViaApi (gw: TestGateway, admin: string, name: string) {
  const { body } = await gw.graphql(admin, CREATE, { input: { name, orgs: ['acme'], scopes: ['READ'] } })
  return body.data.createClient as { token: string, client: { id: string } }
}

t.test('an admin client creates a client over GraphQL, and the new token works', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'])
  const { status, body } = await gw.graphql(admin, CREATE, { input: { name: 'portal', orgs: ['acme', 'globex'], scopes: ['READ', 'PROVISION'] } })
  t.equal(status, 200)
  const { token, client } = body.data.createClient
  t.match(token, /^pgw_[0-9A-Za-z]{43}$/)
  t.same(client, { id: client.id, name: 'portal', orgs: ['acme', 'globex'], allOrgs: false, scopes: ['READ', 'PROVISION'], revokedAt: null })
  t.same((await gw.graphql(token, '{ viewer { clientId name } }')).body, { data: { viewer: { clientId: client.id, name: 'portal' } } })
})

t.test('an admin client revokes a client over GraphQL, and its token is refused on the next request', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'])
  const { token, client } = await createViaApi(gw, admin, 'portal')
  t.equal((await gw.graphql(token, '{ viewer { name } }')).status, 200)

  const { body } = await gw.graphql(admin, REVOKE, { id: client.id })
  t.equal(body.data.revokeClient.id, client.id)
  t.match(body.data.revokeClient.revokedAt, /^\d{4}-\d\d-\d\dT/)
  const refused = await gw.graphql(token, '{ viewer { name } }')
  t.equal(refused.status, 401)
  t.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED')
})

t.test('auditEvents lists admin actions newest first, each also logged as an audit line', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'], '*')
  const { client } = await createViaApi(gw, admin, 'portal')
  await gw.graphql(admin, REVOKE, { id: client.id })

  const { body } = await gw.graphql(admin, AUDIT, {})
  const nodes = body.data.auditEvents.nodes
  t.same(nodes.map((n: { kind: string }) => n.kind), ['revokeClient', 'createClient'])
  const adminId = (await gw.graphql(admin, '{ viewer { clientId } }')).body.data.viewer.clientId
  t.same(nodes[1], {
    id: nodes[1].id,
    at: nodes[1].at,
    clientId: adminId,
    clientName: 'test-1',
    orgId: null,
    kind: 'createClient',
    input: JSON.stringify({ name: 'portal', orgs: ['acme'], scopes: ['read'] }),
    outcome: 'succeeded',
    errorCode: null,
    requestId: nodes[1].requestId,
    pangolinIds: JSON.stringify({ clientId: client.id })
  })
  t.same(body.data.auditEvents.hasNextPage, false)

  const lines = gw.logs.map((l) => JSON.parse(l)).filter((l) => l.audit !== undefined)
  t.same(lines.map((l) => [l.msg, l.audit.kind, l.audit.id]), [['audit', 'createClient', nodes[1].id], ['audit', 'revokeClient', nodes[0].id]])
  const request = gw.logs.map((l) => JSON.parse(l)).find((l) => l.reqId === nodes[1].requestId)
  t.ok(request, 'the request id in the audit row is the one the request logged under')
})

t.test('a failed admin action is audited with its outcome and error code', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'])
  const { body } = await gw.graphql(admin, REVOKE, { id: 'cl_nope' })
  t.equal(body.errors?.[0]?.extensions?.code, 'NOT_FOUND')
  const audit = (await gw.graphql(admin, AUDIT, {})).body.data.auditEvents.nodes
  t.same(audit.map((n: { kind: string, outcome: string, errorCode: string, input: string }) => [n.kind, n.outcome, n.errorCode, n.input]),
    [['revokeClient', 'failed', 'NOT_FOUND', '{"id":"cl_nope"}']])
})

t.test('auditEvents pages with first and after, newest first, without gaps or repeats', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'])
  for (const name of ['a', 'b', 'c', 'd', 'e']) await createViaApi(gw, admin, name)

  const all = (await gw.graphql(admin, AUDIT, {})).body.data.auditEvents.nodes.map((n: { id: string }) => n.id)
  t.equal(all.length, 5)
  const seen: string[] = []
  const pages: boolean[] = []
  let after: string | null = null
  do {
    const { body } = await gw.graphql(admin, AUDIT, { first: 2, after })
    const page = body.data.auditEvents
    seen.push(...page.nodes.map((n: { id: string }) => n.id))
    pages.push(page.hasNextPage)
    after = page.endCursor
    if (!page.hasNextPage) break
  } while (after !== null)
  t.same(seen, all)
  t.same(pages, [true, true, false])

  const inputs = (await gw.graphql(admin, AUDIT, {})).body.data.auditEvents.nodes.map((n: { input: string }) => JSON.parse(n.input).name)
  t.same(inputs, ['e', 'd', 'c', 'b', 'a'])
})

t.test('auditEvents refuses a cursor it did not issue, naming the argument', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'])
  const { body } = await gw.graphql(admin, AUDIT, { after: 'bm9wZQ' })
  t.equal(body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
  t.match(body.errors?.[0]?.message, /^after: /)
})

t.test('auditEvents filters by clientId', async (t) => {
  const gw = await buildGateway(t)
  const first = await gw.token(['admin'])
  const second = await gw.token(['admin'])
  await createViaApi(gw, first, 'one')
  await createViaApi(gw, second, 'two')
  await createViaApi(gw, first, 'three')
  const secondId = (await gw.graphql(second, '{ viewer { clientId } }')).body.data.viewer.clientId

  const { body } = await gw.graphql(first, AUDIT, { clientId: secondId })
  t.same(body.data.auditEvents.nodes.map((n: { clientId: string, input: string }) => [n.clientId, JSON.parse(n.input).name]),
    [[secondId, 'two']])
})

t.test('a client without the admin scope is FORBIDDEN on every admin field, and nothing is audited', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'])
  const user = await gw.token(['read', 'provision', 'grant', 'delete'])
  const { client } = await createViaApi(gw, admin, 'victim')
  const before = (await gw.graphql(admin, AUDIT, {})).body.data.auditEvents.nodes.length

  const attempts: Array<[string, string, Record<string, unknown>]> = [
    ['clients', '{ clients { id } }', {}],
    ['auditEvents', '{ auditEvents { nodes { id } } }', {}],
    ['createClient', CREATE, { input: { name: 'sneaky', orgs: ['*'], scopes: ['ADMIN'] } }],
    ['revokeClient', REVOKE, { id: client.id }]
  ]
  for (const [field, query, variables] of attempts) {
    const { body } = await gw.graphql(user, query, variables)
    t.same(body, {
      data: null,
      errors: [{
        message: 'This client lacks the "admin" scope.',
        locations: (body.errors?.[0] as { locations?: unknown } | undefined)?.locations,
        path: [field],
        extensions: { code: 'FORBIDDEN', requiredScope: 'admin' }
      }]
    }, field)
  }
  t.equal((await gw.graphql(admin, AUDIT, {})).body.data.auditEvents.nodes.length, before, 'no audit row was written')
  t.same((await gw.graphql(admin, '{ clients { name revokedAt } }')).body.data.clients.map((c: { name: string }) => c.name).sort(),
    ['test-1', 'test-2', 'victim'])
})

t.test('no audit row and no audit line holds a created token', async (t) => {
  const gw = await buildGateway(t)
  const admin = await gw.token(['admin'])
  const tokens = [(await createViaApi(gw, admin, 'one')).token, (await createViaApi(gw, admin, 'two')).token]

  const rows = await gw.gateway.database.db.selectFrom('audit_events').selectAll().execute()
  t.equal(rows.length, 2)
  const listed = (await gw.graphql(admin, AUDIT, {})).text
  const audited = gw.logs.filter((l) => l.includes('"audit"'))
  for (const token of tokens) {
    const secret = token.slice(4)
    t.notMatch(JSON.stringify(rows), secret, 'not in the store')
    t.notMatch(listed, secret, 'not in auditEvents')
    t.equal(audited.filter((l) => l.includes(secret)).length, 0, 'not in the audit lines')
    t.equal(gw.logs.filter((l) => l.includes(secret)).length, 0, 'not in any log line')
  }
})
