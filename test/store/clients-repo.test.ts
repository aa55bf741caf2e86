import { ClientsRepo } from '../../src/store/clients-repo.js'
import { storeTest } from '../helpers/store.js'

const client = (id: string, createdAt: string) => ({
  id,
  name: `client ${id}`,
  tokenHash: `hash-${id}`,
  orgs: id === 'c1' ? '*' as const : ['acme', 'globex'],
  scopes: ['read', 'provision'],
  createdAt
})

storeTest('an inserted client is found by token hash and by id', async (t, database) => {
  const repo = new ClientsRepo(database.db)
  await repo.insert(client('c1', '2025-01-01T00:00:00.000Z'))
  await repo.insert(client('c2', '2025-01-02T00:00:00.000Z'))

  t.same(await repo.findByHash('hash-c2'), {
    ...client('c2', '2025-01-02T00:00:00.000Z'), revokedAt: null, lastUsedAt: null
  })
  t.equal((await repo.get('c1'))?.orgs, '*')
  t.equal(await repo.findByHash('hash-none'), undefined)
  t.equal(await repo.get('none'), undefined)
})

storeTest('a second client with the same token hash is refused', async (t, database) => {
  const repo = new ClientsRepo(database.db)
  await repo.insert(client('c1', '2025-01-01T00:00:00.000Z'))
  await t.rejects(repo.insert({ ...client('c9', '2025-01-01T00:00:00.000Z'), tokenHash: 'hash-c1' }))
})

storeTest('clients are listed by creation time, then id', async (t, database) => {
  const repo = new ClientsRepo(database.db)
  await repo.insert(client('c3', '2025-01-02T00:00:00.000Z'))
  await repo.insert(client('c2', '2025-01-01T00:00:00.000Z'))
  await repo.insert(client('c1', '2025-01-02T00:00:00.000Z'))
  t.same((await repo.list()).map((c) => c.id), ['c2', 'c1', 'c3'])
})

storeTest('revoke stamps a live client once and reports unknown ids', async (t, database) => {
  const repo = new ClientsRepo(database.db)
  await repo.insert(client('c1', '2025-01-01T00:00:00.000Z'))
  t.equal(await repo.revoke('c1', '2025-02-01T00:00:00.000Z'), true)
  t.equal(await repo.revoke('c1', '2025-03-01T00:00:00.000Z'), false, 'already revoked')
  t.equal(await repo.revoke('none', '2025-03-01T00:00:00.000Z'), false)
  t.equal((await repo.get('c1'))?.revokedAt, '2025-02-01T00:00:00.000Z')
})

storeTest('touch records the last use', async (t, database) => {
  const repo = new ClientsRepo(database.db)
  await repo.insert(client('c1', '2025-01-01T00:00:00.000Z'))
  await repo.touch('c1', '2025-01-05T00:00:00.000Z')
  await repo.touch('none', '2025-01-05T00:00:00.000Z')
  t.equal((await repo.get('c1'))?.lastUsedAt, '2025-01-05T00:00:00.000Z')
})
