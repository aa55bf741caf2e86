import t from 'tap'
import { audit, seededIds, type OpRecord } from '../helpers/invariants.js'
import { graphqlAt, processFixture, startGatewayProcess, type GatewayProcess } from '../helpers/process.js'
import { MUTATION, plan } from '../helpers/workload.js'

const OPERATIONS = 48
const BATCH = 6

t.test('a gateway killed with SIGKILL mid-operation recovers: no orphans, no duplicates, retries get the final result', async (t) => {
  const { emulator, database, token, env: base } = await processFixture(t, { name: 'crash', scopes: ['provision', 'read'] })
  const env = {
    ...base,
    PANGOLIN_TIMEOUT_MS: '400',
    OPERATION_LEASE_MS: '1000',
    RECOVERY_INTERVAL_MS: '200',
    RECOVERY_BACKOFF_MS: '50'
  }
  let gateway: GatewayProcess | undefined
  t.teardown(() => { gateway?.child.kill('SIGKILL') })

  const seeded = seededIds(emulator.state)
  // Slow creates and grants a little, so that kills land between the steps of an operation.
  for (const route of ['/org/:orgId/resource', '/resource/:resourceId/target', '/resource/:resourceId/roles/add', '/org/:orgId/site']) {
    emulator.faults.add({ route, kind: 'delay', delayMs: 40, times: Infinity })
  }

  const records: OpRecord[] = []
  let kills = 0
  let midway = 0
  const seen = new Set<string>()
  for (let start = 0; start < OPERATIONS; start += BATCH) {
    gateway = await startGatewayProcess(env)
    const url = gateway.url
    // Requests start at staggered times, so the kill finds them at different steps.
    const batch = Array.from({ length: BATCH }, (_, n) => start + n).map(async (i, n) => {
      await new Promise((resolve) => setTimeout(resolve, n * 30))
      const { kind, input } = plan(i)
      const answer = await graphqlAt(url, token, MUTATION[kind]!, { input: { ...input, idempotencyKey: `crash-${i}` } })
        .catch((err: Error) => ({ status: 0, body: { error: err.message } }))
      records.push({ i, kind, input, status: answer.status, body: answer.body })
    })
    // Kill once some operation of this batch is between its steps (a step journaled, the operation
    // still running), at a random moment after that: the machine's speed then does not decide
    // whether kills land mid-operation.
    const watchUntil = Date.now() + 5_000
    while (Date.now() < watchUntil) {
      const started = await database.db.selectFrom('operations').innerJoin('operation_steps', 'operation_steps.operation_id', 'operations.id')
        .select('operations.id').where('operations.status', '=', 'RUNNING').execute()
      if (started.some((s) => !seen.has(s.id))) break
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 60)))
    gateway.child.kill('SIGKILL')
    kills++
    await gateway.exited
    await Promise.all(batch)
    const cut = await database.db.selectFrom('operations').innerJoin('operation_steps', 'operation_steps.operation_id', 'operations.id')
      .select('operations.id').distinct().where('operations.status', '=', 'RUNNING').execute()
    midway += cut.filter((c) => !seen.has(c.id)).length
    for (const c of cut) seen.add(c.id)
  }

  // A fresh replica takes over every expired lease and finishes or compensates.
  emulator.faults.clear()
  gateway = await startGatewayProcess(env)
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const open = await database.db.selectFrom('operations').select('id').where('status', 'in', ['RUNNING', 'NEEDS_ATTENTION']).execute()
    if (open.length === 0) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }

  // Every client retries with its key and gets the final answer.
  const finals: OpRecord[] = []
  for (const record of records.sort((a, b) => a.i - b.i)) {
    const answer = await graphqlAt(gateway.url, token, MUTATION[record.kind]!, { input: { ...record.input, idempotencyKey: `crash-${record.i}` } })
    finals.push({ ...record, status: answer.status, body: answer.body })
  }
  const interrupted = records.filter((r) => r.status === 0).length
  const terminal = finals.filter((r) => {
    const data = r.body.data?.[r.kind]
    if (data != null) return data.operation.status === 'SUCCEEDED'
    return typeof r.body.errors?.[0]?.extensions?.operationId === 'string' && r.body.errors[0].extensions.code !== 'OPERATION_IN_PROGRESS'
  }).length
  t.equal(terminal, OPERATIONS, 'every retry returns a final result (data, or the failure with its operation id)')

  const figures = await audit(t, { db: database.db, state: emulator.state }, finals, seeded)
  t.ok(kills >= 8)
  t.ok(interrupted >= 30, `at least 30 operations were cut off by a kill (${interrupted})`)
  t.ok(midway >= 8, `kills landed between the steps of operations (${midway})`)
  t.comment(`crash suite: ${OPERATIONS} operations, ${kills} SIGKILLs, ${interrupted} requests cut off, ${midway} operations killed between steps; ${JSON.stringify(figures)}`)
})
