import { z } from 'zod'
import { ConfigError } from './config-error.js'

const keyString = z.string().regex(/^[^.\s]+\.[^.\s]+$/, { error: 'must look like <apiKeyId>.<secret>' })

const keysFileSchema = z.strictObject({
  keys: z.array(z.strictObject({
    name: z.string().min(1).optional(),
    key: keyString,
    secondary: keyString.optional(),
    orgs: z.union([z.literal('*'), z.array(z.string().min(1)).min(1)])
  })).min(1, { error: 'must list at least one key' })
})

export interface UpstreamKey {
  readonly name?: string
  readonly primary: string
  readonly secondary?: string
  /** The orgs this key serves, or '*' for all. */
  readonly orgs: '*' | readonly string[]
}

/**
 * The keys file is JSON: `{"keys": [{"key": "id.secret", "secondary": "id.secret", "orgs": ["acme"]}]}`.
 * The message of a failure names the entry but never echoes a value, since values are keys.
 */
export function parseKeysFile (text: string): UpstreamKey[] {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new ConfigError('PANGOLIN_KEYS_FILE is not valid JSON.')
  }
  const parsed = keysFileSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
    throw new ConfigError(`PANGOLIN_KEYS_FILE is invalid${where}: ${issue.message}.`)
  }
  return parsed.data.keys.map((k) => ({
    ...(k.name === undefined ? {} : { name: k.name }),
    primary: k.key,
    ...(k.secondary === undefined ? {} : { secondary: k.secondary }),
    orgs: k.orgs
  }))
}
