import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { z } from 'zod'
import { GatewayError } from '../errors.js'
import type { CircuitBreaker } from './circuit-breaker.js'
import type { Limiter } from './concurrency.js'
import { readEnvelope } from './envelope.js'
import { describeFailure, isKeyRefusal, mapFailure, type Failure } from './error-map.js'
import type { Transport, UpstreamRequest } from './http.js'
import type { KeyRing } from './key-ring.js'
import type { RetryBudget } from './retry-budget.js'
import { backoffDelay, decide, isOutage, type BackoffOptions, type RouteClass } from './retry-policy.js'
import type { CallContext } from './types.js'

export interface CallRecord {
  method: string
  /** The route template, e.g. `PUT /org/:orgId/resource` is method plus this. */
  route: string
  status: number | 'error'
  attempt: number
  durationMs: number
}

export interface CallSpec<T> {
  method: UpstreamRequest['method']
  /** The route template, e.g. `/org/:orgId/resource`. */
  route: string
  params?: Record<string, string | number>
  query?: UpstreamRequest['query']
  body?: unknown
  routeClass: RouteClass
  schema: z.ZodType<T>
  ctx?: CallContext | undefined
  /** Create class only: finds the object after an ambiguous failure. */
  reconcile?: (() => Promise<T | undefined>) | undefined
  /** A failure that means the goal is already met (a grant present, an object gone). */
  done?: (failure: Failure) => boolean
  /** The value returned when `done` says so. */
  doneValue?: T
  /** False for the health route, which needs no key and answers outside the envelope. */
  authenticated?: boolean
}

/** A cap shared with other replicas, taken after the local limiter's slot. */
export interface SharedLimiter {
  /** Resolves with a release function once a slot is free. */
  acquire (signal?: AbortSignal): Promise<() => void>
}

export interface CallerDeps {
  transport: Transport
  keys: KeyRing
  limiter: Limiter
  sharedLimiter?: SharedLimiter | undefined
  budget: RetryBudget
  breaker: CircuitBreaker
  logger: Logger
  attempts: number
  backoff: BackoffOptions
  onCall?: ((record: CallRecord) => void) | undefined
}

function fillPath (route: string, params: Record<string, string | number> = {}): string {
  return route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new TypeError(`missing path parameter ${name}`)
    return encodeURIComponent(String(value))
  })
}

function circuitOpen (route: string): GatewayError {
  return new GatewayError('UPSTREAM_UNAVAILABLE', 'pangolin is unavailable (circuit open)', {
    extensions: { upstreamRoute: route, reason: 'circuit-open' }
  })
}

function ambiguous (route: string, cause?: unknown): GatewayError {
  return new GatewayError('UPSTREAM_UNAVAILABLE',
    'pangolin did not confirm the create; the object may or may not exist', {
      cause,
      extensions: { upstreamRoute: route, ambiguous: true }
    })
}

/**
 * Runs one logical upstream call: key selection, the concurrency slot, the circuit breaker, the
 * retry policy of its route class, envelope parsing and error mapping. Every attempt is one
 * request; nothing below this retries.
 */
export class Caller {
  readonly #d: CallerDeps

  constructor (deps: CallerDeps) {
    this.#d = deps
  }

