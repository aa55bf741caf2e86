import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { badInput } from '../../errors.js'

/**
 * The GraphQL-over-HTTP media types. `application/graphql-response+json` lets status codes speak:
 * a request that never executed is 4xx; `application/json` is the older, lenient one.
 */
export type GraphqlMediaType = 'application/graphql-response+json' | 'application/json'

export const GRAPHQL_RESPONSE = 'application/graphql-response+json'

/** Headers that a browser cannot add to a simple request (see README, "Security settings"). */
export const PREFLIGHT_HEADERS = ['graphql-require-preflight', 'apollo-require-preflight', 'x-requested-with']

/** POST bodies that are not simple requests: a form or text/plain cannot carry them. */
export const BODY_TYPES = ['application/json', 'application/graphql']

/**
 * Picks the answer's media type from Accept, by quality; `*` and a missing header mean
 * application/json. Undefined: the client accepts neither (406).
 */
export function negotiate (accept: string | undefined): GraphqlMediaType | undefined {
  if (accept === undefined || accept.trim() === '') return 'application/json'
  let best: { type: GraphqlMediaType, q: number } | undefined
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase())
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? 1)
    if (!(q > 0)) continue
    const type: GraphqlMediaType | undefined = range === GRAPHQL_RESPONSE
      ? GRAPHQL_RESPONSE
      : ['application/json', 'application/*', '*/*'].includes(range) ? 'application/json' : undefined
    if (type === undefined) continue
    // On equal quality the spec's own type wins.
    if (best === undefined || q > best.q || (q === best.q && type === GRAPHQL_RESPONSE)) best = { type, q }
  }
  return best?.type
}

export function mediaTypeOf (request: FastifyRequest): GraphqlMediaType {
  return request.graphqlMediaType ?? 'application/json'
}

const isGraphql = (request: FastifyRequest) => request.routeOptions.url === '/graphql'

/**
 * Content negotiation and request-shape fixes around Mercurius's /graphql route. Registered on
 * the instance that holds the route, so the hooks see it; each checks the route itself.
 */
export function graphqlOverHttp (app: FastifyInstance): void {
  app.decorateRequest('graphqlMediaType', undefined)

  app.addHook('onRequest', async (request, reply) => {
    if (!isGraphql(request)) return
    const type = negotiate(request.headers.accept)
    if (type === undefined) return await notAcceptable(reply)
    request.graphqlMediaType = type
  })

  app.addHook('preValidation', async (request) => {
    if (!isGraphql(request)) return
    const body = request.body as Record<string, unknown> | null | undefined
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return
    // The spec lets clients send `null` for any optional member; Mercurius's schema wants an object.
    if (body.extensions === null) delete body.extensions
    // Schema validation would coerce a number or a boolean into a string: refuse it instead.
    for (const member of ['query', 'operationName']) {
      const value = body[member]
      if (value !== undefined && value !== null && typeof value !== 'string') throw badInput(member, 'must be a string')
    }
    const variables = body.variables
    if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
      throw badInput('variables', 'must be an object')
    }
  })

  app.addHook('onSend', async (request, reply, payload) => {
    if (!isGraphql(request) || request.graphqlMediaType !== GRAPHQL_RESPONSE) return payload
    const current = String(reply.getHeader('content-type') ?? '')
    if (current.startsWith('application/json')) reply.header('content-type', `${GRAPHQL_RESPONSE}; charset=utf-8`)
    return payload
  })
}

async function notAcceptable (reply: FastifyReply) {
  return await reply.code(406).header('content-type', 'application/json; charset=utf-8').send({
    errors: [{
      message: `Accept must allow ${GRAPHQL_RESPONSE} or application/json.`,
      extensions: { code: 'BAD_USER_INPUT' }
    }]
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    graphqlMediaType?: GraphqlMediaType
  }
}
