/**
 * The one catalogue of error codes the gateway answers with. GraphQL puts the code in
 * `extensions.code`, REST in the problem document's `code`. The README's error table is checked
 * against this list by a test, so a new code needs a line there too.
 */
export const ERROR_CODES = {
  BAD_USER_INPUT: { status: 400, description: 'The input is invalid; the message names the field.' },
  UNAUTHENTICATED: { status: 401, description: 'No gateway token, or a token that is unknown, malformed or revoked.' },
  FORBIDDEN: { status: 403, description: 'The client lacks the scope or the org for this call.' },
  NOT_FOUND: { status: 404, description: 'The object does not exist in Pangolin (or in the gateway).' },
  CONFLICT: { status: 409, description: 'The object already exists; `existingResourceId` names it where known.' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, description: 'The idempotency key was used before with another input.' },
  OPERATION_IN_PROGRESS: { status: 409, description: 'The operation for this idempotency key is still running.' },
  UPSTREAM_REJECTED: { status: 422, description: 'Pangolin refused the request; its message is passed on.' },
  UPSTREAM_UNAVAILABLE: { status: 503, description: 'Pangolin did not answer, answered 5xx, or the circuit is open.' },
  UPSTREAM_RATE_LIMITED: { status: 503, description: 'Pangolin answered 429 and retries did not get through.' },
  UPSTREAM_CREDENTIALS: { status: 502, description: "Pangolin refused the gateway's own key: an operator problem." },
  RATE_LIMITED: { status: 429, description: 'The client sent too many requests; retry after the hint.' },
  QUERY_TOO_COMPLEX: { status: 400, description: 'The query exceeds a depth, alias, token or cost limit.' },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'Something unexpected; the log has the cause under the request id.' }
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export interface GatewayErrorOptions {
  cause?: unknown
  /** Extra fields for `extensions` (GraphQL) or the problem document (REST). Never secrets. */
  extensions?: Record<string, unknown>
}

/**
 * A deliberate error: its message and code reach the client. Anything that is not a GatewayError
 * is masked as INTERNAL_SERVER_ERROR by the transports.
 */
export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly extensions: Record<string, unknown>

  constructor (code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GatewayError'
    this.code = code
    this.extensions = options.extensions ?? {}
  }

  get status (): number {
    return ERROR_CODES[this.code].status
  }
}

export function isGatewayError (err: unknown): err is GatewayError {
  return err instanceof GatewayError
}

/** A field-level validation failure, with the path the client sent. */
export function badInput (path: string, message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', `${path}: ${message}`, { extensions: { field: path } })
}
