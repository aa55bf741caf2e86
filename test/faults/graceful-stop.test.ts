import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config/index.js'
import { SEED_KEYS, startEmulator } from '../../src/emulator/index.js'
import { createLogger } from '../../src/observability/logger.js'
import { startGateway } from '../../src/server.js'
import { audit, seededIds } from '../helpers/invariants.js'
import { graphqlAt } from '../helpers/process.js'

t.test('on stop, a running operation past the deadline is handed over and another replica finishes it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-stop-'))
  const emulator = await startEmulator()
  t.teardown(async () => {
    await emulator.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const env = {
    PANGOLIN_URL: emulator.url,
    PANGOLIN_API_KEY: SEED_KEYS.root,
    DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
    GATEWAY_TOKEN_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    SHUTDOWN_DEADLINE_MS: '100',
    RECOVERY_INTERVAL_MS: '3600000'
  }
  const seeded = seededIds(emulator.state)
  const first = await startGateway(loadConfig(env, { requireUpstream: true }), createLogger({ level: 'silent' }))
  const { token } = await first.services.clients.create({ name: 'stop', orgs: ['acme'], scopes: ['provision'] })

  // Targets take 400 ms each: the stop comes while they are in flight.
  emulator.faults.add({ route: '/resource/:resourceId/target', kind: 'delay', delayMs: 400, times: Infinity })
  const input = { orgId: 'acme', name: 'Stop', domainId: 'domain1', subdomain: 'stop', idempotencyKey: 'stop-1', targets: [{ siteNiceId: 'acme-hq', ip: '10.5.5.5', port: 80 }, { siteNiceId: 'acme-edge', ip: '10.5.5.6', port: 80 }] }
  const query = 'mutation ($input: ProvisionHttpServiceInput!) { provisionHttpService(input: $input) { resource { resourceId } operation { id status } } }'
  const pending = graphqlAt(first.url, token, query, { input }).catch((err: Error) => ({ status: 0, body: { error: err.message } }))
  await new Promise((resolve) => setTimeout(resolve, 150))
  const t0 = Date.now()
  await first.close()
  t.comment(`closed in ${Date.now() - t0} ms`)
  await pending

  const reopened = await startGateway(loadConfig(env, { requireUpstream: true }), createLogger({ level: 'silent' }))
  t.teardown(() => reopened.close())
  const handed = await reopened.database.db.selectFrom('operations').selectAll().execute()
  t.equal(handed.length, 1)
  t.equal(handed[0]?.status, 'RUNNING', 'the operation was left running')
  t.equal(handed[0]?.lease_owner, null, 'with its lease released for recovery')
  const steps = await reopened.database.db.selectFrom('operation_steps').selectAll().execute()
  t.ok(steps.every((s) => ['PENDING', 'DONE'].includes(s.status)), 'no step half-written')

  emulator.faults.clear()
  // The new replica's recovery runs on start; wait for it to finish the operation.
  const deadline = Date.now() + 20_000
  let final = handed[0]!
  while (final.status === 'RUNNING' && Date.now() < deadline) {
    await reopened.services.operations.engine.recoverOnce()
    await new Promise((resolve) => setTimeout(resolve, 50))
    final = await reopened.database.db.selectFrom('operations').selectAll().executeTakeFirstOrThrow()
  }
  t.comment(`recovered after ${Date.now() - t0} ms`)
  t.equal(final.status, 'SUCCEEDED')
  const retry = await graphqlAt(reopened.url, token, query, { input })
  t.equal(retry.body.data.provisionHttpService.operation.status, 'SUCCEEDED', 'the retry with the key gets the final result')
  await audit(t, { db: reopened.database.db, state: emulator.state }, [{ i: 0, kind: 'provisionHttpService', input, status: 200, body: retry.body }], seeded)
})
