import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GatewayError } from '../errors.js'
import { FallbackRateStore, type SharedCounters } from './rate-limit-store.js'

export interface RateLimitOptions {
  /** Requests per window for one client, or one IP before authentication. */
  max: number
  windowMs: number
  /**
   * Where the counters live. Absent: this process's memory, so each replica counts on its own.
   * Shared counters (Redis) hold one budget across replicas, and this process's memory stands in
   * while they are unreachable.
   */
  shared?: SharedCounters
}

/** Probes and scrapes must answer even when a client floods the gateway. */
const UNLIMITED = new Set(['/healthz', '/readyz', '/metrics'])

/** The counter a request spends from: its client's, or its IP's when nobody is authenticated. */
export function rateLimitKey (request: FastifyRequest): string {
  const clientId = request.principal?.clientId
  return clientId === undefined ? `ip:${request.ip}` : `client:${clientId}`
}

/**
 * Per-client rate limits. The limiter runs in each route's `onRequest`, after the instance-level
 * authentication hook, so the caller is known; the refusal is a RATE_LIMITED GatewayError that the
 * app's error handler answers in the route's own shape, with a `Retry-After` header.
 */
async function limits (app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.windowMs,
    hook: 'onRequest',
    store: class extends FallbackRateStore {
      constructor () { super(options.shared) }
    },
    keyGenerator: rateLimitKey,
    allowList: (request) => UNLIMITED.has(request.routeOptions.url ?? ''),
    onExceeded: (request, key) => {
      request.log.info({ key }, 'rate limited')
    },
    errorResponseBuilder: (_request, context) => {
      // The same rounding as the plugin's Retry-After header, so the two always agree.
      const retryAfter = Math.ceil(context.ttl / 1000)
      return new GatewayError('RATE_LIMITED', `Too many requests; retry in ${retryAfter} s.`, {
        extensions: { retryAfter }
      })
    }
  })
}

export const rateLimitPlugin = fp(limits, { name: 'pangolin-gateway-rate-limit' })
