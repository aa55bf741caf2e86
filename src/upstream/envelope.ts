import { z } from 'zod'

/**
 * Pangolin's envelope: `{data, success, error, message, status}`; an error adds `stack`. Loose, so
 * a newer Pangolin that adds a key still parses.
 */
const successEnvelope = z.looseObject({
  data: z.unknown(),
  success: z.literal(true),
  message: z.string().optional()
})

const errorEnvelope = z.looseObject({
  message: z.string().optional(),
  status: z.number().optional()
})

export type Answer =
  | { ok: true, data: unknown }
  | { ok: false, failure: StatusFailure | HtmlNotFound | InvalidResponse }

export interface StatusFailure { kind: 'status', status: number, message?: string }
export interface HtmlNotFound { kind: 'html-404' }
export interface InvalidResponse { kind: 'invalid-response', status: number }

/** The longest upstream message passed on; Pangolin's own messages are far shorter. */
const MAX_MESSAGE = 500

export function readEnvelope (status: number, html: boolean, json: unknown): Answer {
  // Pangolin answers an unknown route with Express's HTML page, not its envelope. A 404 that is
  // not an envelope at all means the same: PANGOLIN_URL points somewhere else.
  if (status === 404 && (html || errorEnvelope.safeParse(json).data?.message === undefined)) {
    return { ok: false, failure: { kind: 'html-404' } }
  }

  if (status >= 200 && status < 300) {
    const parsed = successEnvelope.safeParse(json)
    if (!parsed.success) return { ok: false, failure: { kind: 'invalid-response', status } }
    return { ok: true, data: parsed.data.data }
  }

  const parsed = errorEnvelope.safeParse(json)
  const message = parsed.success ? parsed.data.message?.slice(0, MAX_MESSAGE) : undefined
  return { ok: false, failure: message === undefined ? { kind: 'status', status } : { kind: 'status', status, message } }
}