  async call<T> (spec: CallSpec<T>): Promise<T> {
    const d = this.#d
    const log = spec.ctx?.log ?? d.logger
    const signal = spec.ctx?.signal
    const route = `${spec.method} ${spec.route}`
    const keys: ReadonlyArray<string | undefined> =
      spec.authenticated === false ? [undefined] : d.keys.keysFor(spec.ctx?.orgId)
    const request: UpstreamRequest = {
      method: spec.method,
      path: fillPath(spec.route, spec.params),
      query: spec.query,
      body: spec.body,
      signal
    }

    d.budget.recordCall()
    let keyIndex = 0
    let attempt = 0

    for (;;) {
      attempt++
      if (!d.breaker.allow()) throw circuitOpen(route)

      const key = keys[keyIndex]
      const failure = await this.#attempt(spec, request, key, attempt, log)
      if (!('kind' in failure)) return failure.value

      if (spec.done?.(failure) === true) return spec.doneValue as T

      if (failure.kind === 'status' && failure.status === 401 && key !== undefined) {
        d.keys.markRefused(key)
        if (keyIndex + 1 < keys.length) {
          keyIndex++
          attempt--
          log.warn({ route }, 'pangolin refused an upstream key; trying its pair')
          continue
        }
      }
      if (failure.kind === 'status' && (failure.status === 401 || isKeyRefusal(failure))) {
        log.error({ route, upstreamStatus: failure.status }, 'pangolin refused the gateway key')
        throw mapFailure(failure, route)
      }
      if (failure.kind === 'html-404') {
        log.error({ route }, 'pangolin answered an html 404: PANGOLIN_URL probably does not end in /v1')
      }

      const decision = decide(spec.routeClass, failure)
      if (decision === 'fail') throw mapFailure(failure, route, (s) => d.keys.scrub(s))

      if (decision === 'reconcile') {
        if (spec.reconcile === undefined) {
          log.warn({ route, attempt, reason: describeFailure(failure) }, 'ambiguous create; not resent')
          throw ambiguous(route, mapFailure(failure, route))
        }
        let found: T | undefined
        try {
          found = await spec.reconcile()
        } catch (err) {
          log.warn({ route, attempt, err }, 'reconcile after an ambiguous create failed')
          throw ambiguous(route, err)
        }
        if (found !== undefined) {
          log.info({ route, attempt }, 'reconciled')
          return found
        }
        log.info({ route, attempt }, 'reconcile found nothing; the create can be sent again')
      }

      if (attempt >= d.attempts || !d.budget.tryRetry()) {
        const why = attempt >= d.attempts ? 'retries exhausted' : 'retry budget exhausted'
        log.warn({ route, attempt, reason: describeFailure(failure) }, `pangolin call failed: ${why}`)
        throw mapFailure(failure, route, (s) => d.keys.scrub(s))
      }

      const delayMs = backoffDelay(attempt, d.backoff)
      log.info({ route, attempt, delayMs, reason: describeFailure(failure) }, 'retrying pangolin call')
      await sleep(delayMs, undefined, { signal })
    }
  }

  /** One request: returns the parsed value, or why it failed. */
  async #attempt<T> (
    spec: CallSpec<T>, request: UpstreamRequest, key: string | undefined, attempt: number, log: Logger
  ): Promise<{ value: T } | Failure> {
    const d = this.#d
    const release = await d.limiter.acquire(request.signal)
    let releaseShared: (() => void) | undefined
    try {
      releaseShared = await d.sharedLimiter?.acquire(request.signal)
    } catch (err) {
      release()
      throw err
    }
    const started = performance.now()
    let outcome
    try {
      outcome = await d.transport.send({ ...request, key })
    } catch (err) {
      d.breaker.onAbandon()
      throw err
    } finally {
      releaseShared?.()
      release()
    }
    const durationMs = Math.round((performance.now() - started) * 100) / 100
    const status = outcome.kind === 'response' ? outcome.status : 'error'
    this.#record(log, { method: spec.method, route: spec.route, status, attempt, durationMs })

    if (outcome.kind === 'network') {
      d.breaker.onOutage()
      return { kind: 'network', sent: outcome.sent, code: outcome.code }
    }

    const answer = spec.authenticated === false && outcome.status < 300
      ? { ok: true as const, data: outcome.json }
      : readEnvelope(outcome.status, outcome.html, outcome.json)
    if (!answer.ok) {
      if (isOutage(answer.failure)) d.breaker.onOutage()
      else d.breaker.onSuccess()
      return answer.failure
    }

    d.breaker.onSuccess()
    if (key !== undefined) d.keys.markAccepted(key)
    const parsed = spec.schema.safeParse(answer.data)
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), code: i.code }))
      log.error({ route: `${spec.method} ${spec.route}`, issues }, 'pangolin answered with an unexpected body')
      return { kind: 'invalid-response', status: outcome.status }
    }
    return { value: parsed.data }
  }

  #record (log: Logger, record: CallRecord): void {
    log.debug(record, 'pangolin call')
    if (this.#d.onCall === undefined) return
    try {
      this.#d.onCall(record)
    } catch (err) {
      log.warn({ err }, 'onCall hook threw')
    }
  }
}
