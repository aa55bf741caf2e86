import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { getOperationAST, NoSchemaIntrospectionCustomRule } from 'graphql'
import mercurius, { type IResolvers } from 'mercurius'
import type { Logger } from 'pino'
import { SCHEMA_PATH } from '../../paths.js'
import type { Services } from '../../services/index.js'
import type { GraphqlLimits } from '../../config/index.js'
import { ANONYMOUS } from '../../observability/metrics.js'
import { formatErrors } from './error-formatter.js'
import { limitRules } from './limits.js'
import { mutationResolvers } from './mutations.js'
import { BODY_TYPES, graphqlOverHttp, PREFLIGHT_HEADERS } from './over-http.js'
import { buildResolvers } from './resolvers.js'

export interface GraphqlOptions {
  services: Services
  graphiql: boolean
  introspection: boolean
  limits: GraphqlLimits
  batching: boolean
  /** Told the operation's name once the document is parsed (for metrics). */
  onOperation?: (request: FastifyRequest, name: string) => void
}

function mergeResolvers (...sets: IResolvers[]): IResolvers {
  const merged: Record<string, Record<string, unknown>> = {}
  for (const set of sets) {
    for (const [type, fields] of Object.entries(set)) merged[type] = { ...merged[type], ...(fields as Record<string, unknown>) }
  }
  return merged as IResolvers
}

export function loadSchema (): string {
  return readFileSync(SCHEMA_PATH, 'utf8')
}

/**
 * GraphQL at /graphql. Authentication runs earlier, as a hook (../authenticate.ts), so an
 * unauthenticated request never reaches parsing or resolvers; the context carries the caller and
 * a per-request Reader.
 */
async function graphql (app: FastifyInstance, options: GraphqlOptions): Promise<void> {
  const { services } = options
  graphqlOverHttp(app)

  await app.register(mercurius, {
    schema: loadSchema(),
    resolvers: mergeResolvers(buildResolvers(), mutationResolvers()),
    graphiql: options.graphiql,
    jit: 1,
    allowBatchedQueries: options.batching,
    graphql: { parseOptions: { maxTokens: options.limits.maxTokens } },
    validationRules: [
      ...limitRules(options.limits),
      ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])
    ],
    // Apollo's rule: a JSON body, or a header that forces a CORS preflight (README: CSRF).
    csrfPrevention: { allowedContentTypes: BODY_TYPES, requiredHeaders: PREFLIGHT_HEADERS },
    errorFormatter: formatErrors as never,
    context: (request: FastifyRequest) => ({
      principal: request.principal!,
      reader: services.catalog.reader(request.principal!, request.log as unknown as Logger),
      services,
      requestId: request.id
    })
  })

  const onOperation = options.onOperation
  if (onOperation !== undefined) {
    app.graphql.addHook('preExecution', async (_schema, document, context) => {
      const request = context.reply.request
      const wanted = (request.body as { operationName?: unknown } | undefined)?.operationName ??
        (request.query as { operationName?: unknown } | undefined)?.operationName
      const name = getOperationAST(document, typeof wanted === 'string' ? wanted : undefined)?.name?.value
      onOperation(request, name ?? ANONYMOUS)
    })
  }
}

export const graphqlPlugin = fp(graphql, { name: 'pangolin-gateway-graphql' })
