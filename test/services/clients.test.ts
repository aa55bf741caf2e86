import t from 'tap'
import { ClientService } from '../../src/services/clients.js'
import { ClientsRepo } from '../../src/store/clients-repo.js'
import { openDatabase } from '../../src/store/database.js'
import { GatewayError } from '../../src/errors.js'

const SECRET = 's'.repeat(40)

async function service (t: Test) {
  const database = await openDatabase(':memory:')
  await database.migrate()
  t.teardown(() => database.close())
  return { clients: new ClientService(new ClientsRepo(database.db), SECRET), database }
}

type Test = { teardown: (fn: () => unknown) => void }

async function code (promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'none'
  } catch (err) {
    if (err instanceof GatewayError) return err.code
    throw err
  }
}

t.test('a token is pgw_ plus 43 base62 characters and is stored only as an HMAC', async (t) => {
  const { clients, database } = await service(t)
  const { token, client } = await clients.create({ name: 'portal', orgs: ['acme'], scopes: ['read'] })
  t.match(token, /^pgw_[0-9A-Za-z]{43}$/)
  const rows = await database.db.selectFrom('clients').selectAll().execute()
  t.equal(rows.length, 1)
  t.notMatch(JSON.stringify(rows), token.slice(4), 'the token is not in the store')
  t.match(rows[0]?.token_hash, /^[0-9a-f]{64}$/)
  t.same(client.orgs, ['acme'])
})

t.test('the token authenticates its client until it is revoked', async (t) => {
  const { clients } = await service(t)
  const { token, client } = await clients.create({ name: 'ci', orgs: '*', scopes: ['read', 'provision'] })
  const principal = await clients.authenticate(`Bearer ${token}`)
  t.same(principal, { clientId: client.id, name: 'ci', orgs: '*', scopes: ['read', 'provision'] })
  await clients.revoke(client.id)
  t.equal(await code(clients.authenticate(`Bearer ${token}`)), 'UNAUTHENTICATED')
})

t.test('malformed, unknown and missing tokens are UNAUTHENTICATED', async (t) => {
  const { clients } = await service(t)
  for (const header of [undefined, '', 'Bearer', 'Basic abc', 'Bearer pgw_short', `Bearer pgw_${'a'.repeat(43)}`, `bearer pgw_${'a'.repeat(43)}`]) {
    t.equal(await code(clients.authenticate(header)), 'UNAUTHENTICATED', String(header))
  }
})

t.test('create names the field that is wrong', async (t) => {
  const { clients } = await service(t)
  const cases: Array<[unknown, RegExp]> = [
    [{ name: '', orgs: '*', scopes: ['read'] }, /^name: must not be empty/],
    [{ name: 'x', orgs: [], scopes: ['read'] }, /^orgs/],
    [{ name: 'x', orgs: '*', scopes: ['write'] }, /^scopes\[0\]: must be one of read, provision, grant, delete, admin/],
    [{ name: 'x', orgs: ['bad org'], scopes: ['read'] }, /^orgs/]
  ]
  for (const [input, expected] of cases) {
    await t.rejects(clients.create(input), { code: 'BAD_USER_INPUT', message: expected })
  }
})

t.test('last-used time is recorded on use', async (t) => {
  const { clients } = await service(t)
  const { token, client } = await clients.create({ name: 'ci', orgs: '*', scopes: ['read'] })
  t.equal((await clients.list())[0]?.lastUsedAt, null)
  await clients.authenticate(`Bearer ${token}`)
  await new Promise((resolve) => setTimeout(resolve, 20))
  const listed = (await clients.list()).find((c) => c.id === client.id)
  t.type(listed?.lastUsedAt, 'string')
})

t.test('revoking an unknown client is NOT_FOUND', async (t) => {
  const { clients } = await service(t)
  t.equal(await code(clients.revoke('cl_nope')), 'NOT_FOUND')
})
