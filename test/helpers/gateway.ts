import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { loadConfig } from '../../src/config/index.js'
import { SEED_KEYS, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js'
import { createLogger } from '../../src/observability/logger.js'
import { startGateway, type Gateway } from '../../src/server.js'
import type { Scope } from '../../src/auth/scopes.js'

export interface Teardown { teardown: (fn: () => unknown) => void }

export interface GraphqlAnswer {
  status: number
  body: { data?: any, errors?: Array<{ message: string, extensions?: Record<string, any>, path?: unknown[] }> }
  text: string
}

export interface TestGateway {
  gateway: Gateway
  emulator: Emulator
  /** Every log line the gateway wrote, as text (one JSON object each). */
  logs: string[]
  token (scopes: Scope[], orgs?: '*' | string[]): Promise<string>
  graphql (token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer>
}

/**
 * A seeded emulator and a gateway in front of it on an in-memory store, both on loopback ports,
 * with the gateway's log captured. Everything closes on teardown.
 */
export async function buildGateway (t: Teardown, options: { emulator?: EmulatorOptions, env?: NodeJS.ProcessEnv } = {}): Promise<TestGateway> {
  const emulator = await startEmulator(options.emulator)
  const logs: string[] = []
  const destination = new Writable({
    write (chunk, _encoding, callback) {
      logs.push(...String(chunk).split('\n').filter((l) => l !== ''))
      callback()
    }
  })
  const config = loadConfig({
    PANGOLIN_URL: emulator.url,
    PANGOLIN_API_KEY: SEED_KEYS.root,
    DATABASE_URL: ':memory:',
    GATEWAY_TOKEN_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'debug',
    PANGOLIN_TIMEOUT_MS: '2000',
    ...options.env
  }, { requireUpstream: true })
  const gateway = await startGateway(config, createLogger({ level: config.logLevel, destination }))
  const tokens: string[] = []
  const leaks: string[] = []
  t.teardown(async () => {
    try {
      await checkSecrets(gateway, logs, tokens, leaks)
    } finally {
      await gateway.close()
      await emulator.close()
    }
  })

  let n = 0
  return {
    gateway,
    emulator,
    logs,
    async token (scopes, orgs = '*') {
      const { token } = await gateway.services.clients.create({ name: `test-${++n}`, orgs, scopes })
      tokens.push(token)
      return token
    },
    async graphql (token, query, variables) {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (token !== undefined) headers.authorization = `Bearer ${token}`
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables })
      })
      const text = await response.text()
      // The upstream key never reaches a client; a gateway token only in the answer that creates it.
      if (text.includes(KEY_SECRET)) leaks.push(`response to ${query.slice(0, 60)} carries the Pangolin key`)
      if (!query.includes('createClient') && tokens.some((x) => text.includes(x))) leaks.push(`response to ${query.slice(0, 60)} carries a token`)
      return { status: response.status, body: JSON.parse(text), text }
    }
  }
}

const KEY_SECRET = SEED_KEYS.root.split('.')[1]!

/** Secrets scanned for after every test that uses this helper, faults included. */
export const canaryStats = { gateways: 0, logLines: 0, auditRows: 0, newtSecrets: 0 }

/**
 * The custody promise, checked after every test built on this helper: the Pangolin key, the
 * gateway tokens and every Newt secret the gateway handed out appear in no log line and no audit
 * row, and the key in no response. Throws (failing the test) on the first leak.
 */
async function checkSecrets (gateway: Gateway, logs: string[], tokens: string[], leaks: string[]): Promise<void> {
  const db = gateway.database.db
  const sites = await db.selectFrom('operations').select('id').where('kind', '=', 'createSite').where('status', '=', 'SUCCEEDED').execute()
  const newtSecrets = sites.map((op) => gateway.services.operations.engine.newtSecret(op.id))
  const audit = (await db.selectFrom('audit_events').selectAll().execute()).map((row) => JSON.stringify(row))
  const journal = (await db.selectFrom('operations').select(['input', 'result', 'plan', 'error_message']).execute()).map((row) => JSON.stringify(row))
  const secrets = [KEY_SECRET, ...tokens, ...tokens.map((x) => x.slice(4)), ...newtSecrets]
  for (const secret of secrets) {
    const where = [
      ...logs.filter((l) => l.includes(secret)).map(() => 'a log line'),
      ...audit.filter((l) => l.includes(secret)).map(() => 'an audit row'),
      ...journal.filter((l) => l.includes(secret)).map(() => 'the journal')
    ]
    if (where.length > 0) leaks.push(`a secret (${secret.slice(0, 6)}…) is in ${where.join(', ')}`)
  }
  canaryStats.gateways++
  canaryStats.logLines += logs.length
  canaryStats.auditRows += audit.length
  canaryStats.newtSecrets += newtSecrets.length
  if (leaks.length > 0) throw new Error(`secrets leaked: ${leaks.slice(0, 5).join('; ')}`)
}
