import type { TestGateway } from './gateway.js'

export interface RestAnswer {
  status: number
  headers: Headers
  contentType: string
  body: any
  text: string
}

export type Rest = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<RestAnswer>

/**
 * A REST caller on a test gateway: JSON in, JSON (or text) out, with the given token. The body
 * is sent as JSON unless it is a string, which is sent as it is.
 */
export function restClient (gw: TestGateway, token?: string): Rest {
  return async (method, path, body, headers = {}) => {
    const sent: Record<string, string> = { ...headers }
    if (token !== undefined) sent.authorization = `Bearer ${token}`
    if (body !== undefined) sent['content-type'] ??= 'application/json'
    const response = await fetch(`${gw.gateway.url}${path}`, {
      method,
      headers: sent,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) })
    })
    const text = await response.text()
    const contentType = response.headers.get('content-type') ?? ''
    return {
      status: response.status,
      headers: response.headers,
      contentType,
      body: contentType.includes('json') && text !== '' ? JSON.parse(text) : text,
      text
    }
  }
}
