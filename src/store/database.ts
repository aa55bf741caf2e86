import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect, sql, type MigrationProvider, type SqliteDatabase, type SqliteStatement } from 'kysely'
import type { Logger } from 'pino'
import { buildMigrations, type Dialect } from './migrations.js'
import type { Tables } from './tables.js'

export interface Database {
  readonly db: Kysely<Tables>
  readonly dialect: Dialect
  /** Applies pending migrations; safe to call on every start, from several replicas at once. */
  migrate (): Promise<string[]>
  ping (): Promise<void>
  close (): Promise<void>
}

export interface OpenOptions {
  /** DATABASE_POOL_MAX: most PostgreSQL connections; SQLite has one. */
  poolMax?: number
  /** Where PostgreSQL pool errors are reported; without one they become process warnings. */
  logger?: Pick<Logger, 'error'>
}

/** Opens the store named by DATABASE_URL: `sqlite:<path>`, `:memory:` or `postgres://…`. */
export async function openDatabase (url: string, options: OpenOptions = {}): Promise<Database> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // Loaded only for PostgreSQL, so that an SQLite gateway does not carry the pg driver.
    const { openPostgres, withAdvisoryLock } = await import('./postgres.js')
    const { logger } = options
    const db = openPostgres(url, {
      poolMax: options.poolMax ?? 10,
      onError: (err) => {
        if (logger === undefined) process.emitWarning(`store: ${err.message}`)
        else logger.error({ err }, 'store connection error')
      }
    })
    return wrap(db, 'postgres', withAdvisoryLock)
  }
  return openSqlite(url)
}

function openSqlite (url: string): Database {
  const path = url === ':memory:' ? ':memory:' : url.slice('sqlite:'.length)
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  // First, so that even switching to WAL waits for another process instead of failing.
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('journal_mode = WAL')
  // In WAL mode NORMAL loses no committed write when the process dies (a SIGKILL, a crash), only
  // on a power cut or kernel crash, and spares an fsync on every commit of the journal.
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  return wrap(db, 'sqlite')
}

/**
 * Kysely prepares every statement anew; preparing costs more than running a small query. The
 * gateway runs a handful of distinct statements (the token lookup on every request), so prepared
 * statements are kept, by SQL text, in a small LRU. better-sqlite3 runs them synchronously, so a
 * statement is never used by two queries at once.
 */
function withStatementCache (sqlite: SQLite.Database, max = 256): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare (text: string) {
      let statement = cache.get(text)
      if (statement === undefined) {
        statement = sqlite.prepare(text)
        if (cache.size >= max) cache.delete(cache.keys().next().value!)
      } else {
        cache.delete(text)
      }
      cache.set(text, statement)
      return statement as unknown as SqliteStatement
    }
  }
}

/**
 * SQLite's counterpart of the advisory lock: an IMMEDIATE transaction takes the file's write lock
 * up front, so a second process on the same file waits (busy_timeout) and then finds nothing to do.
 */
async function withWriteLock<T> (db: Kysely<Tables>, run: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn)
    try {
      const result = await run(conn)
      await sql`commit`.execute(conn)
      return result
    } catch (err) {
      await sql`rollback`.execute(conn)
      throw err
    }
  })
}

export function wrap (db: Kysely<Tables>, dialect: Dialect, locked: typeof withWriteLock = withWriteLock): Database {
  return {
    db,
    dialect,
    async migrate () {
      const provider: MigrationProvider = { getMigrations: async () => buildMigrations(dialect) }
      const { error, results } = await locked(db, (conn) => new Migrator({ db: conn, provider }).migrateToLatest())
      if (error !== undefined) throw error
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
    },
    async ping () {
      await db.selectFrom('clients').select('id').limit(1).execute()
    },
    async close () {
      await db.destroy()
    }
  }
}
