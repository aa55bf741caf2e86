import t from 'tap'
import { audit, seededIds, type OpRecord } from '../helpers/invariants.js'
import { graphqlAt } from '../helpers/process.js'
import { cluster, spread } from '../helpers/replicas.js'
import { MUTATION, plan } from '../helpers/workload.js'

const PROVISION = 'mutation ($input: ProvisionHttpServiceInput!) { provisionHttpService(input: $input) { resource { resourceId } operation { id status } replayed } }'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('50 identical requests with one key, split between two replicas, create one resource and one operation', async (t) => {
  const c = await cluster(t)
  const replicas = [await c.start(), await c.start()]
  // Slow creates, so that the requests overlap the running operation rather than its replay.
  c.emulator.faults.add({ route: '/org/:orgId/resource', kind: 'delay', delayMs: 150, times: Infinity })
  const input = {
    orgId: 'acme',
    name: 'one service',
    domainId: 'domain1',
    subdomain: 'replicas-one',
    targets: [{ siteNiceId: 'acme-hq', ip: '10.1.1.1', port: 8080 }],
    access: { roleNames: ['Member'] },
    idempotencyKey: 'one-key'
  }

  const answers = await spread(replicas, 50, (url) => graphqlAt(url, c.token, PROVISION, { input }))
  const outcomes: Record<string, number> = {}
  for (const a of answers) {
    const data = a.body.data?.provisionHttpService
    const outcome = data != null ? (data.replayed === true ? 'replayed' : 'first') : a.body.errors?.[0]?.extensions?.code
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
  }

  const resources = c.emulator.state.resources.filter((r) => r.fullDomain?.startsWith('replicas-one.') === true)
  const operations = await c.database.db.selectFrom('operations').select(['id', 'status']).execute()
  const resourceIds = new Set(answers.map((a) => a.body.data?.provisionHttpService?.resource.resourceId).filter((id) => id !== undefined))
  t.equal(resources.length, 1, 'one resource at the emulator')
  t.equal(operations.length, 1, 'one operation row')
  t.equal(outcomes.first, 1, 'one request ran the operation')
  t.same(Object.keys(outcomes).sort(), Object.keys(outcomes).filter((k) => ['first', 'replayed', 'OPERATION_IN_PROGRESS'].includes(k)).sort(),
    'the others were replayed or told the operation is in progress')
  t.same([...resourceIds], [resources[0]?.resourceId], 'every answer with data names that resource')
  t.comment(`replicas, one key: 50 requests over 2 replicas -> ${JSON.stringify(outcomes)}; resources ${resources.length}, operation rows ${operations.length} (${operations[0]?.status})`)
})

t.test('a replica killed with SIGKILL mid-operation: the other takes over within the lease time, no orphans, no duplicates', async (t) => {
  const leaseMs = 1500
  const c = await cluster(t, { OPERATION_LEASE_MS: String(leaseMs), RECOVERY_INTERVAL_MS: '200', RECOVERY_BACKOFF_MS: '50', PANGOLIN_TIMEOUT_MS: '2000' })
  const seeded = seededIds(c.emulator.state)
  const [doomed, survivor] = [await c.start(), await c.start()]
  for (const route of ['/org/:orgId/resource', '/resource/:resourceId/target', '/resource/:resourceId/roles/add']) {
    c.emulator.faults.add({ route, kind: 'delay', delayMs: 250, times: Infinity })
  }

  // Operations 0 to 5 of the workload, all provisionHttpService with 1 to 5 targets, on one replica.
  const work = [0, 1, 2, 3, 4, 5].map((i) => ({ i, ...plan(i) }))
  const first = work.map(({ i, kind, input }) =>
    graphqlAt(doomed.url, c.token, MUTATION[kind]!, { input: { ...input, idempotencyKey: `kill-${i}` } })
      .catch(() => ({ status: 0, body: {} })))

  // Kill once every operation is journaled and some have completed steps.
  const steps = () => c.database.db.selectFrom('operation_steps').select('operation_id').distinct().execute()
  for (let n = 0; n < 100 && (await steps()).length < work.length; n++) await sleep(20)
  const before = await c.database.db.selectFrom('operations').select(['id', 'status', 'lease_owner']).execute()
  doomed.child.kill('SIGKILL')
  const killedAt = Date.now()
  await doomed.exited
  await Promise.all(first)
  const running = before.filter((o) => o.status === 'RUNNING')
  t.ok(running.length >= 1, `operations cut off mid-way: ${running.length}`)

  // The survivor takes each lease once it expires, then drives the operation to its end.
  c.emulator.faults.clear()
  const owners = new Map(before.map((o) => [o.id, o.lease_owner]))
  let takenOverMs: number | undefined
  let finishedMs: number | undefined
  while (Date.now() - killedAt < 20_000) {
    const now = await c.database.db.selectFrom('operations').select(['id', 'status', 'lease_owner']).execute()
    if (takenOverMs === undefined && running.every((r) => now.some((o) => o.id === r.id && (o.lease_owner !== owners.get(o.id) || o.status !== 'RUNNING')))) {
      takenOverMs = Date.now() - killedAt
    }
    if (now.every((o) => o.status === 'SUCCEEDED' || o.status === 'ROLLED_BACK')) {
      finishedMs = Date.now() - killedAt
      break
    }
    await sleep(50)
  }
  t.ok(takenOverMs !== undefined && takenOverMs <= leaseMs + 1000, `taken over ${takenOverMs} ms after the kill (lease ${leaseMs} ms)`)
  t.ok(finishedMs !== undefined, `finished ${finishedMs} ms after the kill`)

  const records: OpRecord[] = []
  for (const { i, kind, input } of work) {
    const answer = await graphqlAt(survivor.url, c.token, MUTATION[kind]!, { input: { ...input, idempotencyKey: `kill-${i}` } })
    records.push({ i, kind, input, status: answer.status, body: answer.body })
  }
  const figures = await audit(t, { db: c.database.db, state: c.emulator.state }, records, seeded)
  t.comment(`replicas, SIGKILL: ${work.length} operations, ${running.length} cut off mid-way; taken over after ${takenOverMs} ms, finished after ${finishedMs} ms (lease ${leaseMs} ms); ${JSON.stringify(figures)}`)
})
