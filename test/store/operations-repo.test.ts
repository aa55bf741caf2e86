import type { Database } from '../../src/store/database.js'
import { OperationsRepo, type NewOperation } from '../../src/store/operations-repo.js'
import { storeTest } from '../helpers/store.js'

const T0 = '2025-01-01T00:00:00.000Z'
const LATER = '2025-01-01T00:01:00.000Z'
const FAR = '2999-01-01T00:00:00.000Z'

function op (id: string, overrides: Partial<NewOperation> = {}): NewOperation {
  return {
    id,
    kind: 'provisionHttpService',
    orgId: 'acme',
    clientId: 'c1',
    idempotencyKey: `key-${id}`,
    fingerprint: 'f1',
    input: { name: id },
    leaseOwner: 'replica-a',
    leaseExpiresAt: FAR,
    now: T0,
    expiresAt: LATER,
    ...overrides
  }
}

function step (seq: number, name: string, naturalKey: Record<string, unknown>, parent: string | null = null) {
  return { seq, name, action: 'create', naturalKey, parent, status: 'PENDING' as const }
}

function repoOf (database: Database) {
  return new OperationsRepo(database.db)
}

storeTest('an inserted operation reads back by id and by key', async (t, database) => {
  const repo = repoOf(database)
  t.equal(await repo.insert(op('o1')), true)
  const row = await repo.get('o1')
  t.same(row, {
    id: 'o1',
    kind: 'provisionHttpService',
    orgId: 'acme',
    clientId: 'c1',
    idempotencyKey: 'key-o1',
    fingerprint: 'f1',
    input: { name: 'o1' },
    plan: null,
    status: 'RUNNING',
    phase: 'forward',
    leaseOwner: 'replica-a',
    leaseExpiresAt: FAR,
    attempts: 0,
    nextAttemptAt: null,
    result: null,
    errorCode: null,
    errorMessage: null,
    errorExtensions: null,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: LATER
  })
  t.same(await repo.findByKey('c1', 'key-o1'), row)
  t.equal(await repo.findByKey('c2', 'key-o1'), undefined, 'keys are scoped to the client')
  t.equal(await repo.get('none'), undefined)
})

storeTest('a client reusing an idempotency key is refused, another client is not', async (t, database) => {
  const repo = repoOf(database)
  t.equal(await repo.insert(op('o1', { idempotencyKey: 'k' })), true)
  t.equal(await repo.insert(op('o2', { idempotencyKey: 'k' })), false)
  t.equal(await repo.insert(op('o3', { idempotencyKey: 'k', clientId: 'c2' })), true)
  t.equal(await repo.get('o2'), undefined)
})

storeTest('20 concurrent inserts with one key create exactly one operation', async (t, database) => {
  const repo = repoOf(database)
  const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    repo.insert(op(`o${i}`, { idempotencyKey: 'same' }))))
  t.equal(outcomes.filter(Boolean).length, 1)
  const rows = await database.db.selectFrom('operations').select('id').execute()
  t.equal(rows.length, 1)
})

storeTest('operations without a key never conflict', async (t, database) => {
  const repo = repoOf(database)
  const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) =>
    repo.insert(op(`o${i}`, { idempotencyKey: null }))))
  t.same(outcomes, [true, true, true, true, true])
})

storeTest('a reused operation id is an error, not a replay', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('o1', { idempotencyKey: null }))
  await t.rejects(repo.insert(op('o1', { idempotencyKey: null })))
})

storeTest('a lease is taken when free, expired or ours, and refused when live', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('o1', { leaseExpiresAt: LATER }))
  t.equal(await repo.takeLease('o1', 'replica-b', FAR, T0), false, 'live lease of another owner')
  t.equal(await repo.takeLease('o1', 'replica-a', FAR, T0), true, 'our own lease')
  t.equal(await repo.takeLease('o1', 'replica-b', FAR, '2999-06-01T00:00:00.000Z'), true, 'expired lease')
  t.equal((await repo.get('o1'))?.leaseOwner, 'replica-b')
  t.equal(await repo.takeLease('none', 'replica-b', FAR, T0), false)
})

