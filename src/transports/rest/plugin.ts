import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { GatewayError, badInput } from '../../errors.js'
import type { Services } from '../../services/index.js'
import { renderDocs } from './docs.js'
import { buildOpenApi } from './openapi.js'
import { sendProblem } from './problem.js'
import { OPERATION_ROUTES, pathValue, presentOperation, type OperationRoute } from './routes.js'

export interface RestOptions {
  services: Services
}

/** The IETF draft makes the key a quoted structured-field string; a bare value works too. */
function idempotencyKey (request: FastifyRequest): string | null {
  const value = request.headers['idempotency-key']
  if (typeof value !== 'string') return null
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value
}

/**
 * The body's fields, merged with the path's below. A field that travels elsewhere is refused
 * rather than silently overridden, so a key in the body cannot be mistaken for idempotency.
 */
function bodyFields (raw: unknown, route: OperationRoute): Record<string, unknown> {
  if (route.body === undefined || raw === undefined) return {}
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new GatewayError('BAD_USER_INPUT', 'The request body must be a JSON object.', { extensions: { field: '' } })
  }
  if ('idempotencyKey' in raw) throw badInput('idempotencyKey', 'send it as the Idempotency-Key header, not in the body')
  for (const field of Object.keys(route.params)) {
    if (field in raw) throw badInput(field, 'comes from the path; leave it out of the body')
  }
  return raw as Record<string, unknown>
}

/**
 * The REST facade under /api: each route authenticates (the shared hook), passes its input to the
 * operations service and shapes the answer; validation, policy and idempotency happen there, as
 * for GraphQL. Registered without fastify-plugin, so its problem+json error and not-found
 * handlers apply to /api routes only.
 */
export async function restPlugin (app: FastifyInstance, options: RestOptions): Promise<void> {
  const { services } = options
  const document = buildOpenApi()
  const docs = renderDocs(document)

  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply))
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    return sendProblem(new GatewayError('NOT_FOUND', `No route ${request.method} ${path}.`), request, reply)
  })

  app.get('/openapi.json', async () => document)
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docs))

  for (const route of OPERATION_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      config: { authenticate: true },
      handler: async (request, reply) => {
        const params = request.params as Record<string, string>
        const input: Record<string, unknown> = { ...bodyFields(request.body, route) }
        for (const [name, type] of Object.entries(route.params)) input[name] = pathValue(params[name] ?? '', type)

        const outcome = await services.operations.run<Record<string, any>>(route.kind, request.principal!, input, {
          idempotencyKey: idempotencyKey(request),
          requestId: request.id,
          log: request.log as unknown as Logger
        })
        const operation = outcome.operation === null
          ? null
          : presentOperation(await services.operations.view(outcome.operation))
        if (outcome.replayed) reply.header('idempotent-replayed', 'true')
        return reply.code(route.status).send({ ...route.shape(outcome.result), operation })
      }
    })
  }

  app.get('/v1/operations/:id', { config: { authenticate: true } }, async (request) => {
    const { id } = request.params as { id: string }
    const view = await services.operations.get(request.principal!, id)
    if (view === null) throw new GatewayError('NOT_FOUND', `No operation ${id}.`)
    return presentOperation(view)
  })
}
