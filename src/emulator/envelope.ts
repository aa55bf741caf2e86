/**
 * Pangolin's response shapes: `response()` for successes, `errorHandlerMiddleware` for errors, and
 * Express's final handler for unknown routes.
 */

/** What a route handler produces; the server turns it into the envelope. */
export interface Answer {
  status: number
  message: string
  data: unknown
}

/** An error that Pangolin answers deliberately (`createHttpError(status, message)`). */
export class HttpError extends Error {
  readonly status: number

  constructor (status: number, message: string) {
    super(message)
    this.name = 'HttpError'
    this.status = status
  }
}

export function answer (status: number, message: string, data: unknown): Answer {
  return { status, message, data }
}

export function successBody (a: Answer): Record<string, unknown> {
  return { data: a.data, success: true, error: false, message: a.message, status: a.status }
}

/** `stack` is null because Pangolin runs with `ENVIRONMENT=prod`. */
export function errorBody (status: number, message: string): Record<string, unknown> {
  return { data: null, success: false, error: true, message, status, stack: null }
}

function escapeHtml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/** The page Express 5's final handler sends for a route nobody matched. */
export function notFoundHtml (method: string, url: string): string {
  const path = url.split('?')[0] ?? url
  return '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<title>Error</title>\n</head>\n<body>\n' +
    `<pre>Cannot ${escapeHtml(method)} ${escapeHtml(path)}</pre>\n</body>\n</html>\n`
}
