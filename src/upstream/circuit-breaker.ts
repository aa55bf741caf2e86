export type BreakerState = 'closed' | 'open' | 'half-open'

export interface CircuitBreakerOptions {
  /** Consecutive outage failures that open the circuit. */
  failureThreshold?: number
  /** How long the circuit stays open before one probe may pass. */
  resetMs?: number
  now?: () => number
}

/**
 * Fails fast while Pangolin is down, so callers are not held for timeouts and retries that cannot
 * succeed. After `resetMs` one call passes as a probe: its success closes the circuit, its failure
 * opens it for another period. Only outages count (see `isOutage`); a 4xx says Pangolin is up.
 */
export class CircuitBreaker {
  readonly failureThreshold: number
  readonly resetMs: number
  readonly #now: () => number
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #probing = false

  constructor (options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5
    this.resetMs = options.resetMs ?? 10_000
    this.#now = options.now ?? Date.now
  }

  get state (): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.resetMs) return 'half-open'
    return this.#state
  }

  /** Whether an attempt may go out now; in half-open, only the one probe. */
  allow (): boolean {
    const state = this.state
    if (state === 'closed') return true
    if (state === 'open' || this.#probing) return false
    this.#state = 'half-open'
    this.#probing = true
    return true
  }

  /** Pangolin answered (even with a 4xx). */
  onSuccess (): void {
    this.#failures = 0
    this.#probing = false
    this.#state = 'closed'
  }

  onOutage (): void {
    this.#probing = false
    this.#failures++
    if (this.#state === 'half-open' || this.#failures >= this.failureThreshold) {
      this.#state = 'open'
      this.#openedAt = this.#now()
    }
  }

  /** The attempt ended without telling us anything about Pangolin (aborted by the caller). */
  onAbandon (): void {
    this.#probing = false
  }
}
