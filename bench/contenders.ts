/**
 * Starting the upstream and each contender as its own process, on loopback ports, against the
 * same emulator and data.
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SEED_KEYS } from '../src/emulator/seed.js'
import type { EmulatorReady } from './emulator.js'
import { forkReady, runToEnd, spawnLogged } from './processes.js'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const GATEWAY_MAIN = join(HERE, '..', 'src', 'cli', 'main.js')

export const UPSTREAM_KEY = SEED_KEYS.root

export interface Running {
  name: string
  child: ChildProcess
  url: string
}

export interface Upstream extends Running {
  ready: EmulatorReady
}

export async function startUpstream (latencyMs: number): Promise<Upstream> {
  const { child, ready } = await forkReady<EmulatorReady>(join(HERE, 'emulator.js'), {
    EMULATOR_LATENCY_MS: String(latencyMs)
  })
  return { name: 'emulator', child, url: ready.url, ready }
}

export async function startPassthrough (upstream: Upstream): Promise<Running> {
  const { child, ready } = await forkReady<{ type: string, url: string }>(join(HERE, 'passthrough.js'), {
    NODE_ENV: 'production',
    UPSTREAM_URL: upstream.url,
    UPSTREAM_KEY
  })
  return { name: 'passthrough', child, url: ready.url }
}

export interface ApolloRunning extends Running { token: string }

export async function startApollo (upstream: Upstream): Promise<ApolloRunning> {
  const token = randomBytes(24).toString('base64url')
  const { child, ready } = await forkReady<{ type: string, url: string }>(join(HERE, 'apollo', 'server.js'), {
    NODE_ENV: 'production',
    UPSTREAM_URL: upstream.url,
    UPSTREAM_KEY,
    APOLLO_TOKEN: token
  })
  return { name: 'apollo', child, url: ready.url, token }
}

export interface GatewaySetup {
  env: NodeJS.ProcessEnv
  token: string
}

/**
 * A store and a client for a gateway: the client is created with the CLI on the same SQLite file
 * the gateway will serve from, as an operator would.
 */
export async function prepareGateway (dir: string, name: string, upstream: Upstream): Promise<GatewaySetup> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PANGOLIN_URL: upstream.url,
    PANGOLIN_API_KEY: UPSTREAM_KEY,
    DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
    GATEWAY_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    // The default (600 a minute per client) is for production callers, not for a load generator.
    RATE_LIMIT_MAX: '1000000'
  }
  const out = await runToEnd([GATEWAY_MAIN, 'clients', 'create', '--name', 'bench', '--orgs', '*', '--scopes', 'read,provision'], env)
  const token = /token \(shown once, store it now\): (\S+)/.exec(out)?.[1]
  if (token === undefined) throw new Error(`clients create printed no token: ${out}`)
  return { env, token }
}

/** `pangolin-gateway serve`, its log (stdout) going to a file as in production. */
export async function startGateway (
  setup: GatewaySetup, logPath: string, nodeFlags: string[] = [], name = 'gateway'
): Promise<Running> {
  const { child, line } = await spawnLogged([...nodeFlags, GATEWAY_MAIN, 'serve'], setup.env, logPath, '"gateway listening"')
  return { name, child, url: String(line.url) }
}
