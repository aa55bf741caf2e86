import { Pool } from 'undici'

export interface TransportOptions {
  /** `PANGOLIN_URL`, e.g. `http://127.0.0.1:3003/v1`. Credentials in it are dropped. */
  baseUrl: string
  /** Headers and body timeout of one attempt. */
  timeoutMs: number
  connectTimeoutMs: number
  /** Sockets in the pool; the limiter keeps requests at or below it. */
  connections: number
}

export interface UpstreamRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE'
  /** The path below the base URL, already filled in, e.g. `/org/acme/resource`. */
  path: string
  query?: Record<string, string | number | undefined>
  body?: unknown
  key?: string
  signal?: AbortSignal
}

/** What came back: an answer with a status, or no answer at all. */
export type Outcome =
  | { kind: 'response', status: number, html: boolean, json: unknown }
  | {
    kind: 'network'
    /**
     * False only when the connection was never made, so the request cannot have reached
     * Pangolin. Anything else (a reset, a timeout) may have happened after Pangolin acted.
     */
    sent: boolean
    code: string
    cause: Error
  }

/** Errors raised before a single byte of the request could leave this process. */
const NOT_SENT = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED'
])

function errorCode (err: unknown): string {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : 'UNKNOWN'
}

export function splitBaseUrl (baseUrl: string): { origin: string, prefix: string } {
  const url = new URL(baseUrl)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('baseUrl must be an http or https URL')
  }
  return { origin: url.origin, prefix: url.pathname.replace(/\/+$/, '') }
}

function queryString (query: UpstreamRequest['query']): string {
  if (query === undefined) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) params.set(k, String(v))
  }
  const s = params.toString()
  return s === '' ? '' : `?${s}`
}

/**
 * One keep-alive pool toward Pangolin. It sends exactly one request per call: undici's own retry
 * is not used, because it would repeat a `PUT`, and Pangolin creates with `PUT`.
 */
export class Transport {
  readonly #pool: Pool
  readonly #prefix: string

  constructor (options: TransportOptions) {
    const { origin, prefix } = splitBaseUrl(options.baseUrl)
    this.#prefix = prefix
    this.#pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: { timeout: options.connectTimeoutMs }
    })
  }

  async send (req: UpstreamRequest): Promise<Outcome> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (req.key !== undefined) headers.authorization = `Bearer ${req.key}`
    let body: string | undefined
    if (req.body !== undefined) {
      body = JSON.stringify(req.body)
      headers['content-type'] = 'application/json'
    }

    try {
      const res = await this.#pool.request({
        method: req.method,
        path: `${this.#prefix}${req.path}${queryString(req.query)}`,
        headers,
        body,
        signal: req.signal
      })
      const type = String(res.headers['content-type'] ?? '')
      const text = await res.body.text()
      return { kind: 'response', status: res.statusCode, html: type.includes('text/html'), json: parseJson(text) }
    } catch (err) {
      if (req.signal?.aborted === true) throw req.signal.reason
      const code = errorCode(err)
      return { kind: 'network', sent: !NOT_SENT.has(code), code, cause: err as Error }
    }
  }

  close (): Promise<void> {
    return this.#pool.close()
  }
}

function parseJson (text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
