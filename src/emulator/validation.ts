/**
 * Zod parsing with Pangolin's messages: `fromError(err).toString()` from zod-validation-error, and
 * the paging fallbacks of the list routes.
 */
import { z } from 'zod'
import { fromError } from 'zod-validation-error'
import { HttpError } from './envelope.js'

/** Express 5 leaves `req.body` undefined without a JSON content type; handlers then throw. */
export class MissingBodyError extends Error {
  constructor () {
    super('request body is undefined')
    this.name = 'MissingBodyError'
  }
}

export function validationMessage (error: unknown): string {
  return fromError(error).toString()
}

export function parse<T extends z.ZodType> (schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value)
  if (!result.success) throw new HttpError(400, validationMessage(result.error))
  return result.data
}

export function parseBody<T extends z.ZodType> (schema: T, body: unknown): z.output<T> {
  if (body === undefined) throw new MissingBodyError()
  return parse(schema, body)
}

/** A path id: coerced, so `abc` gives `…received NaN at "<name>"`. */
export const pathId = z.coerce.number().int().positive()

export function idParams<K extends string> (name: K) {
  return z.strictObject({ [name]: pathId } as Record<K, typeof pathId>)
}

export const orgParams = z.strictObject({ orgId: z.string() })

/** A paging value that falls back to its default instead of failing, as most list routes do. */
export function lenientInt (fallback: number, min = 1) {
  return z.unknown().optional().transform((value) => {
    const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN
    return Number.isInteger(n) && n >= min ? n : fallback
  })
}

/** An enum value that is ignored (becomes undefined) when it is not one of the options. */
export function lenientEnum<T extends string> (values: readonly [T, ...T[]]) {
  return z.unknown().optional().transform((value) =>
    (values as readonly unknown[]).includes(value) ? value as T : undefined)
}

export const optionalQueryString = z.string().optional()

export function paginate<T> (rows: T[], page: number, pageSize: number): T[] {
  return rows.slice((page - 1) * pageSize, page * pageSize)
}

export function byName<T extends { name: string }> (order: 'asc' | 'desc' | undefined) {
  const sign = order === 'desc' ? -1 : 1
  return (a: T, b: T): number => sign * a.name.localeCompare(b.name)
}

export function matches (needle: string | undefined, ...fields: Array<string | null | undefined>): boolean {
  if (needle === undefined || needle === '') return true
  const lower = needle.toLowerCase()
  return fields.some((field) => field?.toLowerCase().includes(lower) === true)
}
