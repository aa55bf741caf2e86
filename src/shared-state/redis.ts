import { Redis } from 'ioredis'
import type { Logger } from 'pino'

export type SharedStateHealth = 'ok' | 'degraded'

export interface SharedRedisOptions {
  url: string
  /** Prepended to every key this gateway writes. */
  keyPrefix: string
  logger: Logger
  /** How long start-up waits for a first connection before going on without it. Default 1000. */
  startTimeoutMs?: number
}

/**
 * The Redis connection that replicas share rate limits and the upstream budget through. Redis is an
 * optimisation of fairness, not of correctness: when it is unreachable every caller falls back to
 * what this process knows, so nothing here may make a request wait on a dead Redis. Hence no
 * offline queue (a command fails at once while disconnected), one retry per command, short
 * timeouts, and a reconnect loop that never gives up.
 */
export class SharedRedis {
  readonly client: Redis
  readonly keyPrefix: string
  readonly #logger: Logger
  #degraded = false
  #lastSlowWarning = 0

  constructor (options: SharedRedisOptions) {
    this.keyPrefix = options.keyPrefix
    this.#logger = options.logger
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1_000,
      commandTimeout: 500,
      retryStrategy: (times) => Math.min(100 * times, 2_000)
    })
    this.client.on('error', (err) => this.#onError(err))
    this.client.on('ready', () => {
      if (this.#degraded) this.#logger.info('redis reachable again; limits are shared across replicas')
      this.#degraded = false
    })
    this.client.on('end', () => this.#markDegraded())
  }

  /** Connected and able to answer commands now. */
  get ready (): boolean {
    return this.client.status === 'ready'
  }

  health (): SharedStateHealth {
    return this.ready ? 'ok' : 'degraded'
  }

  /** Connects, waiting at most `timeoutMs`; a failure only logs, the reconnect loop goes on. */
  async start (timeoutMs = 1_000): Promise<void> {
    const connected = this.client.connect().then(() => true, () => false)
    const timedOut = new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref())
    if (!await Promise.race([connected, timedOut])) this.#markDegraded()
  }

  /** A command failed and its caller fell back to this process's own state. */
  noteFailure (err: unknown): void {
    if (!this.ready) return this.#markDegraded(err)
    // Connected but slow (a command timeout): worth a line, not one per request.
    const now = Date.now()
    if (now - this.#lastSlowWarning < 10_000) return
    this.#lastSlowWarning = now
    this.#logger.warn({ err }, 'redis command failed; this call used per-process state')
  }

  async close (): Promise<void> {
    this.client.removeAllListeners('end')
    this.client.disconnect()
  }

  #onError (err: Error): void {
    this.#markDegraded(err)
  }

  /** Once per outage: a reconnect loop emits 'error' at every attempt. */
  #markDegraded (err?: unknown): void {
    if (this.#degraded) return
    this.#degraded = true
    this.#logger.warn({ err }, 'redis unreachable; rate limits and the upstream cap are per-process until it is back')
  }
}
