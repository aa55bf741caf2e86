import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export interface SecurityHeadersOptions {
  /** GraphiQL loads React and its own bundle from unpkg; without it nothing foreign is allowed. */
  graphiql: boolean
}

const GRAPHIQL_CDN = 'https://unpkg.com'

/**
 * Helmet's headers on every answer. The API serves JSON only, so the policy forbids everything
 * but what GraphiQL (when enabled) needs to run in a browser.
 */
async function securityHeaders (app: FastifyInstance, options: SecurityHeadersOptions): Promise<void> {
  const directives: Record<string, string[]> = options.graphiql
    ? {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", GRAPHIQL_CDN],
        styleSrc: ["'self'", "'unsafe-inline'", GRAPHIQL_CDN],
        imgSrc: ["'self'", 'data:', GRAPHIQL_CDN],
        fontSrc: ["'self'", 'data:', GRAPHIQL_CDN],
        connectSrc: ["'self'", GRAPHIQL_CDN],
        workerSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"]
      }
    : {
        defaultSrc: ["'none'"],
        // /api/docs is one page with an inline style sheet and nothing else.
        styleSrc: ["'unsafe-inline'"],
        frameAncestors: ["'none'"],
        formAction: ["'none'"],
        baseUri: ["'none'"]
      }
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives },
    // Answers are per-client; nothing a shared cache should keep.
    crossOriginResourcePolicy: { policy: 'same-origin' }
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
    return payload
  })
}

export const securityHeadersPlugin = fp(securityHeaders, { name: 'pangolin-gateway-security-headers' })
