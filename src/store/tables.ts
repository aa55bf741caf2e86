import type { Generated } from 'kysely'

/**
 * The store's tables. Times are ISO-8601 strings and lists are JSON text, so that SQLite and
 * PostgreSQL share one query layer without dialect-specific column types.
 */
export interface ClientsTable {
  id: string
  name: string
  token_hash: string
  orgs: string
  scopes: string
  created_at: string
  revoked_at: string | null
  last_used_at: string | null
}

export interface AuditEventsTable {
  seq: Generated<number>
  id: string
  at: string
  client_id: string | null
  client_name: string | null
  org_id: string | null
  kind: string
  input: string | null
  outcome: string
  error_code: string | null
  operation_id: string | null
  request_id: string | null
  pangolin_ids: string | null
}

export interface Tables {
  clients: ClientsTable
  audit_events: AuditEventsTable
}
