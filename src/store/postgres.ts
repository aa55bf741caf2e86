import pg from 'pg'
import { Kysely, PostgresDialect, sql } from 'kysely'
import type { Tables } from './tables.js'

export interface PostgresOptions {
  /** Most connections this replica opens; the sum over replicas must fit max_connections. */
  poolMax: number
  /** A dropped idle connection is the pool's business: it reconnects, and we only report it. */
  onError: (err: Error) => void
}

/** Any constant shared by every replica of this gateway; "pgw" plus a version byte. */
const MIGRATION_LOCK = 0x70677701

export function openPostgres (url: string, options: PostgresOptions): Kysely<Tables> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    // A database that does not answer should fail a request (and /readyz) quickly, not queue it.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Every store query is a short indexed read or a one-row write; one that runs this long is
    // stuck behind a lock, and failing it frees the connection for the rest of the pool.
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'pangolin-gateway'
  })
  pool.on('error', options.onError)
  // A connection that breaks while checked out emits on the client, not the pool; without a
  // listener that event would take the process down.
  pool.on('connect', (client) => { client.on('error', options.onError) })
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) })
}

/**
 * Runs the migrations while holding a session advisory lock on one dedicated connection, so that
 * replicas starting together migrate one after the other: the second finds nothing left to do.
 * The migrations run on that same connection, so a pool of one cannot deadlock.
 */
export async function withAdvisoryLock<T> (db: Kysely<Tables>, run: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    // Waiting for another replica's migrations can outlast the per-statement cap; bound it apart.
    await sql`set statement_timeout = 0`.execute(conn)
    await sql`set lock_timeout = '120s'`.execute(conn)
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK)})`.execute(conn)
    try {
      return await run(conn)
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK)})`.execute(conn)
      await sql`reset statement_timeout`.execute(conn)
      await sql`reset lock_timeout`.execute(conn)
    }
  })
}
