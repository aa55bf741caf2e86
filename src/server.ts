import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './app.js'
import { readKeys, type Config } from './config/index.js'
import { Metrics } from './observability/metrics.js'
import { createServices, type Services } from './services/index.js'
import type { SharedState } from './shared-state/index.js'
import { openDatabase, type Database } from './store/database.js'
import { createPangolinClient, KeyRing } from './upstream/index.js'

export interface Gateway {
  readonly app: FastifyInstance
  readonly services: Services
  readonly database: Database
  readonly keys: KeyRing
  readonly metrics: Metrics
  /** The address the server listens on, e.g. http://127.0.0.1:8080 */
  readonly url: string
  /** Re-reads the upstream keys from the environment's sources (what SIGHUP does). */
  reloadKeys (env?: NodeJS.ProcessEnv): void
  close (): Promise<void>
}

/**
 * Wires the layers bottom-up (store, upstream client, services, transports) and listens. The
 * config is already validated; anything that fails here is an operator problem worth a crash.
 */
export async function startGateway (config: Config, logger: Logger): Promise<Gateway> {
  const database = await openDatabase(config.databaseUrl, {
    poolMax: config.databasePoolMax,
    logger: logger.child({ component: 'store' })
  })
  const applied = await database.migrate()
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied')

  // Loaded only when configured: ioredis alone costs a replica without Redis ~25 MiB of memory.
  const shared: SharedState | undefined = config.redisUrl === undefined
    ? undefined
    : await (await import('./shared-state/index.js')).openSharedState({
      redisUrl: config.redisUrl,
      keyPrefix: config.redisKeyPrefix,
      logger: logger.child({ component: 'redis' }),
      upstreamMaxInFlight: config.pangolin.maxInFlightGlobal,
      upstreamQueueTimeoutMs: config.pangolin.queueTimeoutMs,
      upstreamTimeoutMs: config.pangolin.timeoutMs
    })

  const keys = new KeyRing(config.pangolin.keys)
  const metrics = new Metrics()
  const pangolin = createPangolinClient({
    baseUrl: config.pangolin.url!,
    keys,
    logger: logger.child({ component: 'upstream' }),
    timeoutMs: config.pangolin.timeoutMs,
    maxInFlight: config.pangolin.maxInFlight,
    queueTimeoutMs: config.pangolin.queueTimeoutMs,
    ...(shared?.upstreamBudget === undefined ? {} : { sharedLimiter: shared.upstreamBudget }),
    retry: { attempts: config.pangolin.retryAttempts },
    onCall: metrics.onUpstreamCall
  })

  const services = createServices({
    database,
    pangolin,
    tokenSecret: config.tokenSecret!,
    logger,
    operations: {
      leaseMs: config.operations.leaseMs,
      // A create that timed out may still land for about one upstream timeout more.
      settleMs: config.pangolin.timeoutMs,
      retentionMs: config.operations.retentionMs,
      backoffMs: config.operations.recoveryBackoffMs,
      metrics: metrics.engine
    }
  })
  metrics.watch({
    operationsByStatus: () => services.operations.engine.repo.countByStatus(),
    upstream: () => pangolin.stats()
  })
  const app = await buildApp({
    services,
    logger,
    graphiql: config.graphiql,
    introspection: config.introspection,
    graphqlLimits: config.graphqlLimits,
    graphqlBatching: config.graphqlBatching,
    bodyLimitBytes: config.bodyLimitBytes,
    metrics,
    rateLimit: shared === undefined ? config.rateLimit : { ...config.rateLimit, shared: shared.rateCounters },
    ready: async () => ({
      store: await database.ping().then(() => 'ok' as const, () => 'down' as const),
      pangolin: await pangolin.health().then(() => 'ok' as const, () => 'down' as const),
      ...(shared === undefined ? {} : { redis: shared.health() })
    })
  })

  await app.listen({ host: config.host, port: config.port })
  services.operations.engine.startRecovery(config.operations.recoveryIntervalMs)
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host

  return {
    app,
    services,
    database,
    keys,
    metrics,
    url: `http://${host}:${port}`,
    reloadKeys (env = process.env) {
      const next = readKeys(env.PANGOLIN_API_KEY, env.PANGOLIN_API_KEY_FILE, env.PANGOLIN_KEYS_FILE)
      keys.replace(next)
      logger.info({ keys: next.length }, 'upstream keys reloaded')
    },
    async close () {
      // Stop accepting and drain requests while running operations get their deadline; past
      // it the engine releases their leases, so recovery (here or on another replica) resumes
      // them, and the requests waiting on them answer OPERATION_IN_PROGRESS.
      // Node closes idle keep-alive sockets once, when close starts; a socket whose request
      // finishes later would hold the server open for the whole keep-alive timeout.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50)
      try {
        await Promise.all([
          services.operations.engine.stop(config.operations.shutdownDeadlineMs),
          app.close()
        ])
      } finally {
        clearInterval(sweep)
      }
      await pangolin.close()
      await shared?.close()
      await database.close()
    }
  }
}
