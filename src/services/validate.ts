import type { z } from 'zod'
import { GatewayError } from '../errors.js'

/**
 * Parses input with a zod schema and turns the first failures into one BAD_USER_INPUT error whose
 * message names each field path, e.g. `targets[1].port: must be between 1 and 65535`.
 */
export function parseInput<S extends z.ZodType> (schema: S, raw: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  const issues = result.error.issues.slice(0, 5).map((issue) => {
    const path = formatPath([...(prefix === '' ? [] : [prefix]), ...issue.path])
    return { field: path, message: issue.message }
  })
  const message = issues.map((i) => i.field === '' ? i.message : `${i.field}: ${i.message}`).join('; ')
  return throwBadInput(message, issues)
}

function throwBadInput (message: string, issues: Array<{ field: string, message: string }>): never {
  throw new GatewayError('BAD_USER_INPUT', message, {
    extensions: { field: issues[0]?.field ?? '', issues }
  })
}

export function formatPath (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out
}
