import { GatewayError } from '../errors.js'

export interface LimiterOptions {
  /** Requests allowed in flight toward Pangolin at once. */
  maxInFlight?: number
  /** How long a call may wait for a slot before it fails. */
  queueTimeoutMs?: number
  /** How many calls may wait; the next one fails at once. */
  maxQueued?: number
}

interface Waiter {
  grant: (release: () => void) => void
  fail: (err: unknown) => void
  timer: NodeJS.Timeout
}

function unavailable (why: 'full' | 'timed out' | 'closed'): GatewayError {
  return new GatewayError('UPSTREAM_UNAVAILABLE', `pangolin request queue is ${why}`, {
    extensions: { reason: `queue-${why.replace(' ', '-')}` }
  })
}

/**
 * A bounded number of requests in flight with a FIFO queue. Pangolin checks an argon2 hash on every
 * call, so a burst beyond a few dozen requests only makes every one of them slower.
 */
export class Limiter {
  readonly maxInFlight: number
  readonly queueTimeoutMs: number
  readonly maxQueued: number
  #inFlight = 0
  #closed = false
  readonly #queue: Waiter[] = []

  constructor (options: LimiterOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 16
    this.queueTimeoutMs = options.queueTimeoutMs ?? 5000
    this.maxQueued = options.maxQueued ?? 10_000
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) {
      throw new TypeError('maxInFlight must be a positive integer')
    }
  }

  get inFlight (): number {
    return this.#inFlight
  }

  get queued (): number {
    return this.#queue.length
  }

  /** Resolves with a release function once a slot is free. */
  acquire (signal?: AbortSignal): Promise<() => void> {
    if (this.#closed) return Promise.reject(unavailable('closed'))
    signal?.throwIfAborted()

    if (this.#inFlight < this.maxInFlight) {
      this.#inFlight++
      return Promise.resolve(this.#releaser())
    }
    if (this.#queue.length >= this.maxQueued) return Promise.reject(unavailable('full'))

    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#remove(waiter)
        reject(signal?.reason)
      }
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(release)
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort)
          reject(err)
        },
        timer: setTimeout(() => {
          this.#remove(waiter)
          waiter.fail(unavailable('timed out'))
        }, this.queueTimeoutMs)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#queue.push(waiter)
    })
  }

  /** Fails every waiting call; calls in flight finish normally. */
  close (): void {
    this.#closed = true
    for (const waiter of this.#queue.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.fail(unavailable('closed'))
    }
  }

  #remove (waiter: Waiter): void {
    clearTimeout(waiter.timer)
    const i = this.#queue.indexOf(waiter)
    if (i !== -1) this.#queue.splice(i, 1)
  }

  #releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.#queue.shift()
      if (next === undefined) {
        this.#inFlight--
        return
      }
      // The slot passes straight to the next waiter, so the count does not change.
      clearTimeout(next.timer)
      next.grant(this.#releaser())
    }
  }
}
