import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { GatewayError, isGatewayError } from './errors.js'
import type { GraphqlLimits } from './config/index.js'
import { metricsPlugin, type Metrics } from './observability/metrics.js'
import type { Services } from './services/index.js'
import { authenticatePlugin } from './transports/authenticate.js'
import { graphqlPlugin } from './transports/graphql/plugin.js'
import { rateLimitPlugin, type RateLimitOptions } from './transports/rate-limit.js'
import { securityHeadersPlugin } from './transports/security-headers.js'
import { restPlugin } from './transports/rest/plugin.js'

export interface AppOptions {
  services: Services
  logger: Logger
  graphiql: boolean
  introspection: boolean
  /** Absent: the defaults of the configuration (GRAPHQL_MAX_DEPTH and the others). */
  graphqlLimits?: GraphqlLimits
  graphqlBatching?: boolean
  /** Default 1 MiB. */
  bodyLimitBytes?: number
  /** Absent: no /metrics. */
  metrics?: Metrics
  /** Absent: no rate limit (tests that exercise something else). */
  rateLimit?: RateLimitOptions
  /**
   * Checks the store and Pangolin (and Redis) for /readyz. A degraded dependency (Redis) keeps the
   * replica in rotation: it still serves, with per-process limits.
   */
  ready: () => Promise<Record<string, 'ok' | 'degraded' | 'down'>>
}

/**
 * Assembles the HTTP surface from ready-made services. Starting, stopping and wiring of the
 * layers below happens in server.ts, so tests can build an app around any services they like.
 */
export async function buildApp (options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // A socket that sends nothing for 30 s is dropped (slowloris); a whole request, body and
    // answer, gets 60 s, above the longest operation (upstream timeout × retries) we expect.
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    // Above the 60 s idle timeout of common load balancers, so that they close first and never
    // send a request on a socket we are closing.
    keepAliveTimeout: 72_000,
    // While draining on shutdown, new requests on kept-alive sockets get 503 and go elsewhere.
    return503OnClosing: true,
    // One line per request (below) instead of Fastify's two: half the logging cost on the hot path.
    logController: new LogController({ disableRequestLogging: true })
  })

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode
    const line = { method: request.method, url: request.routeOptions.url ?? request.url, status, ms: Math.round(reply.elapsedTime * 10) / 10 }
    if (status >= 500) request.log.error(line, 'request completed')
    else request.log.info(line, 'request completed')
  })

  app.setErrorHandler((err, request, reply) => {
    if (isGatewayError(err)) {
      // Refused before GraphQL ran (authentication, rate limit): still a GraphQL answer.
      if (request.routeOptions.url === '/graphql') {
        const extensions = { code: err.code, ...err.extensions }
        return reply.code(err.status).send({ data: null, errors: [{ message: err.message, extensions }] })
      }
      return reply.code(err.status).send({ code: err.code, message: err.message, ...err.extensions })
    }
    const status = (err as { statusCode?: number }).statusCode
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send({ code: 'BAD_USER_INPUT', message: (err as Error).message })
    }
    request.log.error({ err }, 'unexpected error')
    const masked = new GatewayError('INTERNAL_SERVER_ERROR', 'Internal server error')
    return reply.code(500).send({ code: masked.code, message: masked.message, requestId: request.id })
  })

  await app.register(securityHeadersPlugin, { graphiql: options.graphiql })
  if (options.metrics !== undefined) await app.register(metricsPlugin, { metrics: options.metrics })
  await app.register(authenticatePlugin, { clients: options.services.clients })
  if (options.rateLimit !== undefined) await app.register(rateLimitPlugin, options.rateLimit)

  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const checks = await options.ready()
    const values = Object.values(checks)
    const ok = !values.includes('down')
    const status = ok ? (values.includes('degraded') ? 'degraded' : 'ready') : 'not ready'
    return reply.code(ok ? 200 : 503).send({ status, checks })
  })

  const metrics = options.metrics
  await app.register(graphqlPlugin, {
    services: options.services,
    graphiql: options.graphiql,
    introspection: options.introspection,
    limits: options.graphqlLimits ?? { maxDepth: 12, maxAliases: 30, maxTokens: 2000, maxCost: 5000 },
    batching: options.graphqlBatching ?? false,
    ...(metrics === undefined
      ? {}
      : { onOperation: (request: FastifyRequest, name: string) => { request.graphqlOperation = metrics.operationLabel(name) } })
  })
  await app.register(restPlugin, { prefix: '/api', services: options.services })

  return app
}
