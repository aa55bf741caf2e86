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

export interface OperationsTable {
  id: string
  kind: string
  org_id: string
  client_id: string
  idempotency_key: string | null
  fingerprint: string
  input: string
  /** The resolved ids (domain, sites, roles, users), fixed before the first write upstream. */
  plan: string | null
  status: string
  /** `forward` while creating, `compensating` once a step failed for good. */
  phase: string
  lease_owner: string | null
  lease_expires_at: string | null
  attempts: number
  next_attempt_at: string | null
  result: string | null
  error_code: string | null
  error_message: string | null
  /** The failure's client-facing details (existingResourceId, field…), as JSON, for replays. */
  error_extensions: string | null
  created_at: string
  updated_at: string
  expires_at: string
}

export interface OperationStepsTable {
  operation_id: string
  seq: number
  name: string
  action: string
  natural_key: string
  parent: string | null
  status: string
  upstream_id: string | null
  error_code: string | null
  updated_at: string
}

export interface Tables {
  clients: ClientsTable
  audit_events: AuditEventsTable
  operations: OperationsTable
  operation_steps: OperationStepsTable
}
