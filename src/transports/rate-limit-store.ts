import type { FastifyRateLimitStore } from '@fastify/rate-limit'

export interface WindowCount {
  current: number
  ttl: number
}

/** Counters shared by the replicas (Redis); `ready` false means unreachable right now. */
export interface SharedCounters {
  readonly ready: boolean
  increment (key: string, windowMs: number): Promise<WindowCount>
  /** Told when `increment` failed and this process counted on its own instead. */
  noteFailure (err: unknown): void
}

/** Bounds the memory of the fallback counters under a flood of distinct IPs. */
const MAX_LOCAL_KEYS = 10_000

/**
 * A fixed window per key, counted in the shared counters while they answer and in this process
 * otherwise. Falling back means each replica admits up to the limit on its own during an outage:
 * looser, but the gateway keeps serving, which matters more than exact fairness.
 */
export class FallbackRateStore implements FastifyRateLimitStore {
  readonly #shared: SharedCounters | undefined
  readonly #local = new Map<string, { current: number, resetAt: number }>()

  constructor (shared: SharedCounters | undefined) {
    this.#shared = shared
  }

  incr (key: string, callback: (error: Error | null, result?: WindowCount) => void, timeWindow: number): void {
    const shared = this.#shared
    if (shared === undefined || !shared.ready) {
      callback(null, this.#countLocally(key, timeWindow))
      return
    }
    shared.increment(key, timeWindow).then((count) => callback(null, count), (err: unknown) => {
      shared.noteFailure(err)
      callback(null, this.#countLocally(key, timeWindow))
    })
  }

  child (): FastifyRateLimitStore {
    return new FallbackRateStore(this.#shared)
  }

  #countLocally (key: string, windowMs: number): WindowCount {
    const now = Date.now()
    let entry = this.#local.get(key)
    if (entry === undefined || entry.resetAt <= now) {
      if (this.#local.size >= MAX_LOCAL_KEYS) this.#sweep(now)
      entry = { current: 0, resetAt: now + windowMs }
      this.#local.set(key, entry)
    }
    entry.current++
    return { current: entry.current, ttl: entry.resetAt - now }
  }

  #sweep (now: number): void {
    for (const [key, entry] of this.#local) if (entry.resetAt <= now) this.#local.delete(key)
    // Still full: every key is live, so the oldest go; they restart their window.
    for (const key of this.#local.keys()) {
      if (this.#local.size < MAX_LOCAL_KEYS) break
      this.#local.delete(key)
    }
  }
}
