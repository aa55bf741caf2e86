/**
 * The Fastify app that imitates Pangolin's Express integration server: key check before routing,
 * Express-style path matching, express.json() body rules, the envelope and the HTML 404.
 */
import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { authorise, verifyApiKey } from './auth.js'
import { errorBody, HttpError, notFoundHtml, successBody } from './envelope.js'
import type { FaultRegistry, FaultRule } from './faults.js'
import { parseJsonBody } from './json-body.js'
import { openApiDocument } from './openapi.js'
import type { Context, EmulatorSettings, RebuildTracker, RouteDef } from './route.js'
import type { Random } from './ids.js'
import type { ApiKey, EmulatorState } from './state.js'
import { count } from './stats.js'
import type { EmulatorStats } from './stats.js'
import { MissingBodyError } from './validation.js'

export interface ServerParts {
  state: EmulatorState
  settings: EmulatorSettings
  random: Random
  rebuilds: RebuildTracker
  faults: FaultRegistry
  stats: EmulatorStats
  routes: RouteDef[]
  latencyMs: number
  logger: boolean
}

interface Outcome {
  status: number
  body: Record<string, unknown>
}

const OPEN_PATHS = new Set(['/v1', '/v1/docs', '/v1/openapi.json', '/v1/openapi.yaml'])

function pathOf (url: string): string {
  let path = (url.split('?')[0] ?? url).toLowerCase()
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
  return path
}

function isUnderV1 (path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/')
}

function outcomeOf (err: unknown, route: RouteDef): Outcome {
  if (err instanceof HttpError) return { status: err.status, body: errorBody(err.status, err.message) }
  const message = route.failMessage ?? 'An error occurred'
  return { status: 500, body: errorBody(500, message) }
}

export function buildServer (parts: ServerParts): {
  app: FastifyInstance
  destroyStalled: () => void
} {
  const app = Fastify({
    logger: parts.logger,
    bodyLimit: 100 * 1024,
    forceCloseConnections: true,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true }
  })
  const keys = new WeakMap<FastifyRequest, ApiKey>()
  const stalled = new Map<Socket, NodeJS.Timeout>()

  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(String(body)))
    } catch (err) {
      Object.assign(err as Error, { statusCode: 400 })
      done(err as Error, undefined)
    }
  })
  // Express 5 leaves the body undefined for any other type; the handler decides what that means.
  app.addContentTypeParser('*', (_req, payload, done) => {
    payload.resume()
    payload.on('end', () => done(null, undefined))
  })

  app.addHook('onRequest', async (request, reply) => {
    parts.stats.total++
    const path = pathOf(request.url)
    if (!isUnderV1(path) || OPEN_PATHS.has(path)) return

    const header = request.headers.authorization
    if (parts.latencyMs > 0 && header?.startsWith('Bearer ') === true) await sleep(parts.latencyMs)
    let key: ApiKey
    try {
      key = verifyApiKey(parts.state, header)
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500
      const message = err instanceof HttpError ? err.message : 'An error occurred checking API key'
      return reply.code(status).send(errorBody(status, message))
    }

    keys.set(request, key)
    count(parts.stats.byKeyId, key.apiKeyId)
    parts.stats.inFlight++
    parts.stats.maxInFlight = Math.max(parts.stats.maxInFlight, parts.stats.inFlight)
    reply.raw.once('close', () => { parts.stats.inFlight-- })
  })

  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    const status = err.statusCode ?? 500
    const message = status === 413
      ? 'request entity too large'
      : status >= 500 ? 'An error occurred' : err.message
    return reply.code(status).send(errorBody(status, message))
  })

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'")
      .send(notFoundHtml(request.method, request.url))
  })

  app.get('/v1/', async () => ({ message: 'Healthy' }))
  app.get('/v1/docs', async (_request, reply) => reply.type('text/html; charset=utf-8')
    .send('<!DOCTYPE html><html><head><title>Pangolin Integration API</title></head>' +
      '<body><div id="swagger-ui"></div></body></html>'))
  app.get('/v1/openapi.json', async () => openApiDocument(parts.settings.generation))

  function destroy (request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack()
    request.raw.socket.destroy()
  }

  function stall (request: FastifyRequest, reply: FastifyReply, ms: number): void {
    reply.hijack()
    const socket = request.raw.socket
    const timer = setTimeout(() => {
      stalled.delete(socket)
      socket.destroy()
    }, ms)
    stalled.set(socket, timer)
    socket.once('close', () => {
      clearTimeout(timer)
      stalled.delete(socket)
    })
  }

  async function run (route: RouteDef, request: FastifyRequest): Promise<Outcome> {
    const key = keys.get(request)
    if (key === undefined) return { status: 401, body: errorBody(401, 'API key required') }
    const ctx: Context = {
      state: parts.state,
      settings: parts.settings,
      random: parts.random,
      rebuilds: parts.rebuilds,
      key,
      params: request.params as Record<string, string>,
      query: request.query as Record<string, unknown>,
      body: request.body
    }
    try {
      authorise(ctx, route)
      const result = await route.handler(ctx)
      return { status: result.status, body: successBody(result) }
    } catch (err) {
      const expected = err instanceof HttpError || err instanceof MissingBodyError
      if (!expected) request.log.error({ err }, 'emulator handler failed')
      return outcomeOf(err, route)
    }
  }

  async function dispatch (route: RouteDef, request: FastifyRequest, reply: FastifyReply) {
    count(parts.stats.byRoute, `${route.method} ${route.path}`)
    const fault: FaultRule | undefined = parts.faults.take(route.method, route.path)
    if (fault?.kind === 'delay') await sleep(fault.delayMs ?? 0)
    if (fault?.kind === 'status') {
      const status = fault.status ?? 500
      return reply.code(status).send(errorBody(status, fault.message ?? 'An error occurred'))
    }
    if (fault?.kind === 'reset-before') return destroy(request, reply)

    const outcome = await run(route, request)
    if (fault?.kind === 'apply-then-reset') return destroy(request, reply)
    if (fault?.kind === 'apply-then-stall') return stall(request, reply, fault.delayMs ?? 60_000)
    return reply.code(outcome.status).send(outcome.body)
  }

  for (const route of parts.routes) {
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      app.route({
        method: route.method,
        url: `/v1${path}`,
        handler: async (request, reply) => dispatch(route, request, reply)
      })
    }
  }

  function destroyStalled (): void {
    for (const [socket, timer] of stalled) {
      clearTimeout(timer)
      socket.destroy()
    }
    stalled.clear()
  }

  return { app, destroyStalled }
}
