export interface RetryBudgetOptions {
  /** Retries allowed per call over the window. */
  ratio?: number
  windowMs?: number
  /** Retries always allowed per window, so a quiet system can still retry. */
  minRetriesPerWindow?: number
  now?: () => number
}

const BUCKETS = 10

/**
 * Caps retries at `ratio` of the calls seen over a sliding window (kept as ten buckets), plus a
 * small floor. When Pangolin fails every call, retries would otherwise multiply the load on it by
 * the number of attempts just when it can least take it.
 */
export class RetryBudget {
  readonly ratio: number
  readonly windowMs: number
  readonly minRetries: number
  readonly #now: () => number
  readonly #calls = new Array<number>(BUCKETS).fill(0)
  readonly #retries = new Array<number>(BUCKETS).fill(0)
  #bucketStart: number
  #bucket = 0

  constructor (options: RetryBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.2
    this.windowMs = options.windowMs ?? 10_000
    this.minRetries = options.minRetriesPerWindow ?? 3
    this.#now = options.now ?? Date.now
    this.#bucketStart = this.#now()
  }

  /** Counts a call (its first attempt). */
  recordCall (): void {
    this.#advance()
    this.#calls[this.#bucket]!++
  }

  /** Takes one retry from the budget if there is one left. */
  tryRetry (): boolean {
    this.#advance()
    const calls = sum(this.#calls)
    const retries = sum(this.#retries)
    if (retries >= Math.max(this.minRetries, Math.floor(calls * this.ratio))) return false
    this.#retries[this.#bucket]!++
    return true
  }

  #advance (): void {
    const width = this.windowMs / BUCKETS
    const steps = Math.floor((this.#now() - this.#bucketStart) / width)
    if (steps <= 0) return
    for (let i = 1; i <= Math.min(steps, BUCKETS); i++) {
      const b = (this.#bucket + i) % BUCKETS
      this.#calls[b] = 0
      this.#retries[b] = 0
    }
    this.#bucket = (this.#bucket + steps) % BUCKETS
    this.#bucketStart += steps * width
  }
}

function sum (xs: number[]): number {
  let s = 0
  for (const x of xs) s += x
  return s
}
