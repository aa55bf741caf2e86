import { readFileSync } from 'node:fs'
import { ConfigError } from './config-error.js'
import { envSchema } from './env.js'
import { parseKeysFile, type UpstreamKey } from './keys.js'

export { ConfigError }

export interface Config {
  readonly production: boolean
  readonly pangolin: {
    readonly url: string | undefined
    readonly keys: readonly UpstreamKey[]
    readonly timeoutMs: number
    readonly maxInFlight: number
    /** Calls in flight across all replicas (Redis); undefined: no shared cap. */
    readonly maxInFlightGlobal: number | undefined
    readonly queueTimeoutMs: number
    readonly retryAttempts: number
  }
  readonly operations: {
    readonly leaseMs: number
    readonly retentionMs: number
    readonly recoveryIntervalMs: number
    readonly recoveryBackoffMs: number
    readonly shutdownDeadlineMs: number
  }
  readonly databaseUrl: string
  /** Most PostgreSQL connections per replica; ignored for SQLite. */
  readonly databasePoolMax: number
  readonly redisUrl: string | undefined
  /** Prepended to every Redis key, so that several deployments can share one Redis. */
  readonly redisKeyPrefix: string
  /** Requests each client (or, before authentication, each IP) may send per window. */
  readonly rateLimit: {
    readonly max: number
    readonly windowMs: number
  }
  readonly tokenSecret: string | undefined
  readonly host: string
  readonly port: number
  readonly logLevel: string
  readonly graphiql: boolean
  readonly introspection: boolean
  /** Limits a GraphQL request must stay within, else QUERY_TOO_COMPLEX. */
  readonly graphqlLimits: GraphqlLimits
  /** Several operations in one POST (a JSON array); off unless asked for. */
  readonly graphqlBatching: boolean
  /** Largest request body accepted; larger ones are answered 413. */
  readonly bodyLimitBytes: number
}

export interface GraphqlLimits {
  readonly maxDepth: number
  readonly maxAliases: number
  readonly maxTokens: number
  readonly maxCost: number
}

export interface LoadOptions {
  /** `serve` needs Pangolin's address and a key; `migrate` and `clients` do not. */
  requireUpstream?: boolean
}

/** Reads and checks the environment once. Throws a ConfigError whose message is one sentence. */
export function loadConfig (env: NodeJS.ProcessEnv, options: LoadOptions = {}): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const name = String(issue.path[0] ?? 'environment')
    throw new ConfigError(issue.message.startsWith(name) ? `${issue.message}.` : `${name}: ${issue.message}.`)
  }
  const e = parsed.data
  const production = e.NODE_ENV === 'production'

  const keys = readKeys(e.PANGOLIN_API_KEY, e.PANGOLIN_API_KEY_FILE, e.PANGOLIN_KEYS_FILE)
  if (options.requireUpstream === true) {
    if (e.PANGOLIN_URL === undefined) {
      throw new ConfigError('PANGOLIN_URL is required: the Integration API address, e.g. http://pangolin:3003/v1.')
    }
    if (keys.length === 0) {
      throw new ConfigError('PANGOLIN_API_KEY, PANGOLIN_API_KEY_FILE or PANGOLIN_KEYS_FILE is required.')
    }
    if (e.GATEWAY_TOKEN_SECRET === undefined) {
      throw new ConfigError('GATEWAY_TOKEN_SECRET is required: at least 32 random characters.')
    }
  }

  if (e.PANGOLIN_MAX_IN_FLIGHT_GLOBAL !== undefined && e.REDIS_URL === undefined) {
    throw new ConfigError('PANGOLIN_MAX_IN_FLIGHT_GLOBAL needs REDIS_URL: the shared cap is kept in Redis.')
  }

  return deepFreeze({
    production,
    pangolin: {
      url: e.PANGOLIN_URL?.replace(/\/+$/, ''),
      keys,
      timeoutMs: e.PANGOLIN_TIMEOUT_MS,
      maxInFlight: e.PANGOLIN_MAX_IN_FLIGHT,
      maxInFlightGlobal: e.PANGOLIN_MAX_IN_FLIGHT_GLOBAL,
      queueTimeoutMs: e.PANGOLIN_QUEUE_TIMEOUT_MS,
      retryAttempts: e.PANGOLIN_RETRY_ATTEMPTS
    },
    operations: {
      leaseMs: e.OPERATION_LEASE_MS,
      retentionMs: e.OPERATION_RETENTION_HOURS * 3600_000,
      recoveryIntervalMs: e.RECOVERY_INTERVAL_MS,
      recoveryBackoffMs: e.RECOVERY_BACKOFF_MS,
      shutdownDeadlineMs: e.SHUTDOWN_DEADLINE_MS
    },
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    rateLimit: { max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS },
    tokenSecret: e.GATEWAY_TOKEN_SECRET,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    graphiql: e.GRAPHIQL ?? !production,
    introspection: e.INTROSPECTION ?? !production,
    graphqlLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxCost: e.GRAPHQL_MAX_COST
    },
    graphqlBatching: e.GRAPHQL_BATCHING,
    bodyLimitBytes: e.BODY_LIMIT_BYTES
  })
}

/** The three ways of giving keys are exclusive, so that nobody wonders which one wins. */
export function readKeys (inline?: string, file?: string, keysFile?: string): UpstreamKey[] {
  const given = [inline, file, keysFile].filter((v) => v !== undefined).length
  if (given > 1) {
    throw new ConfigError('Set only one of PANGOLIN_API_KEY, PANGOLIN_API_KEY_FILE and PANGOLIN_KEYS_FILE.')
  }
  if (inline !== undefined) return [{ primary: inline, orgs: '*' }]
  if (file !== undefined) {
    const key = readText('PANGOLIN_API_KEY_FILE', file).trim()
    if (!/^[^.\s]+\.[^.\s]+$/.test(key)) {
      throw new ConfigError('PANGOLIN_API_KEY_FILE must hold one key like <apiKeyId>.<secret>.')
    }
    return [{ primary: key, orgs: '*' }]
  }
  if (keysFile !== undefined) return parseKeysFile(readText('PANGOLIN_KEYS_FILE', keysFile))
  return []
}

function readText (name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`${name} names a file that cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`)
  }
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

export type { UpstreamKey }
