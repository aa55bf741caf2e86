import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config/index.js'

const KEY = 'abcdefghij12345.abcdefghijklmnopqrstuvwxyz234567abcdefghijkl'
const base = {
  PANGOLIN_URL: 'http://127.0.0.1:3003/v1',
  PANGOLIN_API_KEY: KEY,
  GATEWAY_TOKEN_SECRET: 'x'.repeat(32)
}

function message (env: NodeJS.ProcessEnv, options = { requireUpstream: true }): string {
  try {
    loadConfig(env, options)
  } catch (err) {
    if (err instanceof ConfigError) return err.message
    throw err
  }
  return 'no error'
}

t.test('a valid environment gives a frozen config with defaults', async (t) => {
  const config = loadConfig(base, { requireUpstream: true })
  t.equal(config.port, 8080)
  t.equal(config.pangolin.maxInFlight, 16)
  t.equal(config.pangolin.url, 'http://127.0.0.1:3003/v1')
  t.equal(config.databaseUrl, 'sqlite:./data/gateway.db')
  t.ok(Object.isFrozen(config))
  t.ok(Object.isFrozen(config.pangolin))
  t.ok(Object.isFrozen(config.pangolin.keys[0]))
  t.throws(() => { (config as { port: number }).port = 1 })
})

t.test('each invalid value stops start-up with one sentence naming the variable', async (t) => {
  const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{ ...base, PORT: 'eighty' }, /^PORT must be a whole number between 0 and 65535\.$/],
    [{ ...base, PORT: '70000' }, /^PORT must be at most 65535\.$/],
    [{ ...base, PANGOLIN_URL: 'ftp://x' }, /^PANGOLIN_URL must be a URL starting with http:\/\/ or https:\/\/\.$/],
    [{ ...base, PANGOLIN_API_KEY: 'nodot' }, /^PANGOLIN_API_KEY must look like <apiKeyId>\.<secret>\.$/],
    [{ ...base, LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ ...base, GRAPHIQL: 'yes' }, /^GRAPHIQL must be "true" or "false"\.$/],
    [{ ...base, GATEWAY_TOKEN_SECRET: 'short' }, /^GATEWAY_TOKEN_SECRET must be at least 32 characters\.$/],
    [{ ...base, DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be sqlite:<path>/],
    [{ ...base, REDIS_URL: 'http://x' }, /^REDIS_URL must be a URL starting with redis:\/\/ or rediss:\/\/\.$/],
    [{ ...base, PANGOLIN_RETRY_ATTEMPTS: '0' }, /^PANGOLIN_RETRY_ATTEMPTS must be at least 1\.$/]
  ]
  for (const [env, expected] of cases) t.match(message(env), expected)
  t.equal(cases.length, 10)
})

t.test('a PostgreSQL URL is accepted with a bounded pool size', async (t) => {
  const config = loadConfig({ ...base, DATABASE_URL: 'postgres://gw@db:5432/gw', DATABASE_POOL_MAX: '25' })
  t.equal(config.databaseUrl, 'postgres://gw@db:5432/gw')
  t.equal(config.databasePoolMax, 25)
  t.equal(loadConfig(base).databasePoolMax, 10)
  t.match(message({ ...base, DATABASE_POOL_MAX: '0' }), /^DATABASE_POOL_MAX must be at least 1\.$/)
})

t.test('serve requires the upstream address, a key and the token secret', async (t) => {
  t.match(message({ ...base, PANGOLIN_URL: undefined }), /^PANGOLIN_URL is required/)
  t.match(message({ ...base, PANGOLIN_API_KEY: undefined }), /^PANGOLIN_API_KEY, PANGOLIN_API_KEY_FILE or PANGOLIN_KEYS_FILE is required\.$/)
  t.match(message({ ...base, GATEWAY_TOKEN_SECRET: undefined }), /^GATEWAY_TOKEN_SECRET is required/)
  t.equal(message({}, { requireUpstream: false }), 'no error')
})

t.test('the key sources are exclusive and files are read and checked', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-config-'))
  const keyFile = join(dir, 'key')
  writeFileSync(keyFile, `${KEY}\n`)
  const config = loadConfig({ ...base, PANGOLIN_API_KEY: undefined, PANGOLIN_API_KEY_FILE: keyFile }, { requireUpstream: true })
  t.same(config.pangolin.keys, [{ primary: KEY, orgs: '*' }])

  t.match(message({ ...base, PANGOLIN_API_KEY_FILE: keyFile }), /^Set only one of/)
  t.match(message({ ...base, PANGOLIN_API_KEY: undefined, PANGOLIN_API_KEY_FILE: join(dir, 'missing') }),
    /^PANGOLIN_API_KEY_FILE names a file that cannot be read \(ENOENT\)\.$/)

  const keysFile = join(dir, 'keys.json')
  writeFileSync(keysFile, JSON.stringify({ keys: [{ key: KEY, secondary: KEY, orgs: ['acme'] }, { key: KEY, orgs: '*' }] }))
  const multi = loadConfig({ ...base, PANGOLIN_API_KEY: undefined, PANGOLIN_KEYS_FILE: keysFile }, { requireUpstream: true })
  t.equal(multi.pangolin.keys.length, 2)
  t.same(multi.pangolin.keys[0]?.orgs, ['acme'])

  writeFileSync(keysFile, JSON.stringify({ keys: [{ key: 'oops', orgs: '*' }] }))
  const bad = message({ ...base, PANGOLIN_API_KEY: undefined, PANGOLIN_KEYS_FILE: keysFile })
  t.match(bad, /^PANGOLIN_KEYS_FILE is invalid at keys\.0\.key: must look like <apiKeyId>\.<secret>\.$/)
  t.notMatch(bad, /oops/, 'the message never echoes a key value')
  writeFileSync(keysFile, '{not json')
  t.match(message({ ...base, PANGOLIN_API_KEY: undefined, PANGOLIN_KEYS_FILE: keysFile }), /^PANGOLIN_KEYS_FILE is not valid JSON\.$/)
})

t.test('GraphiQL and introspection are on in development and off in production by default', async (t) => {
  t.equal(loadConfig(base).graphiql, true)
  const prod = loadConfig({ ...base, NODE_ENV: 'production' })
  t.equal(prod.graphiql, false)
  t.equal(prod.introspection, false)
  t.equal(loadConfig({ ...base, NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection, true)
})
