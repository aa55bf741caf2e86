/**
 * One autocannon measurement. Latencies come from autocannon's per-response event rather than its
 * histogram, which keeps whole milliseconds only: the added-latency target is about fractions of one.
 */
import autocannon from 'autocannon'

export interface LoadRequest {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
}

export interface LoadOptions {
  connections: number
  durationS: number
  /** Requests per second over all connections; unset means as fast as the contender answers. */
  rate?: number
}

export interface LoadResult {
  requests: number
  rps: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
  timeouts: number
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))
  return sorted[index]!
}

export async function load (request: LoadRequest, options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = []
  const started = process.hrtime.bigint()
  const settings: autocannon.Options = {
    url: request.url,
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    connections: options.connections,
    duration: options.durationS,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    timeout: 10
  }
  let instance!: autocannon.Instance
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(settings, (err, result) => {
      if (err !== null && err !== undefined) reject(err)
      else resolve(result)
    })
  })
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
  })
  const result = await done
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  latencies.sort((a, b) => a - b)
  return {
    requests: result.requests.total,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts
  }
}
