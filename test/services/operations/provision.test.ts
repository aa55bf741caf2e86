import t from 'tap'
import { buildGateway } from '../../helpers/gateway.js'
import { serviceInput } from '../../helpers/workload.js'

const PROVISION = `mutation ($input: ProvisionHttpServiceInput!) {
  provisionHttpService(input: $input) {
    replayed
    resource { resourceId name fullDomain subdomain targets { targetId ip port siteId method } }
    targets { targetId ip port }
    operation { id kind status steps { name action status upstreamId } }
  }
}`

function input (overrides: Record<string, unknown> = {}) {
  return { orgId: 'acme', ...serviceInput(overrides) }
}

t.test('provisionHttpService creates the resource, its targets and its grants in one operation', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision', 'read'])
  const { body } = await gw.graphql(token, PROVISION, { input: input() })
  t.notOk(body.errors, JSON.stringify(body.errors))
  const payload = body.data.provisionHttpService
  t.equal(payload.replayed, false)
  t.equal(payload.resource.fullDomain, 'billing.acme.test')
  t.equal(payload.resource.subdomain, 'billing')
  t.equal(payload.targets.length, 2)
  t.equal(payload.operation.status, 'SUCCEEDED')
  t.equal(payload.operation.kind, 'provisionHttpService')
  t.ok(payload.operation.steps.every((s: { status: string }) => s.status === 'DONE'))

  const state = gw.emulator.state
  const resource = state.resources.find((r) => r.fullDomain === 'billing.acme.test')!
  t.ok(resource)
  t.equal(state.targets.filter((x) => x.resourceId === resource.resourceId).length, 2)
  const developers = state.roles.find((r) => r.orgId === 'acme' && r.name === 'Developers')!
  t.ok(state.roleResources.some((g) => g.resourceId === resource.resourceId && g.roleId === developers.roleId))
  const alice = state.users.find((u) => u.email === 'alice@acme.test')!
  t.ok(state.userResources.some((g) => g.resourceId === resource.resourceId && g.userId === alice.id))
})

t.test('an idempotent replay returns the stored outcome without calling Pangolin', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'])
  const first = await gw.graphql(token, PROVISION, { input: input({ idempotencyKey: 'k-1' }) })
  t.notOk(first.body.errors)
  gw.emulator.stats.reset()
  const again = await gw.graphql(token, PROVISION, { input: input({ idempotencyKey: 'k-1' }) })
  t.notOk(again.body.errors)
  t.equal(again.body.data.provisionHttpService.replayed, true)
  t.equal(again.body.data.provisionHttpService.resource.resourceId, first.body.data.provisionHttpService.resource.resourceId)
  t.equal(again.body.data.provisionHttpService.operation.id, first.body.data.provisionHttpService.operation.id)
  t.equal(gw.emulator.stats.total, 0)

  const changed = await gw.graphql(token, PROVISION, { input: input({ idempotencyKey: 'k-1', name: 'Other' }) })
  t.equal(changed.body.errors?.[0]?.extensions?.code, 'IDEMPOTENCY_KEY_REUSED')
  t.equal(gw.emulator.stats.total, 0)
})

t.test('an existing fullDomain is CONFLICT with the existing resource id', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'])
  const existing = gw.emulator.state.resources.find((r) => r.orgId === 'acme' && r.fullDomain?.endsWith('.acme.test'))!
  const subdomain = existing.fullDomain!.replace('.acme.test', '')
  const { body } = await gw.graphql(token, PROVISION, { input: input({ subdomain }) })
  t.equal(body.errors?.[0]?.extensions?.code, 'CONFLICT')
  t.equal(body.errors?.[0]?.extensions?.existingResourceId, existing.resourceId)
})

t.test('a failing target rolls the whole operation back', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision', 'read'])
  const before = gw.emulator.state.resources.length
  gw.emulator.faults.add({ route: '/resource/:resourceId/target', kind: 'status', status: 400, message: 'Validation error: nope', times: 1 })
  const { body } = await gw.graphql(token, PROVISION, { input: input() })
  const error = body.errors?.[0]
  t.equal(error?.extensions?.code, 'UPSTREAM_REJECTED')
  t.type(error?.extensions?.operationId, 'string')
  t.equal(gw.emulator.state.resources.length, before, 'no orphan resource')
  t.equal(gw.emulator.state.targets.filter((x) => !gw.emulator.state.resources.some((r) => r.resourceId === x.resourceId)).length, 0)

  const op = await gw.graphql(token, 'query ($id: ID!) { operation(id: $id) { status error { code } steps { name status } } }', { id: error?.extensions?.operationId })
  t.equal(op.body.data.operation.status, 'ROLLED_BACK')
  t.equal(op.body.data.operation.error.code, 'UPSTREAM_REJECTED')
})

t.test('a subdomain on a cname domain is refused before any upstream write', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'])
  const cname = gw.emulator.state.domains.find((d) => d.type === 'cname')!
  const { body } = await gw.graphql(token, PROVISION, { input: input({ domainId: cname.domainId }) })
  t.equal(body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
  t.match(body.errors?.[0]?.message, /^subdomain: .* CNAME/)
})

