import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { GatewayError } from '../errors.js'
import type { SharedRedis } from './redis.js'

export interface UpstreamBudgetOptions {
  /** Calls in flight toward Pangolin across every replica. */
  maxInFlight: number
  /** How long a call may wait for a slot before it fails, as the local limiter's queue. */
  queueTimeoutMs: number
  /**
   * How long a slot lives unless released: longer than any one upstream attempt, so that only
   * the slots of a crashed replica (which never releases them) ever expire.
   */
  slotTtlMs: number
}

/*
 * One sorted set of slot tokens scored by their expiry, on Redis's clock so that replicas with
 * skewed clocks agree. Expired slots are dropped first, so a replica killed mid-call frees its
 * slots after slotTtlMs without anyone's help.
 */
const ACQUIRE = `
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`

const noop = (): void => {}

/**
 * A counting semaphore in Redis: the shared cap on calls toward Pangolin, taken after the local
 * limiter's slot. Waiters poll with a jittered pause rather than queue, so the order among
 * replicas is not first-come first-served; the cap itself is exact while Redis answers.
 * When Redis does not answer the call goes ahead under the local limit alone.
 */
export class RedisUpstreamBudget {
  readonly #redis: SharedRedis
  readonly #key: string
  readonly #options: UpstreamBudgetOptions

  constructor (redis: SharedRedis, options: UpstreamBudgetOptions) {
    this.#redis = redis
    this.#key = `${redis.keyPrefix}upstream-in-flight`
    this.#options = options
  }

  async acquire (signal?: AbortSignal): Promise<() => void> {
    const token = randomUUID()
    const deadline = Date.now() + this.#options.queueTimeoutMs
    let pauseMs = 2

    for (;;) {
      signal?.throwIfAborted()
      if (!this.#redis.ready) return noop

      let granted: unknown
      try {
        granted = await this.#redis.client.eval(ACQUIRE, 1, this.#key,
          this.#options.maxInFlight, this.#options.slotTtlMs, token)
      } catch (err) {
        this.#redis.noteFailure(err)
        return noop
      }
      if (granted === 1) return this.#releaser(token)

      if (Date.now() >= deadline) {
        throw new GatewayError('UPSTREAM_UNAVAILABLE', 'pangolin request queue is timed out', {
          extensions: { reason: 'queue-timed-out' }
        })
      }
      await sleep(pauseMs + Math.random() * pauseMs, undefined, signal === undefined ? {} : { signal })
      pauseMs = Math.min(pauseMs * 2, 25)
    }
  }

  #releaser (token: string): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      // A lost release only keeps the slot until it expires.
      this.#redis.client.zrem(this.#key, token).catch((err: unknown) => this.#redis.noteFailure(err))
    }
  }
}