storeTest('20 replicas racing for one expired lease: exactly one wins', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('o1', { leaseExpiresAt: T0 }))
  const wins = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    repo.takeLease('o1', `replica-${i}`, FAR, LATER)))
  t.equal(wins.filter(Boolean).length, 1)
  t.equal((await repo.get('o1'))?.leaseOwner, `replica-${wins.indexOf(true)}`)
})

storeTest('a finished operation has no lease to take', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('o1', { leaseExpiresAt: T0 }))
  t.equal(await repo.update('o1', 'replica-a', { status: 'SUCCEEDED' }), true)
  t.equal(await repo.takeLease('o1', 'replica-b', FAR, LATER), false)
})

storeTest('only the owner renews or releases a lease', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('o1'))
  t.equal(await repo.renewLease('o1', 'replica-b', LATER), false)
  t.equal(await repo.renewLease('o1', 'replica-a', LATER), true)
  t.equal((await repo.get('o1'))?.leaseExpiresAt, LATER)

  await repo.releaseLease('o1', 'replica-b')
  t.equal((await repo.get('o1'))?.leaseOwner, 'replica-a')
  await repo.releaseLease('o1', 'replica-a')
  const row = await repo.get('o1')
  t.same([row?.leaseOwner, row?.leaseExpiresAt], [null, null])
})

storeTest('update writes only for the lease owner and stores JSON fields', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('o1'))
  t.equal(await repo.update('o1', 'replica-b', { status: 'SUCCEEDED' }), false)
  t.equal((await repo.get('o1'))?.status, 'RUNNING')

  t.equal(await repo.update('o1', 'replica-a', {
    plan: { domainId: 'd1', siteIds: [1, 2] },
    phase: 'compensating',
    attempts: 3,
    nextAttemptAt: LATER,
    errorCode: 'UPSTREAM_UNAVAILABLE',
    errorMessage: 'Pangolin did not answer'
  }), true)
  const finish = { status: 'ROLLED_BACK' as const, result: { ok: false }, releaseLease: true }
  t.equal(await repo.update('o1', 'replica-a', finish), true)
  t.match(await repo.get('o1'), {
    plan: { domainId: 'd1', siteIds: [1, 2] },
    status: 'ROLLED_BACK',
    phase: 'compensating',
    attempts: 3,
    nextAttemptAt: LATER,
    result: { ok: false },
    errorCode: 'UPSTREAM_UNAVAILABLE',
    errorMessage: 'Pangolin did not answer',
    leaseOwner: null,
    leaseExpiresAt: null
  })
  t.equal(await repo.update('o1', 'replica-a', { status: 'SUCCEEDED' }), false, 'the lease is gone')
})

storeTest('steps are inserted, updated and listed in order', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('o1'))
  const target = { ip: '10.0.0.1', port: 80 }
  const resource = { fullDomain: 'a.example.com' }
  await repo.insertStep('o1', step(2, 'target:0', target, 'resource'))
  await repo.insertStep('o1', step(1, 'resource', resource))
  await repo.updateStep('o1', 'resource', { status: 'DONE', upstreamId: '42' })
  await repo.updateStep('o1', 'target:0', { status: 'FAILED', errorCode: 'UPSTREAM_REJECTED' })
  await t.rejects(repo.insertStep('o1', step(3, 'resource', {})), 'a step name is unique within its operation')

  const steps = await repo.steps('o1')
  t.match(steps, [
    { seq: 1, name: 'resource', action: 'create', naturalKey: resource, parent: null, status: 'DONE', upstreamId: '42' },
    { seq: 2, name: 'target:0', naturalKey: target, parent: 'resource', status: 'FAILED', errorCode: 'UPSTREAM_REJECTED' }
  ])
  t.equal(typeof steps[0]?.seq, 'number')
  t.same(await repo.steps('none'), [])
})

