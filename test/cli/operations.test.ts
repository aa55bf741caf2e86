import { join } from 'node:path'
import t from 'tap'
import { buildGateway } from '../helpers/gateway.js'
import { runCli, tempDir } from '../helpers/cli.js'
import { serviceInput } from '../helpers/workload.js'

t.test('operations list, show and retry let an operator finish a NEEDS_ATTENTION operation', async (t) => {
  const dir = tempDir(t)
  const databaseUrl = `sqlite:${join(dir, 'gateway.db')}`
  const gw = await buildGateway(t, { env: { DATABASE_URL: databaseUrl, RECOVERY_INTERVAL_MS: '3600000', RECOVERY_BACKOFF_MS: '600000' } })
  const token = await gw.token(['provision'])

  // A target Pangolin refuses, then a resource it will not delete: compensation cannot finish.
  gw.emulator.faults.add({ route: '/resource/:resourceId/target', kind: 'status', status: 400, message: 'Validation error: nope' })
  gw.emulator.faults.add({ method: 'DELETE', route: '/resource/:resourceId', kind: 'status', status: 503, times: Infinity })
  const answer = await gw.graphql(token, 'mutation ($i: ProvisionHttpServiceInput!) { provisionHttpService(input: $i) { replayed } }', { i: { orgId: 'acme', ...serviceInput({ subdomain: 'stuck' }) } })
  const operationId = answer.body.errors?.[0]?.extensions?.operationId as string
  t.equal(answer.body.errors?.[0]?.extensions?.status, 'NEEDS_ATTENTION')

  const env = { DATABASE_URL: databaseUrl }
  const list = await runCli(['operations', 'list'], env)
  t.equal(list.code, 0)
  t.match(list.stdout, new RegExp(`^${operationId}\\tprovisionHttpService\\tacme\\tNEEDS_ATTENTION\\tattempts=1`, 'm'))
  const show = await runCli(['operations', 'show', operationId], env)
  t.match(JSON.parse(show.stdout), { id: operationId, status: 'NEEDS_ATTENTION', steps: [{ name: 'resource', status: 'DONE' }] })

  // Backoff would wait ten minutes; the operator fixed Pangolin and asks for a retry now.
  gw.emulator.faults.clear()
  t.equal(await gw.gateway.services.operations.engine.recoverOnce(), 0, 'not due yet')
  const retry = await runCli(['operations', 'retry', operationId], env)
  t.equal(retry.code, 0, retry.stderr)
  t.equal(await gw.gateway.services.operations.engine.recoverOnce(), 1)
  const final = await gw.gateway.database.db.selectFrom('operations').select('status').where('id', '=', operationId).executeTakeFirstOrThrow()
  t.equal(final.status, 'ROLLED_BACK')
  t.notOk(gw.emulator.state.resources.some((r) => r.fullDomain === 'stuck.acme.test'), 'the leftover resource is gone')

  const again = await runCli(['operations', 'retry', operationId], env)
  t.equal(again.code, 1)
  t.match(again.stderr, /is not an operation that needs attention/)
  t.equal((await runCli(['operations', 'list', '--status', 'bogus'], env)).code, 2)
})
