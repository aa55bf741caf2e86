import type { Failure } from './error-map.js'

/**
 * Retries are decided per route class, never per HTTP method (product.md, section 3).
 *
 * Why a create is never blindly retried
 * -------------------------------------
 * Pangolin creates with `PUT` (`PUT /org/:orgId/site`, `…/resource`, `…/site-resource`,
 * `PUT /resource/:id/target`), and none of those handlers is idempotent. HTTP calls `PUT`
 * idempotent, so a generic client (undici's retry handler, most HTTP libraries, proxies) feels free
 * to send it again after a reset or a timeout. Here that is wrong in two ways:
 *
 *  - a target with the same (site, ip, port, method) is created again without complaint, and so is
 *    a raw resource on the same port and a site resource without an alias: a blind retry leaves a
 *    silent duplicate that routes traffic and that nobody asked for;
 *  - a site with the same niceId, or a resource with the same fullDomain, answers 409 on the
 *    second try, so the caller is told "conflict" about the object it has just created, and tends
 *    to compensate (delete) its own success.
 *
 * A failure is only safe to retry when Pangolin cannot have acted: the connection was never made,
 * or Pangolin answered before running the handler (429 from the rebuild limiter, 503 from a proxy
 * in front of it). A reset or timeout after the request left, a 502 or a 504 from a proxy, are
 * ambiguous: the create may have been committed. Then the only safe move is to look the object up
 * by its natural key (the caller's `reconcile`) and send the create again only if it is absent.
 * Without a way to look it up, the client gives up and says the outcome is unknown, rather than
 * guess.
 *
 * The transport never retries on its own (see http.ts): every attempt passes through here.
 */
export type RouteClass = 'read' | 'create' | 'grant' | 'update' | 'delete'

export type Decision = 'retry' | 'reconcile' | 'fail'

/** The request may have reached Pangolin's handler, and no answer says what happened. */
export function isAmbiguous (failure: Failure): boolean {
  if (failure.kind === 'network') return failure.sent
  return failure.kind === 'status' && (failure.status === 502 || failure.status === 504)
}

/** Signs that Pangolin (or the path to it) is down, as the circuit breaker counts them. */
export function isOutage (failure: Failure): boolean {
  if (failure.kind === 'network') return true
  return failure.kind === 'status' && (failure.status === 502 || failure.status === 503 || failure.status === 504)
}

export function decide (routeClass: RouteClass, failure: Failure): Decision {
  if (failure.kind === 'html-404' || failure.kind === 'invalid-response') return 'fail'

  if (routeClass === 'create') {
    if (failure.kind === 'network' && !failure.sent) return 'retry'
    if (failure.kind === 'status' && (failure.status === 429 || failure.status === 503)) return 'retry'
    return isAmbiguous(failure) ? 'reconcile' : 'fail'
  }

  // read, grant, update, delete: repeating them leaves the same state behind.
  if (failure.kind === 'network') return 'retry'
  return failure.status === 429 || failure.status >= 500 ? 'retry' : 'fail'
}

/** A remove answered "not found in (site) resource": the grant is absent, as asked. */
export function isAbsentGrant (failure: Failure): boolean {
  return failure.kind === 'status' && failure.status === 404 &&
    /not found in (site )?resource/i.test(failure.message ?? '')
}

/** An add answered "already assigned": the grant is present, as asked. */
export function isPresentGrant (failure: Failure): boolean {
  return failure.kind === 'status' && failure.status === 409
}

/** A delete answered 404: the object is gone, as asked. */
export function isGone (failure: Failure): boolean {
  return failure.kind === 'status' && failure.status === 404
}

export interface BackoffOptions {
  baseDelayMs: number
  maxDelayMs: number
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(retry - 1))]. */
export function backoffDelay (retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry - 1))
  return Math.floor(random() * ceiling)
}
