import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { SEED_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { createClient, spawnServe, storeEnv, tempDir, type ServeProcess } from '../helpers/cli.js'

const ROLES = '{ org(orgId: "acme") { roles { name } } }'

interface KeyEntry { key: string, secondary?: string, orgs: '*' | string[] }

interface Rig {
  emulator: Emulator
  serve: ServeProcess
  token: string
  writeKeys (keys: KeyEntry[]): void
  /** Asserts that no log line so far carries the secret part of any key the test used. */
  noKeyInLogs (): void
}

/** An emulator, a keys file, a client made by the CLI and `serve` in a child process. */
async function rig (t: Test, keys: (emulator: Emulator) => KeyEntry[]): Promise<Rig> {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const dir = tempDir(t)
  const keysFile = join(dir, 'keys.json')
  const writeKeys = (entries: KeyEntry[]) => writeFileSync(keysFile, JSON.stringify({ keys: entries }))
  const initial = keys(emulator)
  writeKeys(initial)

  const env = { ...storeEnv(dir), PANGOLIN_URL: emulator.url, PANGOLIN_KEYS_FILE: keysFile, RATE_LIMIT_MAX: '100000' }
  const { token } = await createClient(env, ['--name', 'ci', '--orgs', '*', '--scopes', 'read'])
  const serve = await spawnServe(t, env)
  const noKeyInLogs = () => {
    const used = [...Object.values(SEED_KEYS), ...initial.flatMap((k) => [k.key, k.secondary ?? k.key])]
    const secrets = used.map((k) => k.split('.')[1]!)
    t.equal(serve.lines.filter((l) => secrets.some((s) => l.includes(s))).length, 0, 'no log line carries a key')
  }
  return { emulator, serve, token, writeKeys, noKeyInLogs }
}

/** A key the emulator issued and then forgot: well formed, refused with 401. */
function forgottenKey (emulator: Emulator): string {
  const key = emulator.addKey({ orgs: '*', root: true })
  emulator.removeKey(key)
  return key
}

const pause = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

t.test('a key Pangolin refuses answers UPSTREAM_CREDENTIALS, and SIGHUP installs a good one without dropping a request', async (t) => {
  const { serve, token, writeKeys, noKeyInLogs } = await rig(t, (emulator) => [{ key: forgottenKey(emulator), orgs: '*' }])
  const refused = await serve.graphql(token, ROLES)
  t.equal(refused.body.errors?.[0]?.extensions?.code, 'UPSTREAM_CREDENTIALS')
  t.same(refused.body.data, { org: null })

  // Four callers keep asking while the keys change under them.
  let reloadedAt = Infinity
  const state = { stop: false }
  const answers: Array<{ startedAt: number, code: string }> = []
  const caller = async () => {
    while (!state.stop) {
      const startedAt = performance.now()
      const { body } = await serve.graphql(token, ROLES)
      answers.push({ startedAt, code: body.errors?.[0]?.extensions?.code ?? 'OK' })
    }
  }
  const callers = Promise.all([caller(), caller(), caller(), caller()])
  await pause(200)

  writeKeys([{ key: SEED_KEYS.root, orgs: '*' }])
  serve.child.kill('SIGHUP')
  await serve.waitForLog((l) => l.msg === 'upstream keys reloaded')
  reloadedAt = performance.now()
  await pause(300)
  state.stop = true
  await callers

  const before = answers.filter((a) => a.startedAt < reloadedAt)
  const after = answers.filter((a) => a.startedAt >= reloadedAt)
  t.ok(before.length > 0 && after.length > 0, `${before.length} answers before the reload, ${after.length} after`)
  t.same([...new Set(answers.map((a) => a.code))].sort(), ['OK', 'UPSTREAM_CREDENTIALS'],
    'every request got one of the two answers')
  t.same(after.filter((a) => a.code !== 'OK'), [], 'every request after the reload succeeded')
  noKeyInLogs()
})

t.test('when Pangolin refuses the primary key the secondary serves the call, with a warning', async (t) => {
  let primary = ''
  let secondary = ''
  const { emulator, serve, token, noKeyInLogs } = await rig(t, (emulator) => {
    primary = emulator.addKey({ orgs: '*', root: true })
    secondary = emulator.addKey({ orgs: '*', root: true })
    return [{ key: primary, secondary, orgs: '*' }]
  })
  emulator.stats.reset()
  t.notOk((await serve.graphql(token, ROLES)).body.errors, 'the primary works')
  t.same(Object.keys(emulator.stats.byKeyId), [primary.split('.')[0]])

  emulator.removeKey(primary)
  emulator.stats.reset()
  const { body } = await serve.graphql(token, ROLES)
  t.notOk(body.errors, 'the call succeeds on the secondary')
  t.ok(body.data.org.roles.length > 0)
  t.equal(emulator.stats.byKeyId[secondary.split('.')[0]!], 1)

  const warning = await serve.waitForLog((l) => l.msg === 'pangolin refused an upstream key; trying its pair')
  t.equal(warning.level, 40)
  noKeyInLogs()
})

t.test('an org that no key serves is FORBIDDEN and makes no upstream call', async (t) => {
  const { emulator, serve, token } = await rig(t, () => [{ key: SEED_KEYS.acme, orgs: ['acme'] }])
  emulator.stats.reset()
  const { status, body } = await serve.graphql(token, '{ org(orgId: "globex") { roles { name } } }')
  t.equal(status, 200)
  t.same(body, {
    data: { org: null },
    errors: [{
      message: 'No upstream key serves org globex.',
      locations: [{ line: 1, column: 26 }],
      path: ['org', 'roles'],
      extensions: { code: 'FORBIDDEN', orgId: 'globex' }
    }]
  })
  t.equal(emulator.stats.total, 0)
})

t.test('a SIGHUP with a broken keys file keeps the old keys and logs why', async (t) => {
  const { serve, token, writeKeys, noKeyInLogs } = await rig(t, () => [{ key: SEED_KEYS.root, orgs: '*' }])
  writeKeys([{ key: 'not-a-key', orgs: '*' }])
  serve.child.kill('SIGHUP')
  const line = await serve.waitForLog((l) => l.msg === 'upstream keys not reloaded; the old keys stay in use')
  t.equal(line.level, 50)
  t.notOk((await serve.graphql(token, ROLES)).body.errors, 'the old key still serves')
  noKeyInLogs()
})
