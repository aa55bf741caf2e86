import { z } from 'zod'

const bool = (name: string) => z.enum(['true', 'false', '1', '0'], {
  error: `${name} must be "true" or "false"`
}).transform((v) => v === 'true' || v === '1')

const int = (name: string, min: number, max: number) => z.string()
  .regex(/^\d+$/, { error: `${name} must be a whole number between ${min} and ${max}` })
  .transform(Number)
  .pipe(z.number().min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` }))

const url = (name: string, protocols: string[]) => z.string().refine((value) => {
  try {
    return protocols.includes(new URL(value).protocol)
  } catch {
    return false
  }
}, { error: `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` })

/**
 * The environment the gateway reads, by the names of product.md section 8 plus a few tuning knobs.
 * Every entry is a string in the environment; each parser names its variable in its message, so
 * start-up can stop with one sentence.
 */
export const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  PANGOLIN_URL: url('PANGOLIN_URL', ['http:', 'https:']).optional(),
  PANGOLIN_API_KEY: z.string().regex(/^[^.\s]+\.[^.\s]+$/, {
    error: 'PANGOLIN_API_KEY must look like <apiKeyId>.<secret>'
  }).optional(),
  PANGOLIN_API_KEY_FILE: z.string().min(1, { error: 'PANGOLIN_API_KEY_FILE must be a file path' }).optional(),
  PANGOLIN_KEYS_FILE: z.string().min(1, { error: 'PANGOLIN_KEYS_FILE must be a file path' }).optional(),
  PANGOLIN_TIMEOUT_MS: int('PANGOLIN_TIMEOUT_MS', 100, 600_000).default(10_000),
  PANGOLIN_MAX_IN_FLIGHT: int('PANGOLIN_MAX_IN_FLIGHT', 1, 1024).default(16),
  PANGOLIN_MAX_IN_FLIGHT_GLOBAL: int('PANGOLIN_MAX_IN_FLIGHT_GLOBAL', 1, 100_000).optional(),
  PANGOLIN_QUEUE_TIMEOUT_MS: int('PANGOLIN_QUEUE_TIMEOUT_MS', 1, 600_000).default(5_000),
  PANGOLIN_RETRY_ATTEMPTS: int('PANGOLIN_RETRY_ATTEMPTS', 1, 10).default(3),
  OPERATION_LEASE_MS: int('OPERATION_LEASE_MS', 1_000, 600_000).default(30_000),
  OPERATION_RETENTION_HOURS: int('OPERATION_RETENTION_HOURS', 1, 24 * 365).default(24),
  RECOVERY_INTERVAL_MS: int('RECOVERY_INTERVAL_MS', 100, 3_600_000).default(5_000),
  RECOVERY_BACKOFF_MS: int('RECOVERY_BACKOFF_MS', 1, 3_600_000).default(1_000),
  SHUTDOWN_DEADLINE_MS: int('SHUTDOWN_DEADLINE_MS', 0, 600_000).default(10_000),
  DATABASE_URL: z.string().refine((v) => v.startsWith('sqlite:') || v.startsWith('postgres://') ||
    v.startsWith('postgresql://') || v === ':memory:', {
    error: 'DATABASE_URL must be sqlite:<path>, :memory: or postgres://…'
  }).default('sqlite:./data/gateway.db'),
  DATABASE_POOL_MAX: int('DATABASE_POOL_MAX', 1, 1000).default(10),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w.:-]{1,64}$/, {
    error: 'REDIS_KEY_PREFIX must be 1 to 64 letters, digits or ._:-'
  }).default('pgw:'),
  GATEWAY_TOKEN_SECRET: z.string().min(32, {
    error: 'GATEWAY_TOKEN_SECRET must be at least 32 characters'
  }).optional(),
  HOST: z.string().min(1, { error: 'HOST must be a host name or address' }).default('0.0.0.0'),
  PORT: int('PORT', 0, 65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'
  }).default('info'),
  RATE_LIMIT_MAX: int('RATE_LIMIT_MAX', 1, 1_000_000).default(600),
  RATE_LIMIT_WINDOW_MS: int('RATE_LIMIT_WINDOW_MS', 1000, 86_400_000).default(60_000),
  GRAPHIQL: bool('GRAPHIQL').optional(),
  INTROSPECTION: bool('INTROSPECTION').optional(),
  GRAPHQL_MAX_DEPTH: int('GRAPHQL_MAX_DEPTH', 1, 100).default(12),
  GRAPHQL_MAX_ALIASES: int('GRAPHQL_MAX_ALIASES', 0, 1000).default(30),
  GRAPHQL_MAX_TOKENS: int('GRAPHQL_MAX_TOKENS', 10, 100_000).default(2000),
  GRAPHQL_MAX_COST: int('GRAPHQL_MAX_COST', 1, 1_000_000).default(5000),
  GRAPHQL_BATCHING: bool('GRAPHQL_BATCHING').default(false),
  BODY_LIMIT_BYTES: int('BODY_LIMIT_BYTES', 1024, 100 * 1024 * 1024).default(1024 * 1024)
})

export type Env = z.infer<typeof envSchema>
