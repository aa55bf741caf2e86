import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { NoSchemaIntrospectionCustomRule } from 'graphql'
import mercurius, { type IResolvers } from 'mercurius'
import type { Logger } from 'pino'
import { SCHEMA_PATH } from '../../paths.js'
import type { Services } from '../../services/index.js'
import { formatErrors } from './error-formatter.js'
import { mutationResolvers } from './mutations.js'
import { buildResolvers } from './resolvers.js'

export interface GraphqlOptions {
  services: Services
  graphiql: boolean
  introspection: boolean
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

  await app.register(mercurius, {
    schema: loadSchema(),
    resolvers: mergeResolvers(buildResolvers(), mutationResolvers()),
    graphiql: options.graphiql,
    jit: 1,
    queryDepth: 12,
    validationRules: options.introspection ? [] : [NoSchemaIntrospectionCustomRule],
    errorFormatter: formatErrors as never,
    context: (request: FastifyRequest) => ({
      principal: request.principal!,
      reader: services.catalog.reader(request.principal!, request.log as unknown as Logger),
      services,
      requestId: request.id
    })
  })
}

export const graphqlPlugin = fp(graphql, { name: 'pangolin-gateway-graphql' })
