import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isGatewayError, type ErrorCode } from '../../errors.js'

export const PROBLEM_TYPE = 'application/problem+json'

/** The `type` of a code: its entry on the docs page, relative to the gateway's own address. */
export function problemType (code: ErrorCode): string {
  return `/api/docs#${code}`
}

/** `UPSTREAM_RATE_LIMITED` → `Upstream rate limited`: one fixed title per code, as RFC 9457 asks. */
export function problemTitle (code: ErrorCode): string {
  const words = code.toLowerCase().replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

interface Shaped {
  status: number
  code: ErrorCode
  detail: string
  extensions: Record<string, unknown>
}

/**
 * Deliberate errors pass with their code and extensions; Fastify's own refusals (malformed JSON,
 * wrong media type, body too large) are the client's doing; anything else is masked and logged.
 * The log-level policy is the GraphQL transport's: refusals at info, failures at error.
 */
function shape (err: unknown, request: FastifyRequest): Shaped {
  if (isGatewayError(err)) {
    if (err.status >= 500) request.log.error({ err, code: err.code }, 'request failed')
    else request.log.info({ code: err.code }, 'request refused')
    return { status: err.status, code: err.code, detail: err.message, extensions: err.extensions }
  }

  const status = (err as FastifyError).statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    request.log.info({ code: (err as FastifyError).code }, (err as Error).message)
    return { status, code: 'BAD_USER_INPUT', detail: (err as Error).message, extensions: {} }
  }

  request.log.error({ err }, 'unexpected error')
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', detail: 'Internal server error', extensions: {} }
}

/** Answers an error as an RFC 9457 problem document with the gateway's code. */
export function sendProblem (err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, code, detail, extensions } = shape(err, request)
  if (code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer')
  return reply.code(status).type(PROBLEM_TYPE).send({
    ...extensions,
    type: problemType(code),
    title: problemTitle(code),
    status,
    detail,
    code,
    requestId: request.id
  })
}
