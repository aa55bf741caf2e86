import t from 'tap'
import { buildGateway } from '../helpers/gateway.js'

const PROVISION = `mutation ($input: ProvisionHttpServiceInput!) {
  provisionHttpService(input: $input) { replayed resource { resourceId } operation { id status } }
}`

t.test('20 concurrent identical requests with one key create exactly one resource', async (t) => {
  const gw = await buildGateway(t, { env: { RATE_LIMIT_MAX: '100000' } })
  const token = await gw.token(['provision'])
  // Slow the create, so that every request arrives while the first is still running.
  gw.emulator.faults.add({ route: '/org/:orgId/resource', kind: 'delay', delayMs: 150, times: Infinity })
  const input = {
    orgId: 'acme',
    name: 'Same',
    domainId: 'domain1',
    subdomain: 'same',
    idempotencyKey: 'same-key',
    targets: [{ siteNiceId: 'acme-hq', ip: '10.3.3.3', port: 80 }]
  }
  const answers = await Promise.all(Array.from({ length: 20 }, () => gw.graphql(token, PROVISION, { input })))
  const codes = answers.map((a) => a.body.errors?.[0]?.extensions?.code ?? 'ok')
  const succeeded = answers.filter((a) => a.body.data?.provisionHttpService != null)
  t.ok(succeeded.length >= 1)
  t.ok(codes.every((c) => c === 'ok' || c === 'OPERATION_IN_PROGRESS'), codes.join(','))
  t.equal(gw.emulator.state.resources.filter((r) => r.fullDomain === 'same.acme.test').length, 1, 'one resource')
  t.equal(gw.emulator.stats.byRoute['PUT /org/:orgId/resource'], 1, 'one create call')
  const ops = await gw.gateway.database.db.selectFrom('operations').selectAll().where('idempotency_key', '=', 'same-key').execute()
  t.equal(ops.length, 1, 'one operation')

  gw.emulator.stats.reset()
  const replay = await gw.graphql(token, PROVISION, { input })
  t.equal(replay.body.data.provisionHttpService.replayed, true)
  t.equal(gw.emulator.stats.total, 0, 'a replay makes no upstream call')
  const changed = await gw.graphql(token, PROVISION, { input: { ...input, subdomain: 'other' } })
  t.equal(changed.body.errors?.[0]?.extensions?.code, 'IDEMPOTENCY_KEY_REUSED')
  t.comment(`idempotency: 20 concurrent requests -> ${succeeded.length} answered with the result, ${codes.filter((c) => c === 'OPERATION_IN_PROGRESS').length} OPERATION_IN_PROGRESS, 1 resource`)
})

t.test('keys are scoped to the client: another client with the same key runs its own operation', async (t) => {
  const gw = await buildGateway(t)
  const a = await gw.token(['provision'])
  const b = await gw.token(['provision'])
  const base = { orgId: 'acme', name: 'Scoped', domainId: 'domain1', idempotencyKey: 'shared', targets: [{ siteNiceId: 'acme-hq', ip: '10.4.4.4', port: 80 }] }
  const first = await gw.graphql(a, PROVISION, { input: { ...base, subdomain: 'scoped-a' } })
  const second = await gw.graphql(b, PROVISION, { input: { ...base, subdomain: 'scoped-b' } })
  t.notOk(first.body.errors)
  t.notOk(second.body.errors)
  t.not(first.body.data.provisionHttpService.operation.id, second.body.data.provisionHttpService.operation.id)
})
