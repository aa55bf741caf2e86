import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { SEED_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { ClientService } from '../../src/services/clients.js'
import { ClientsRepo } from '../../src/store/clients-repo.js'
import { openDatabase, type Database } from '../../src/store/database.js'
import { startGatewayProcess, type GatewayProcess } from './process.js'
import { createPostgresDatabase, type TapTest } from './store.js'

/** The server .ci/run starts; PGW_TEST_REDIS_URL points elsewhere. */
export const REDIS_URL = process.env.PGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface Cluster {
  emulator: Emulator
  database: Database
  /** A client allowed to read and provision in org acme. */
  token: string
  /** The environment every replica of this cluster shares. */
  env: NodeJS.ProcessEnv
  /** Starts one more replica, killed on teardown. */
  start (env?: NodeJS.ProcessEnv): Promise<GatewayProcess>
}

/**
 * One emulator and one throw-away PostgreSQL database with a client in it: what several gateway
 * processes share. Everything is stopped and dropped on teardown.
 */
export async function cluster (t: TapTest, env: NodeJS.ProcessEnv = {}): Promise<Cluster> {
  const databaseUrl = await createPostgresDatabase(t)
  const database = await openDatabase(databaseUrl, { poolMax: 5 })
  t.teardown(() => database.close())
  await database.migrate()
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())

  const secret = randomBytes(32).toString('hex')
  const clients = new ClientService(new ClientsRepo(database.db), secret)
  const { token } = await clients.create({ name: 'replicas', orgs: ['acme'], scopes: ['provision', 'read'] })
  const shared = {
    PANGOLIN_URL: emulator.url,
    PANGOLIN_API_KEY: SEED_KEYS.root,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '5',
    GATEWAY_TOKEN_SECRET: secret,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...env
  }
  return {
    emulator,
    database,
    token,
    env: shared,
    async start (extra = {}) {
      const gateway = await startGatewayProcess({ ...shared, ...extra })
      t.teardown(async () => {
        gateway.child.kill('SIGKILL')
        await gateway.exited
      })
      return gateway
    }
  }
}

/** A key prefix of its own for this test, and its keys removed on teardown. */
export function redisPrefix (t: TapTest): string {
  const prefix = `pgw-test-${randomBytes(6).toString('hex')}:`
  t.teardown(async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
    await redis.connect()
    try {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
    } finally {
      redis.disconnect()
    }
  })
  return prefix
}

/** Sends `count` calls at once, alternating between the replicas. */
export function spread<T> (replicas: GatewayProcess[], count: number, send: (url: string, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => send(replicas[i % replicas.length]!.url, i)))
}
