import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import tap from 'tap'
import { openDatabase, type Database } from '../../src/store/database.js'

export type TapTest = Parameters<Parameters<typeof tap.test>[0]>[0]
export type Dialect = Database['dialect']

/**
 * The server .ci/run starts. Trust auth on loopback; PGW_TEST_POSTGRES_URL points elsewhere.
 * An unreachable server fails the PostgreSQL half of every test: it is never skipped.
 */
export const POSTGRES_ADMIN_URL = process.env.PGW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function admin (statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 5_000 })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** A throw-away database, dropped (whoever is still connected) on teardown; returns its URL. */
export async function createPostgresDatabase (t: TapTest): Promise<string> {
  const name = `pgw_test_${randomBytes(6).toString('hex')}`
  await admin(`CREATE DATABASE ${name}`)
  t.teardown(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** A fresh SQLite file in its own directory, removed on teardown; returns its DATABASE_URL. */
export function createSqliteFile (t: TapTest): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-store-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return `sqlite:${join(dir, 'gateway.db')}`
}

/** A fresh, empty store of that dialect, closed on teardown. Not migrated. */
export async function freshStore (t: TapTest, dialect: Dialect): Promise<{ database: Database, url: string }> {
  const url = dialect === 'postgres' ? await createPostgresDatabase(t) : createSqliteFile(t)
  const database = await openDatabase(url, { poolMax: 10 })
  // Registered after the drop, so it runs before it: tap runs teardowns last-in, first-out.
  t.teardown(() => database.close())
  return { database, url }
}

export interface DialectOptions {
  /** Leave the schema empty (for migration tests); by default the store is migrated. */
  migrate?: boolean
}

export type DialectBody = (t: TapTest, database: Database, url: string) => Promise<void>

/** Runs the body once on SQLite and once on PostgreSQL, each as a subtest with its own store. */
export async function forEachDialect (t: TapTest, body: DialectBody, options: DialectOptions = {}): Promise<void> {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    await t.test(dialect, async (t) => {
      const { database, url } = await freshStore(t, dialect)
      if (options.migrate !== false) await database.migrate()
      await body(t, database, url)
    })
  }
}

/** A top-level test whose body runs on both dialects. */
export function storeTest (name: string, body: DialectBody, options: DialectOptions = {}) {
  return tap.test(name, (t) => forEachDialect(t, body, options))
}