t.test('createSite returns Newt credentials once and a replay derives the same secret', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'])
  const query = 'mutation ($i: CreateSiteInput!) { createSite(input: $i) { replayed site { siteId niceId name } newtCredentials { newtId secret } operation { status } } }'
  const first = await gw.graphql(token, query, { i: { orgId: 'acme', name: 'Branch office', idempotencyKey: 'site-1' } })
  t.notOk(first.body.errors, JSON.stringify(first.body.errors))
  const created = first.body.data.createSite
  t.match(created.site.niceId, /^branch-office-[0-9a-f]{6}$/)
  t.match(created.newtCredentials.secret, /^[A-Za-z0-9]{48}$/)
  const newt = gw.emulator.state.newts.find((n) => n.newtId === created.newtCredentials.newtId)
  t.ok(newt, 'Pangolin has the Newt')
  const again = await gw.graphql(token, query, { i: { orgId: 'acme', name: 'Branch office', idempotencyKey: 'site-1' } })
  t.equal(again.body.data.createSite.replayed, true)
  t.equal(again.body.data.createSite.newtCredentials.secret, created.newtCredentials.secret)
  const secret = created.newtCredentials.secret as string
  t.equal(gw.logs.filter((l) => l.includes(secret)).length, 0, 'the secret is in no log line')
  const rows = await gw.gateway.database.db.selectFrom('operations').selectAll().execute()
  t.notMatch(JSON.stringify(rows), secret, 'the secret is not in the store')
  const audit = await gw.gateway.database.db.selectFrom('audit_events').selectAll().execute()
  t.notMatch(JSON.stringify(audit), secret, 'the secret is not in the audit log')
})

t.test('every mutation call is audited: refusals, operations and replays', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'], ['acme'])
  await gw.graphql(token, PROVISION, { input: input({ subdomain: '-bad-' }) })
  await gw.graphql(token, PROVISION, { input: input({ orgId: 'globex' }) })
  await gw.graphql(token, PROVISION, { input: input({ idempotencyKey: 'audit-1' }) })
  await gw.graphql(token, PROVISION, { input: input({ idempotencyKey: 'audit-1' }) })
  const rows = await gw.gateway.database.db.selectFrom('audit_events').selectAll().orderBy('seq').execute()
  t.same(rows.map((r) => [r.kind, r.outcome, r.error_code]), [
    ['provisionHttpService', 'failed', 'BAD_USER_INPUT'],
    ['provisionHttpService', 'failed', 'FORBIDDEN'],
    ['provisionHttpService', 'succeeded', null],
    ['provisionHttpService', 'replayed', null]
  ])
  t.ok(rows.every((r) => r.client_name === 'test-1' && r.request_id !== null))
  t.type(rows[2]?.operation_id, 'string')
  t.equal(rows[3]?.operation_id, rows[2]?.operation_id)
  t.match(JSON.parse(rows[2]!.pangolin_ids!), { resourceId: Number, targetIds: Array })
})

t.test('org { operations } lists the journal newest first, by status, with cursor paging', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision', 'read'], ['acme'])
  for (const sub of ['ops-a', 'ops-b', 'ops-c']) {
    t.notOk((await gw.graphql(token, PROVISION, { input: input({ subdomain: sub, name: sub }) })).body.errors)
  }
  gw.emulator.faults.add({ route: '/resource/:resourceId/target', kind: 'status', status: 400, message: 'Validation error: nope' })
  await gw.graphql(token, PROVISION, { input: input({ subdomain: 'ops-d' }) })

  const list = 'query ($s: OperationStatus, $after: String) { org(orgId: "acme") { operations(status: $s, first: 2, after: $after) { nodes { kind status } endCursor hasNextPage } } }'
  const first = await gw.graphql(token, list, {})
  t.same(first.body.data.org.operations.nodes.map((n: { status: string }) => n.status), ['ROLLED_BACK', 'SUCCEEDED'])
  t.equal(first.body.data.org.operations.hasNextPage, true)
  const second = await gw.graphql(token, list, { after: first.body.data.org.operations.endCursor })
  t.same(second.body.data.org.operations.nodes.map((n: { status: string }) => n.status), ['SUCCEEDED', 'SUCCEEDED'])
  t.equal(second.body.data.org.operations.hasNextPage, false)
  const failed = await gw.graphql(token, list, { s: 'ROLLED_BACK' })
  t.equal(failed.body.data.org.operations.nodes.length, 1)
  const other = await gw.graphql(token, '{ org(orgId: "globex") { operations { nodes { id } } } }')
  t.equal(other.body.errors?.[0]?.extensions?.code, 'FORBIDDEN')
})

t.test('a replayed failure keeps its details, such as the existing resource id', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision'])
  const existing = gw.emulator.state.resources.find((r) => r.orgId === 'acme' && r.fullDomain?.endsWith('.acme.test'))!
  const clash = input({ subdomain: existing.fullDomain!.replace('.acme.test', ''), idempotencyKey: 'clash' })
  const first = await gw.graphql(token, PROVISION, { input: clash })
  const again = await gw.graphql(token, PROVISION, { input: clash })
  for (const answer of [first, again]) {
    t.match(answer.body.errors?.[0]?.extensions, { code: 'CONFLICT', existingResourceId: existing.resourceId, operationId: String, status: 'ROLLED_BACK' })
  }
})
