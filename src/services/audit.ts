import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { GatewayError } from '../errors.js'
import type { Principal } from '../auth/scopes.js'
import type { AuditRecord, AuditRepo, AuditRow } from '../store/audit-repo.js'
import { sanitize } from './sanitize.js'

export interface AuditEntry {
  principal: Principal | null
  orgId: string | null
  kind: string
  input: unknown
  outcome: AuditRecord['outcome']
  errorCode?: string | null
  operationId?: string | null
  requestId?: string | null
  pangolinIds?: Record<string, unknown> | null
}

export interface AuditPage {
  nodes: AuditRow[]
  endCursor: string | null
  hasNextPage: boolean
}

/**
 * Every mutation and admin action, in the store for `auditEvents` and as one JSON line in the log
 * (key `audit`) for log shippers. Inputs are sanitized before either sees them.
 */
export class AuditLog {
  readonly #repo: AuditRepo
  readonly #log: Logger

  constructor (repo: AuditRepo, log: Logger) {
    this.#repo = repo
    this.#log = log
  }

  async record (entry: AuditEntry): Promise<void> {
    const record: AuditRecord = {
      id: randomUUID(),
      at: new Date().toISOString(),
      clientId: entry.principal?.clientId ?? null,
      clientName: entry.principal?.name ?? null,
      orgId: entry.orgId,
      kind: entry.kind,
      input: sanitize(entry.input),
      outcome: entry.outcome,
      errorCode: entry.errorCode ?? null,
      operationId: entry.operationId ?? null,
      requestId: entry.requestId ?? null,
      pangolinIds: entry.pangolinIds ?? null
    }
    await this.#repo.insert(record)
    this.#log.info({ audit: record }, 'audit')
  }

  async list (filter: { orgId?: string | null, clientId?: string | null, first?: number | null, after?: string | null }): Promise<AuditPage> {
    const first = filter.first ?? 50
    if (!Number.isInteger(first) || first < 1 || first > 500) {
      throw new GatewayError('BAD_USER_INPUT', 'first: must be between 1 and 500', { extensions: { field: 'first' } })
    }
    const beforeSeq = filter.after == null ? undefined : decodeCursor(filter.after)
    const rows = await this.#repo.list({
      ...(filter.orgId == null ? {} : { orgId: filter.orgId }),
      ...(filter.clientId == null ? {} : { clientId: filter.clientId }),
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
      limit: first + 1
    })
    const nodes = rows.slice(0, first)
    const last = nodes.at(-1)
    return {
      nodes,
      endCursor: last === undefined ? null : Buffer.from(`seq:${last.seq}`).toString('base64url'),
      hasNextPage: rows.length > first
    }
  }
}

function decodeCursor (cursor: string): number {
  const match = /^seq:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (match === null) {
    throw new GatewayError('BAD_USER_INPUT', 'after: is not a cursor this API returned', { extensions: { field: 'after' } })
  }
  return Number(match[1])
}
