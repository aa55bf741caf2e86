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
  t.teardown(async () => {
    await gateway.close()
    await emulator.close()
  })

  let n = 0
  return {
    gateway,
    emulator,
    logs,
    async token (scopes, orgs = '*') {
      const { token } = await gateway.services.clients.create({ name: `test-${++n}`, orgs, scopes })
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
      return { status: response.status, body: JSON.parse(text), text }
    }
  }
}
