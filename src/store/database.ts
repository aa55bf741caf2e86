import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely'
import { buildMigrations, type Dialect } from './migrations.js'
import type { Tables } from './tables.js'

export interface Database {
  readonly db: Kysely<Tables>
  readonly dialect: Dialect
  /** Applies pending migrations; safe to call on every start. */
  migrate (): Promise<string[]>
  ping (): Promise<void>
  close (): Promise<void>
}

/** Opens the store named by DATABASE_URL: `sqlite:<path>`, `:memory:` or `postgres://…`. */
export async function openDatabase (url: string): Promise<Database> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    throw new Error('DATABASE_URL: PostgreSQL is not supported by this build yet; use sqlite:<path>.')
  }
  return openSqlite(url)
}

function openSqlite (url: string): Database {
  const path = url === ':memory:' ? ':memory:' : url.slice('sqlite:'.length)
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) })
  return wrap(db, 'sqlite')
}

export function wrap (db: Kysely<Tables>, dialect: Dialect): Database {
  return {
    db,
    dialect,
    async migrate () {
      const provider: MigrationProvider = { getMigrations: async () => buildMigrations(dialect) }
      const migrator = new Migrator({ db, provider })
      const { error, results } = await migrator.migrateToLatest()
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
