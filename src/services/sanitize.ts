/** Keys whose values are credentials wherever they appear in an input or a log object. */
const SECRET_KEYS = /^(secret|newtSecret|token|apiKey|key|password|authorization|pincode)$/i

/** A deep copy with every credential-named field replaced, for the audit log and error details. */
export function sanitize (value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]'
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEYS.test(k) ? '[redacted]' : sanitize(v, depth + 1)
    }
    return out
  }
  if (typeof value === 'string' && /^pgw_[0-9A-Za-z]{32,}$/.test(value)) return '[redacted]'
  return value
}
