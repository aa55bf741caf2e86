import type { SharedRedis } from './redis.js'

// A fixed window per key: the first hit of a window sets its expiry, later hits only count.
const INCREMENT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`

/** Rate-limit counters that every replica increments, one Redis key per client and window. */
export class RedisRateCounters {
  readonly #redis: SharedRedis
  readonly #prefix: string

  constructor (redis: SharedRedis) {
    this.#redis = redis
    this.#prefix = `${redis.keyPrefix}rate:`
  }

  get ready (): boolean {
    return this.#redis.ready
  }

  /** The count of `key`'s window after this hit, and the milliseconds left in it. */
  async increment (key: string, windowMs: number): Promise<{ current: number, ttl: number }> {
    const [current, ttl] = await this.#redis.client.eval(INCREMENT, 1, this.#prefix + key, windowMs) as [number, number]
    return { current, ttl }
  }

  noteFailure (err: unknown): void {
    this.#redis.noteFailure(err)
  }
}
