import { GatewayError } from '../errors.js'
import type { HtmlNotFound, InvalidResponse, StatusFailure } from './envelope.js'

export interface NetworkFailure { kind: 'network', sent: boolean, code: string }

/** Why one attempt failed, with nothing of the request or the raw body in it. */
export type Failure = StatusFailure | HtmlNotFound | InvalidResponse | NetworkFailure

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

/** The org key lacks an action or an org: Pangolin's checks all start with these words. */
export function isKeyRefusal (failure: Failure): boolean {
  return failure.kind === 'status' && failure.status === 403 &&
    (failure.message ?? '').startsWith('Key does not have')
}

export function describeFailure (failure: Failure): string {
  switch (failure.kind) {
    case 'status': return `HTTP ${failure.status}`
    case 'html-404': return 'HTML 404'
    case 'invalid-response': return `unexpected body with HTTP ${failure.status}`
    case 'network': return TIMEOUT_CODES.has(failure.code) ? `timeout (${failure.code})` : failure.code
  }
}

/**
 * Maps a failed upstream call to the gateway's error catalogue. Only Pangolin's `message` is passed
 * on, and only for answers that are the caller's business (400, 402, 403, 404, 409); the rest say
 * what happened without upstream detail. `route` is the template, never the filled-in URL.
 */
export function mapFailure (failure: Failure, route: string, scrub: (s: string) => string = (s) => s): GatewayError {
  const base = { upstreamRoute: route }

  if (failure.kind === 'network') {
    const timeout = TIMEOUT_CODES.has(failure.code)
    return new GatewayError('UPSTREAM_UNAVAILABLE',
      timeout ? 'pangolin did not answer in time' : 'pangolin could not be reached',
      { extensions: { ...base, reason: timeout ? 'timeout' : 'network', errorCode: failure.code } })
  }
  if (failure.kind === 'html-404') {
    return new GatewayError('UPSTREAM_UNAVAILABLE', 'pangolin does not know this route; check PANGOLIN_URL',
      { extensions: { ...base, reason: 'unknown-route' } })
  }
  if (failure.kind === 'invalid-response') {
    return new GatewayError('UPSTREAM_UNAVAILABLE', 'pangolin answered with an unexpected body',
      { extensions: { ...base, reason: 'invalid-response', upstreamStatus: failure.status } })
  }

  const { status } = failure
  const message = scrub(failure.message ?? `HTTP ${status}`)
  const ext = { ...base, upstreamStatus: status }

  if (status === 401 || isKeyRefusal(failure)) {
    // An operator problem: the client learns that, and nothing about the key.
    return new GatewayError('UPSTREAM_CREDENTIALS', 'pangolin refused the gateway credentials', { extensions: ext })
  }
  if (status === 404) return new GatewayError('NOT_FOUND', message, { extensions: ext })
  if (status === 409) return new GatewayError('CONFLICT', message, { extensions: ext })
  if (status === 429) {
    return new GatewayError('UPSTREAM_RATE_LIMITED', 'pangolin is rate limiting requests; retry later', { extensions: ext })
  }
  if (status >= 500) {
    return new GatewayError('UPSTREAM_UNAVAILABLE', `pangolin is unavailable (HTTP ${status})`, { extensions: ext })
  }
  // 400, 402, other 403s, 413 and the like: Pangolin refused the request itself.
  return new GatewayError('UPSTREAM_REJECTED', message, { extensions: ext })
}
