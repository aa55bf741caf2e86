import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { CallRecord } from '../upstream/caller.js'
import type { PangolinClientStats } from '../upstream/client.js'

/** What the operations engine reports; `reconciliation` is an operation that looked an object up. */
export type EngineEvent = 'compensation' | 'reconciliation' | 'recovery'

export interface MetricsSources {
  /** Operations in the journal by status, read at scrape time. */
  operationsByStatus: () => Promise<Record<string, number>>
  upstream: () => PangolinClientStats
}

const OPERATION_STATUSES = ['RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'NEEDS_ATTENTION']
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const
/** Operation names are the client's words: keep them name-shaped and few, or a label set explodes. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/
const MAX_OPERATION_NAMES = 200
/** The label of an operation without a name. */
export const ANONYMOUS = '(anonymous)'

/**
 * The gateway's Prometheus metrics, one registry per gateway (tests run several in a process).
 * Labels hold route templates, status codes and operation names only: never a token, a key, a
 * path with ids or a variable.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly #names = new Set<string>()
  readonly #requests: Counter<'method' | 'route' | 'status' | 'operation'>
  readonly #duration: Histogram<'method' | 'route' | 'operation'>
  readonly #upstreamCalls: Counter<'method' | 'route' | 'status' | 'attempt'>
  readonly #upstreamDuration: Histogram<'method' | 'route'>
  readonly #retries: Counter<'method' | 'route'>
  readonly #events: Record<EngineEvent, Counter>

  constructor () {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'pgw_' })
    this.#requests = new Counter({
      name: 'pgw_http_requests_total',
      help: 'HTTP requests answered, by route template, status and GraphQL operation name',
      labelNames: ['method', 'route', 'status', 'operation'],
      registers
    })
    this.#duration = new Histogram({
      name: 'pgw_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route template and GraphQL operation name',
      labelNames: ['method', 'route', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers
    })
    this.#upstreamCalls = new Counter({
      name: 'pgw_upstream_calls_total',
      help: 'Requests sent to Pangolin, by route template, status (or "error") and attempt',
      labelNames: ['method', 'route', 'status', 'attempt'],
      registers
    })
    this.#upstreamDuration = new Histogram({
      name: 'pgw_upstream_call_duration_seconds',
      help: 'Time of one request to Pangolin, by route template',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    })
    this.#retries = new Counter({
      name: 'pgw_upstream_retries_total',
      help: 'Requests to Pangolin that repeated an earlier attempt',
      labelNames: ['method', 'route'],
      registers
    })
    this.#events = {
      compensation: new Counter({
        name: 'pgw_compensations_total',
        help: 'Operations that failed and started taking back what they created',
        registers
      }),
      reconciliation: new Counter({
        name: 'pgw_reconciliations_total',
        help: 'Operations that looked an object up after an ambiguous create',
        registers
      }),
      recovery: new Counter({
        name: 'pgw_recoveries_total',
        help: 'Operations taken over by recovery (a stopped or crashed replica, unfinished compensation)',
        registers
      })
    }
  }

  /** Reads the sources on each scrape; called once the store and the client exist. */
  watch (sources: MetricsSources): void {
    const registers = [this.registry]
    new Gauge({ // eslint-disable-line no-new
      name: 'pgw_operations',
      help: 'Operations in the journal by status',
      labelNames: ['status'],
      registers,
      async collect () {
        const counts = await sources.operationsByStatus()
        for (const status of OPERATION_STATUSES) this.set({ status }, counts[status] ?? 0)
      }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'pgw_upstream_in_flight',
      help: 'Requests to Pangolin in flight now',
      registers,
      collect () { this.set(sources.upstream().inFlight) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'pgw_upstream_queued',
      help: 'Calls waiting for a slot toward Pangolin',
      registers,
      collect () { this.set(sources.upstream().queued) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'pgw_upstream_circuit_state',
      help: 'The circuit breaker toward Pangolin: 1 for its current state',
      labelNames: ['state'],
      registers,
      collect () {
        const current = sources.upstream().breakerState
        for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0)
      }
    })
  }

  /** The upstream client's `onCall` hook: one record per attempt. */
  readonly onUpstreamCall = (record: CallRecord): void => {
    const route = { method: record.method, route: record.route }
    this.#upstreamCalls.inc({ ...route, status: String(record.status), attempt: String(record.attempt) })
    this.#upstreamDuration.observe(route, record.durationMs / 1000)
    if (record.attempt > 1) this.#retries.inc(route)
  }

  /** The operations engine's hook. */
  readonly engine = {
    onEvent: (name: EngineEvent): void => { this.#events[name].inc() }
  }

  operationLabel (name: string): string {
    if (name === ANONYMOUS) return name
    if (!OPERATION_NAME.test(name)) return '(invalid)'
    if (this.#names.has(name)) return name
    if (this.#names.size >= MAX_OPERATION_NAMES) return '(other)'
    this.#names.add(name)
    return name
  }

  observeRequest (request: FastifyRequest, status: number, seconds: number): void {
    const route = request.routeOptions.url ?? '(unmatched)'
    const operation = request.graphqlOperation ?? ''
    this.#requests.inc({ method: request.method, route, status: String(status), operation })
    this.#duration.observe({ method: request.method, route, operation }, seconds)
  }
}

async function metricsRoutes (app: FastifyInstance, options: { metrics: Metrics }): Promise<void> {
  const { metrics } = options
  app.decorateRequest('graphqlOperation', undefined)

  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/metrics') return
    metrics.observeRequest(request, reply.statusCode, reply.elapsedTime / 1000)
  })

  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics()
    return await reply.header('content-type', metrics.registry.contentType).send(body)
  })
}

export const metricsPlugin = fp(metricsRoutes, { name: 'pangolin-gateway-metrics' })

declare module 'fastify' {
  interface FastifyRequest {
    /** The GraphQL operation's name, as a metrics label (see Metrics.operationLabel). */
    graphqlOperation?: string
  }
}
