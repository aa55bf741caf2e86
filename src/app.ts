import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { GatewayError, isGatewayError } from './errors.js'
import type { Services } from './services/index.js'
import { authenticatePlugin } from './transports/authenticate.js'
import { graphqlPlugin } from './transports/graphql/plugin.js'
import { rateLimitPlugin, type RateLimitOptions } from './transports/rate-limit.js'
import { restPlugin } from './transports/rest/plugin.js'

export interface AppOptions {
  services: Services
  logger: Logger
  graphiql: boolean
  introspection: boolean
  /** Absent: no rate limit (tests that exercise something else). */
  rateLimit?: RateLimitOptions
  /** Checks the store and Pangolin for /readyz. */
  ready: () => Promise<Record<string, 'ok' | 'down'>>
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
    bodyLimit: 1024 * 1024,
    connectionTimeout: 30_000,
    keepAliveTimeout: 72_000,
    requestTimeout: 60_000,
    return503OnClosing: true
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

  await app.register(authenticatePlugin, { clients: options.services.clients })
  if (options.rateLimit !== undefined) await app.register(rateLimitPlugin, options.rateLimit)

  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (_request, reply) => {
    const checks = await options.ready()
    const ok = Object.values(checks).every((v) => v === 'ok')
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks })
  })

  await app.register(graphqlPlugin, {
    services: options.services,
    graphiql: options.graphiql,
    introspection: options.introspection
  })
  await app.register(restPlugin, { prefix: '/api', services: options.services })

  return app
}
