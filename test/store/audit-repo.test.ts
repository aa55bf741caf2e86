import { AuditRepo, type AuditRecord } from '../../src/store/audit-repo.js'
import type { Database } from '../../src/store/database.js'
import { storeTest } from '../helpers/store.js'

function event (n: number, orgId: string | null, clientId: string | null): AuditRecord {
  return {
    id: `e${n}`,
    at: `2025-01-01T00:00:0${n}.000Z`,
    clientId,
    clientName: clientId === null ? null : `name-${clientId}`,
    orgId,
    kind: 'provisionHttpService',
    input: { n },
    outcome: 'succeeded',
    errorCode: null,
    operationId: `op${n}`,
    requestId: `req${n}`,
    pangolinIds: { resourceId: n }
  }
}

async function seeded (database: Database) {
  const repo = new AuditRepo(database.db)
  await repo.insert(event(1, 'acme', 'c1'))
  await repo.insert(event(2, 'globex', 'c1'))
  await repo.insert(event(3, 'acme', 'c2'))
  await repo.insert(event(4, null, null))
  await repo.insert(event(5, 'acme', 'c1'))
  return repo
}

storeTest('events come back newest first with numeric seq and JSON text', async (t, database) => {
  const repo = await seeded(database)
  const rows = await repo.list({ limit: 10 })
  t.same(rows.map((r) => r.id), ['e5', 'e4', 'e3', 'e2', 'e1'])
  t.same(rows.map((r) => r.seq), [5, 4, 3, 2, 1])
  t.same(rows[4], {
    seq: 1,
    id: 'e1',
    at: '2025-01-01T00:00:01.000Z',
    clientId: 'c1',
    clientName: 'name-c1',
    orgId: 'acme',
    kind: 'provisionHttpService',
    input: '{"n":1}',
    outcome: 'succeeded',
    errorCode: null,
    operationId: 'op1',
    requestId: 'req1',
    pangolinIds: '{"resourceId":1}'
  })
  t.equal(rows[1]?.orgId, null)
})

storeTest('events filter by org and by client', async (t, database) => {
  const repo = await seeded(database)
  t.same((await repo.list({ orgId: 'acme', limit: 10 })).map((r) => r.id), ['e5', 'e3', 'e1'])
  t.same((await repo.list({ clientId: 'c1', limit: 10 })).map((r) => r.id), ['e5', 'e2', 'e1'])
  t.same((await repo.list({ orgId: 'acme', clientId: 'c1', limit: 10 })).map((r) => r.id), ['e5', 'e1'])
})

storeTest('events page backwards by seq', async (t, database) => {
  const repo = await seeded(database)
  const first = await repo.list({ limit: 2 })
  t.same(first.map((r) => r.id), ['e5', 'e4'])
  const second = await repo.list({ limit: 2, beforeSeq: first[1]!.seq })
  t.same(second.map((r) => r.id), ['e3', 'e2'])
  const third = await repo.list({ limit: 2, beforeSeq: second[1]!.seq })
  t.same(third.map((r) => r.id), ['e1'])
  t.same(await repo.list({ orgId: 'acme', limit: 2, beforeSeq: 5 }).then((rows) => rows.map((r) => r.id)), ['e3', 'e1'])
})