storeTest('recovery picks expired running and due attention operations', async (t, database) => {
  const repo = repoOf(database)
  const now = '2025-06-01T00:00:00.000Z'
  await repo.insert(op('live', { now: '2025-01-01T00:00:01.000Z', leaseExpiresAt: FAR }))
  await repo.insert(op('expired', { now: '2025-01-01T00:00:02.000Z', leaseExpiresAt: T0 }))
  await repo.insert(op('released', { now: '2025-01-01T00:00:03.000Z' }))
  await repo.releaseLease('released', 'replica-a')
  for (const [id, next] of [['due', T0], ['later', FAR], ['unscheduled', null]] as const) {
    await repo.insert(op(id, { now: '2025-01-01T00:00:04.000Z', leaseExpiresAt: T0 }))
    await repo.update(id, 'replica-a', { status: 'NEEDS_ATTENTION', nextAttemptAt: next })
  }
  await repo.insert(op('done', { leaseExpiresAt: T0 }))
  await repo.update('done', 'replica-a', { status: 'SUCCEEDED' })

  const picked = await repo.recoverable(now, 10)
  t.same(picked.map((o) => o.id).sort(), ['due', 'expired', 'released', 'unscheduled'])
  t.same(picked.slice(0, 2).map((o) => o.id), ['expired', 'released'], 'oldest first')
  t.equal((await repo.recoverable(now, 1)).length, 1)
})

storeTest('operations list by org, newest first, with status and cursor', async (t, database) => {
  const repo = repoOf(database)
  const at = (s: number) => `2025-01-01T00:00:0${s}.000Z`
  await repo.insert(op('a1', { now: at(1) }))
  await repo.insert(op('a2', { now: at(2) }))
  await repo.insert(op('a3', { now: at(2) }))
  await repo.insert(op('a4', { now: at(3) }))
  await repo.insert(op('g1', { now: at(4), orgId: 'globex' }))
  await repo.update('a2', 'replica-a', { status: 'SUCCEEDED' })

  const ids = async (filter: Parameters<OperationsRepo['list']>[0]) => (await repo.list(filter)).map((o) => o.id)
  t.same(await ids({ orgId: 'acme', limit: 10 }), ['a4', 'a3', 'a2', 'a1'])
  t.same(await ids({ orgId: 'acme', limit: 2 }), ['a4', 'a3'])
  t.same(await ids({ orgId: 'acme', limit: 2, before: { createdAt: at(2), id: 'a3' } }), ['a2', 'a1'],
    'the cursor breaks ties on id')
  t.same(await ids({ orgId: 'acme', status: 'RUNNING', limit: 10 }), ['a4', 'a3', 'a1'])
  t.same(await ids({ orgId: 'acme', status: 'SUCCEEDED', limit: 10 }), ['a2'])
  t.same(await ids({ orgId: 'initech', limit: 10 }), [])
})

storeTest('operations are counted by status as numbers', async (t, database) => {
  const repo = repoOf(database)
  t.same(await repo.countByStatus(), {})
  for (const id of ['o1', 'o2', 'o3']) await repo.insert(op(id))
  await repo.update('o3', 'replica-a', { status: 'NEEDS_ATTENTION' })
  t.same(await repo.countByStatus(), { RUNNING: 2, NEEDS_ATTENTION: 1 })
})

storeTest('purge forgets finished operations past retention, with their steps, and frees their keys', async (t, database) => {
  const repo = repoOf(database)
  await repo.insert(op('old-done', { idempotencyKey: 'k1' }))
  await repo.insertStep('old-done', step(1, 'resource', {}))
  await repo.update('old-done', 'replica-a', { status: 'SUCCEEDED' })
  await repo.insert(op('old-rolled', { idempotencyKey: null }))
  await repo.update('old-rolled', 'replica-a', { status: 'ROLLED_BACK' })
  await repo.insert(op('old-running', { idempotencyKey: null }))
  await repo.insert(op('new-done', { idempotencyKey: null, expiresAt: FAR }))
  await repo.update('new-done', 'replica-a', { status: 'SUCCEEDED' })

  t.equal(await repo.purge('2025-02-01T00:00:00.000Z'), 2)
  const left = await database.db.selectFrom('operations').select('id').orderBy('id').execute()
  t.same(left.map((r) => r.id), ['new-done', 'old-running'])
  t.same(await repo.steps('old-done'), [])
  t.equal(await repo.insert(op('again', { idempotencyKey: 'k1' })), true)
})
