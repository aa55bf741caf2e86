import { GraphQLError, type ExecutionResult } from 'graphql'
import type { FastifyBaseLogger } from 'fastify'
import { ERROR_CODES, isGatewayError, type ErrorCode } from '../../errors.js'

interface FormatContext {
  reply?: { request: { id: string, log: FastifyBaseLogger } }
  app: { log: FastifyBaseLogger }
}

/**
 * Deliberate errors (GatewayError) pass with their code and extensions; GraphQL's own parse and
 * validation errors pass as BAD_USER_INPUT; everything else is masked, and only the log has it.
 */
export function formatErrors (execution: ExecutionResult & { statusCode?: number }, ctx: FormatContext) {
  const log = ctx.reply?.request.log ?? ctx.app.log
  const requestId = ctx.reply?.request.id
  const errors = (execution.errors ?? []).flatMap((error) => expand(error)).map((error) => shape(error, log, requestId))

  let statusCode = 200
  if (execution.data == null && errors.length > 0) {
    const codes = new Set(errors.map((e) => e.extensions.code as string))
    const only = errors.length === 1 ? errors[0]!.extensions.code as ErrorCode : undefined
    // A request that never executed (parse or validation failure) is the client's mistake: 400.
    if (codes.size === 1 && codes.has('BAD_USER_INPUT')) statusCode = 400
    else if (only !== undefined && only in ERROR_CODES) statusCode = ERROR_CODES[only].status
    else statusCode = execution.statusCode ?? 200
  }
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
    const code = (error.extensions?.code as string | undefined) ?? 'BAD_USER_INPUT'
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
