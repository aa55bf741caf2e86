import t from 'tap'
import type { FaultRule } from '../../src/emulator/index.js'
import { buildGateway, type TestGateway } from '../helpers/gateway.js'
import { audit, seededIds, type OpRecord } from '../helpers/invariants.js'
import { MUTATION, plan } from '../helpers/workload.js'

const OPERATIONS = 320
const CONCURRENCY = 8
const TIMEOUT_MS = 250

/** Every fault kind on every route class, each at a low rate, so most operations meet at least one. */
function faults (): FaultRule[] {
  const rules: FaultRule[] = []
  const add = (method: string, route: string, p: number, kinds: Array<Omit<FaultRule, 'method' | 'route'>>) => {
    for (const k of kinds) rules.push({ method, route, times: Infinity, probability: p, ...k })
  }
  const reads = ['/org/:orgId/resources', '/org/:orgId/sites', '/org/:orgId/domains', '/org/:orgId/roles', '/org/:orgId/users', '/resource/:resourceId/targets', '/org/:orgId/site-resources']
  for (const route of reads) {
    add('GET', route, 0.03, [
      { kind: 'status', status: 500 }, { kind: 'status', status: 502 }, { kind: 'status', status: 503 },
      { kind: 'status', status: 429 }, { kind: 'reset-before' }, { kind: 'delay', delayMs: TIMEOUT_MS * 2 }
    ])
  }
  const creates = ['/org/:orgId/resource', '/resource/:resourceId/target', '/org/:orgId/site', '/org/:orgId/site-resource']
  for (const route of creates) {
    add('PUT', route, 0.025, [
      { kind: 'status', status: 500 }, { kind: 'status', status: 502 }, { kind: 'status', status: 503 },
      { kind: 'status', status: 429 }, { kind: 'reset-before' }, { kind: 'apply-then-reset' },
      { kind: 'apply-then-stall', delayMs: TIMEOUT_MS * 3 }, { kind: 'delay', delayMs: TIMEOUT_MS * 2 }
    ])
  }
  for (const route of ['/resource/:resourceId/roles/add', '/resource/:resourceId/users/add']) {
    add('POST', route, 0.03, [
      { kind: 'status', status: 500 }, { kind: 'status', status: 502 }, { kind: 'status', status: 503 },
      { kind: 'status', status: 429 }, { kind: 'apply-then-reset' }, { kind: 'delay', delayMs: TIMEOUT_MS * 2 }
    ])
  }
  for (const route of ['/resource/:resourceId', '/target/:targetId', '/site/:siteId', '/site-resource/:siteResourceId']) {
    add('DELETE', route, 0.03, [
      { kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'reset-before' },
      { kind: 'apply-then-reset' }, { kind: 'delay', delayMs: TIMEOUT_MS * 2 }
    ])
  }
  return rules
}

async function runAll (gw: TestGateway, token: string): Promise<OpRecord[]> {
  const records: OpRecord[] = []
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < OPERATIONS) {
      const i = next++
      const { kind, input } = plan(i)
      const answer = await gw.graphql(token, MUTATION[kind]!, { input: { ...input, idempotencyKey: `fault-${i}` } })
      records.push({ i, kind, input, status: answer.status, body: answer.body })
    }
  }))
  return records
}

t.test(`${OPERATIONS} operations under injected faults end clean: no orphans, no duplicates`, async (t) => {
  const gw = await buildGateway(t, {
    env: {
      PANGOLIN_TIMEOUT_MS: String(TIMEOUT_MS),
      PANGOLIN_RETRY_ATTEMPTS: '3',
      RECOVERY_INTERVAL_MS: '3600000',
      RECOVERY_BACKOFF_MS: '20',
      LOG_LEVEL: 'info'
    }
  })
  const token = await gw.token(['provision', 'read', 'grant', 'delete'], ['acme'])
  const seeded = seededIds(gw.emulator.state)
  for (const rule of faults()) gw.emulator.faults.add(rule)

  const started = Date.now()
  const records = await runAll(gw, token)
  gw.emulator.faults.clear()

  // Stragglers land, then recovery finishes whatever is unfinished (compensation that failed).
  await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 4))
  for (let pass = 0; pass < 50; pass++) {
    const counts = await gw.gateway.services.operations.engine.repo.countByStatus()
    if ((counts.RUNNING ?? 0) + (counts.NEEDS_ATTENTION ?? 0) === 0) break
    await gw.gateway.services.operations.engine.recoverOnce(100)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  const figures = await audit(t, { db: gw.gateway.database.db, state: gw.emulator.state }, records, seeded)
  t.equal(records.length, OPERATIONS)
  t.equal(records.filter((r) => r.status >= 500 && r.body.errors?.[0]?.extensions?.code === 'INTERNAL_SERVER_ERROR').length, 0, 'no masked internal errors')
  const injected = gw.emulator.faults.injected
  for (const kind of ['status 500', 'status 502', 'status 503', 'status 429', 'reset-before', 'apply-then-reset', 'apply-then-stall', 'delay']) {
    t.ok((injected[kind] ?? 0) > 0, `faults of kind ${kind} were injected`)
  }
  t.comment(`fault suite: ${OPERATIONS} operations in ${Date.now() - started} ms; injected ${JSON.stringify(injected)}; ${JSON.stringify(figures)}`)
})
