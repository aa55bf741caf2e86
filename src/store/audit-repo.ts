import type { Kysely } from 'kysely'
import type { Tables } from './tables.js'

export interface AuditRecord {
  id: string
  at: string
  clientId: string | null
  clientName: string | null
  orgId: string | null
  kind: string
  input: unknown
  outcome: 'succeeded' | 'failed' | 'rolled_back' | 'needs_attention' | 'replayed'
  errorCode: string | null
  operationId: string | null
  requestId: string | null
  pangolinIds: Record<string, unknown> | null
}

export interface AuditRow extends Omit<AuditRecord, 'input' | 'pangolinIds'> {
  seq: number
  input: string | null
  pangolinIds: string | null
}

export interface AuditFilter {
  orgId?: string
  clientId?: string
  /** Return events older than this sequence number. */
  beforeSeq?: number
  limit: number
}

export class AuditRepo {
  readonly #db: Kysely<Tables>

  constructor (db: Kysely<Tables>) {
    this.#db = db
  }

  async insert (record: AuditRecord): Promise<void> {
    await this.#db.insertInto('audit_events').values({
      id: record.id,
      at: record.at,
      client_id: record.clientId,
      client_name: record.clientName,
      org_id: record.orgId,
      kind: record.kind,
      input: record.input === undefined ? null : JSON.stringify(record.input),
      outcome: record.outcome,
      error_code: record.errorCode,
      operation_id: record.operationId,
      request_id: record.requestId,
      pangolin_ids: record.pangolinIds === null ? null : JSON.stringify(record.pangolinIds)
    }).execute()
  }

  async list (filter: AuditFilter): Promise<AuditRow[]> {
    let query = this.#db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(filter.limit)
    if (filter.orgId !== undefined) query = query.where('org_id', '=', filter.orgId)
    if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId)
    if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq)
    const rows = await query.execute()
    return rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      at: r.at,
      clientId: r.client_id,
      clientName: r.client_name,
      orgId: r.org_id,
      kind: r.kind,
      input: r.input,
      outcome: r.outcome as AuditRecord['outcome'],
      errorCode: r.error_code,
      operationId: r.operation_id,
      requestId: r.request_id,
      pangolinIds: r.pangolin_ids
    }))
  }
}
