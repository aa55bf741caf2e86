import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Principal } from '../auth/scopes.js'
import { isGatewayError, type GatewayError } from '../errors.js'
import type { ClientService } from '../services/clients.js'

export interface AuthenticateOptions {
  clients: ClientService
}

/** Routes that act for a client: GraphQL, and any route that sets `config.authenticate`. */
export function needsClient (request: FastifyRequest): boolean {
  return request.routeOptions.url === '/graphql' || request.routeOptions.config.authenticate === true
}

/**
 * Resolves the caller in `onRequest`, before the rate limit (which keys on the client) and before
 * the body is parsed. A refusal is held until `preHandler`, so that a flood of bad tokens is still
 * counted, by IP, by the rate limit in between.
 */
async function authenticate (app: FastifyInstance, options: AuthenticateOptions): Promise<void> {
  app.decorateRequest('principal', undefined)
  app.decorateRequest('authError', undefined)

  app.addHook('onRequest', async (request) => {
    if (!needsClient(request)) return
    try {
      request.principal = await options.clients.authenticate(request.headers.authorization)
    } catch (err) {
      if (!isGatewayError(err)) throw err
      request.authError = err
    }
  })

  app.addHook('preHandler', async (request) => {
    if (request.authError !== undefined) throw request.authError
  })
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal
    authError?: GatewayError
  }
  interface FastifyContextConfig {
    authenticate?: boolean
  }
}

export const authenticatePlugin = fp(authenticate, { name: 'pangolin-gateway-authenticate' })
