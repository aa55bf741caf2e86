import { createHash } from 'node:crypto'

/** Identifies an input for idempotency: the same kind and the same canonical input. */
export function fingerprintOf (kind: string, input: unknown): string {
  return createHash('sha256').update(kind).update('\0').update(canonical(input)).digest('hex')
}

/** JSON with sorted keys, so that key order does not change a fingerprint. */
function canonical (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a < b ? -1 : 1)
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
