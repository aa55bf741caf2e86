import { GraphQLError, type ExecutionResult } from 'graphql'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import { ERROR_CODES, isGatewayError, type ErrorCode } from '../../errors.js'
import { QUERY_TOO_COMPLEX, TOO_MANY_TOKENS } from './limits.js'
import { GRAPHQL_RESPONSE, mediaTypeOf } from './over-http.js'

interface FormatContext {
  reply?: FastifyReply & { request: FastifyRequest }
  app: { log: FastifyBaseLogger }
}

/**
 * Deliberate errors (GatewayError) pass with their code and extensions; GraphQL's own parse and
 * validation errors pass as BAD_USER_INPUT, or QUERY_TOO_COMPLEX past a limit; everything else
 * is masked, and only the log has it.
 *
 * Status codes follow GraphQL over HTTP: a request that never executed (no `data`) is 4xx, and
 * with application/graphql-response+json its answer has no `data` member at all.
 */
export function formatErrors (execution: ExecutionResult & { statusCode?: number }, ctx: FormatContext) {
  const log = ctx.reply?.request.log ?? ctx.app.log
  const requestId = ctx.reply?.request.id
  const errors = (execution.errors ?? []).flatMap((error) => expand(error)).map((error) => shape(error, log, requestId))
  const requestError = execution.data === undefined
  const first = execution.errors?.[0]?.originalError as { code?: unknown, statusCode?: unknown } | undefined

  let statusCode = 200
  if (first?.code === 'MER_ERR_METHOD_NOT_ALLOWED') {
    // Only queries may travel over GET, which must be safe; a mutation has to be POSTed.
    ctx.reply?.header('allow', 'POST')
    statusCode = 405
  } else if (execution.data == null && errors.length > 0) {
    const codes = new Set(errors.map((e) => e.extensions.code as string))
    const only = codes.size === 1 ? [...codes][0] as ErrorCode : undefined
    const fastifyStatus = typeof first?.statusCode === 'number' && first.statusCode > 400 && first.statusCode < 500
      ? first.statusCode
      : undefined
    // A request that never executed (parse or validation failure) is the client's mistake: 400,
    // or Fastify's own 4xx (413 body too large, 415 content type) where it refused the request.
    if (only === 'BAD_USER_INPUT') statusCode = fastifyStatus ?? 400
    else if (only !== undefined && only in ERROR_CODES) statusCode = ERROR_CODES[only].status
    else statusCode = execution.statusCode ?? (requestError ? 400 : 200)
  }

  const graphqlResponse = ctx.reply !== undefined && mediaTypeOf(ctx.reply.request) === GRAPHQL_RESPONSE
  if (graphqlResponse && requestError) return { statusCode, response: { errors } }
  return { statusCode, response: { data: execution.data ?? null, errors } }
}

/** Mercurius wraps validation failures in one error that carries the list. */
function expand (error: GraphQLError): GraphQLError[] {
  const inner = (error.originalError as { errors?: unknown } | undefined)?.errors
  if (Array.isArray(inner)) {
    return inner.map((e) => e instanceof GraphQLError ? e : new GraphQLError(String((e as Error).message ?? e)))
  }
  return [error]
}

function shape (error: GraphQLError, log: FastifyBaseLogger, requestId: string | undefined) {
  const original = error.originalError
  const location = { ...(error.locations === undefined ? {} : { locations: error.locations }), ...(error.path === undefined ? {} : { path: error.path }) }

  if (isGatewayError(original)) {
    if (original.code === 'INTERNAL_SERVER_ERROR') log.error({ err: original }, 'internal error')
    else log.info({ code: original.code, msg: original.message }, 'request refused')
    return {
      message: original.message,
      ...location,
      extensions: { code: original.code, ...original.extensions }
    }
  }

  if (original === undefined || original === null || original instanceof GraphQLError) {
    // A parse or validation error from graphql-js: about the query, safe to show.
    const code = TOO_MANY_TOKENS.test(error.message)
      ? QUERY_TOO_COMPLEX
      : (error.extensions?.code as string | undefined) ?? 'BAD_USER_INPUT'
    return { message: error.message, ...location, extensions: { ...error.extensions, code } }
  }

  const status = (original as { statusCode?: unknown }).statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own refusals (malformed JSON, wrong content type, body too large): the client's doing.
    log.info({ code: (original as { code?: string }).code }, original.message)
    return { message: original.message, ...location, extensions: { code: 'BAD_USER_INPUT' } }
  }

  log.error({ err: original }, 'unexpected error')
  return {
    message: 'Internal server error',
    ...location,
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId }
  }
}
