import type { CompiledQuery, Kysely } from 'kysely'
import type { Tables } from './tables.js'

export interface ClientRow {
  id: string
  name: string
  tokenHash: string
  orgs: '*' | string[]
  scopes: string[]
  createdAt: string
  revokedAt: string | null
  lastUsedAt: string | null
}

export class ClientsRepo {
  readonly #db: Kysely<Tables>
  /** The token lookup runs on every request: built and compiled once, run with a new parameter. */
  readonly #byHash: CompiledQuery<Tables['clients']>

  constructor (db: Kysely<Tables>) {
    this.#db = db
    this.#byHash = db.selectFrom('clients').selectAll().where('token_hash', '=', '').compile()
  }

  async insert (row: Omit<ClientRow, 'revokedAt' | 'lastUsedAt'>): Promise<void> {
    await this.#db.insertInto('clients').values({
      id: row.id,
      name: row.name,
      token_hash: row.tokenHash,
      orgs: JSON.stringify(row.orgs),
      scopes: JSON.stringify(row.scopes),
      created_at: row.createdAt,
      revoked_at: null,
      last_used_at: null
    }).execute()
  }

  async findByHash (tokenHash: string): Promise<ClientRow | undefined> {
    const { rows } = await this.#db.executeQuery<Tables['clients']>({ ...this.#byHash, parameters: [tokenHash] })
    const row = rows[0]
    return row === undefined ? undefined : toClient(row)
  }

  async list (): Promise<ClientRow[]> {
    const rows = await this.#db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('id').execute()
    return rows.map(toClient)
  }

  async get (id: string): Promise<ClientRow | undefined> {
    const row = await this.#db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst()
    return row === undefined ? undefined : toClient(row)
  }

  /** Returns false when no live client has that id. */
  async revoke (id: string, at: string): Promise<boolean> {
    const result = await this.#db.updateTable('clients').set({ revoked_at: at })
      .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async touch (id: string, at: string): Promise<void> {
    await this.#db.updateTable('clients').set({ last_used_at: at }).where('id', '=', id).execute()
  }
}

function toClient (row: Tables['clients']): ClientRow {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    orgs: JSON.parse(row.orgs) as '*' | string[],
    scopes: JSON.parse(row.scopes) as string[],
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at
  }
}
