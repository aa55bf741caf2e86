import type { Logger } from 'pino'
import { RedisRateCounters } from './rate-counters.js'
import { SharedRedis, type SharedStateHealth } from './redis.js'
import { RedisUpstreamBudget } from './upstream-budget.js'

export type { SharedStateHealth }

export interface SharedStateOptions {
  redisUrl: string
  keyPrefix: string
  logger: Logger
  /** PANGOLIN_MAX_IN_FLIGHT_GLOBAL; undefined: no shared upstream cap. */
  upstreamMaxInFlight: number | undefined
  upstreamQueueTimeoutMs: number
  upstreamTimeoutMs: number
}

/** What replicas share through Redis: rate-limit counters and, if asked for, the upstream cap. */
export interface SharedState {
  readonly rateCounters: RedisRateCounters
  readonly upstreamBudget: RedisUpstreamBudget | undefined
  health (): SharedStateHealth
  close (): Promise<void>
}

/** Connects (briefly waiting) and returns at once; an unreachable Redis only degrades. */
export async function openSharedState (options: SharedStateOptions): Promise<SharedState> {
  const redis = new SharedRedis({ url: options.redisUrl, keyPrefix: options.keyPrefix, logger: options.logger })
  await redis.start()
  const upstreamBudget = options.upstreamMaxInFlight === undefined
    ? undefined
    : new RedisUpstreamBudget(redis, {
      maxInFlight: options.upstreamMaxInFlight,
      queueTimeoutMs: options.upstreamQueueTimeoutMs,
      // An attempt waits up to one timeout for the headers and one for the body.
      slotTtlMs: 2 * options.upstreamTimeoutMs + 5_000
    })
  return {
    rateCounters: new RedisRateCounters(redis),
    upstreamBudget,
    health: () => redis.health(),
    close: () => redis.close()
  }
}
