import t from 'tap'
import { SEED_KEYS, startEmulator } from '../../src/emulator/index.js'
import { openDatabase } from '../../src/store/database.js'
import { createClient, runCli, spawnServe, storeEnv, tempDir } from '../helpers/cli.js'

t.test('the CLI round trip: create prints the token once, it works, list shows its use, revoke refuses it', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const env = { ...storeEnv(tempDir(t)), PANGOLIN_URL: emulator.url, PANGOLIN_API_KEY: SEED_KEYS.root }

  const { id, token, result } = await createClient(env, ['--name', 'ci', '--orgs', 'acme', '--scopes', 'read'])
  t.match(token, /^pgw_[0-9A-Za-z]{43}$/)
  t.equal(result.stdout.split(token).length - 1, 1, 'the token is printed once')
  t.equal(result.stderr, '')

  const serve = await spawnServe(t, env)
  const used = await serve.graphql(token, '{ viewer { clientId name orgs scopes } }')
  t.same(used, { status: 200, body: { data: { viewer: { clientId: id, name: 'ci', orgs: ['acme'], scopes: ['READ'] } } } })

  const listed = await runCli(['clients', 'list'], env)
  t.equal(listed.code, 0)
  const row = listed.stdout.split('\n').find((l) => l.startsWith(id)) ?? ''
  t.match(row, /\tci\torgs=acme\tscopes=read\tactive\tlast-used=\d{4}-\d\d-\d\dT/)
  t.notMatch(listed.stdout, token, 'list never shows a token')

  const revoked = await runCli(['clients', 'revoke', id], env)
  t.same(revoked, { code: 0, stdout: `revoked client ${id} (ci)\n`, stderr: '' })
  t.same(await serve.graphql(token, '{ viewer { name } }'), {
    status: 401,
    body: { data: null, errors: [{ message: 'The gateway token is unknown or revoked.', extensions: { code: 'UNAUTHENTICATED' } }] }
  })
  t.match((await runCli(['clients', 'list'], env)).stdout, new RegExp(`${id}\tci\t.*\trevoked \\d{4}-`))
})

t.test('the CLI records its actions in the audit log, and never the token', async (t) => {
  const env = storeEnv(tempDir(t))
  const { id, token } = await createClient(env, ['--name', 'ci', '--orgs', '*', '--scopes', 'read,admin'])
  t.equal((await runCli(['clients', 'revoke', id], env)).code, 0)

  const database = await openDatabase(env.DATABASE_URL!)
  t.teardown(() => database.close())
  const rows = await database.db.selectFrom('audit_events').selectAll().orderBy('seq').execute()
  t.same(rows.map((r) => [r.kind, r.outcome, JSON.parse(r.pangolin_ids ?? 'null')]), [
    ['cli:createClient', 'succeeded', { clientId: id }],
    ['cli:revokeClient', 'succeeded', { clientId: id }]
  ])
  t.same(JSON.parse(rows[0]!.input!), { name: 'ci', orgs: '*', scopes: ['read', 'admin'] })
  t.notMatch(JSON.stringify(rows), token.slice(4))
})

t.test('clients create with a bad scope exits non-zero with a message naming the field', async (t) => {
  const env = storeEnv(tempDir(t))
  const result = await runCli(['clients', 'create', '--name', 'ci', '--orgs', 'acme', '--scopes', 'read,root'], env)
  t.equal(result.code, 1)
  t.equal(result.stdout, '')
  t.match(result.stderr, /^pangolin-gateway: scopes\[1\]: must be one of read, provision, grant, delete, admin/)
  t.equal(result.stderr.trim().split('\n').length, 1, 'one line')
})

t.test('clients create without GATEWAY_TOKEN_SECRET stops with one sentence and exit code 78', async (t) => {
  const { DATABASE_URL } = storeEnv(tempDir(t))
  const result = await runCli(['clients', 'create', '--name', 'ci', '--orgs', 'acme', '--scopes', 'read'], { DATABASE_URL })
  t.same(result, {
    code: 78,
    stdout: '',
    stderr: 'pangolin-gateway: GATEWAY_TOKEN_SECRET is required to create a client: at least 32 random characters.\n'
  })
})

t.test('clients revoke of an unknown id exits non-zero naming the id', async (t) => {
  const result = await runCli(['clients', 'revoke', 'cl_nope'], storeEnv(tempDir(t)))
  t.same(result, { code: 1, stdout: '', stderr: 'pangolin-gateway: No client has the id "cl_nope".\n' })
})

t.test('migrate applies the migrations, then says the store is up to date', async (t) => {
  const env = storeEnv(tempDir(t))
  const first = await runCli(['migrate'], env)
  t.equal(first.code, 0)
  t.match(first.stdout, /^applied: \S+/)
  t.same(await runCli(['migrate'], env), { code: 0, stdout: 'store is up to date\n', stderr: '' })
})
