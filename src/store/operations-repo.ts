import type { Kysely, Selectable } from 'kysely'
import type { OperationStepsTable, OperationsTable, Tables } from './tables.js'

export type OperationStatus = 'RUNNING' | 'SUCCEEDED' | 'ROLLED_BACK' | 'NEEDS_ATTENTION'
export type OperationPhase = 'forward' | 'compensating'
export type StepStatus = 'PENDING' | 'DONE' | 'FAILED' | 'UNDONE'

export interface OperationRow {
  id: string
  kind: string
  orgId: string
  clientId: string
  idempotencyKey: string | null
  fingerprint: string
  input: unknown
  plan: unknown
  status: OperationStatus
  phase: OperationPhase
  leaseOwner: string | null
  leaseExpiresAt: string | null
  attempts: number
  nextAttemptAt: string | null
  result: unknown
  errorCode: string | null
  errorMessage: string | null
  errorExtensions: Record<string, unknown> | null
  createdAt: string
  updatedAt: string
  expiresAt: string
}

export interface StepRow {
  seq: number
  name: string
  action: string
  naturalKey: Record<string, unknown>
  parent: string | null
  status: StepStatus
  upstreamId: string | null
  errorCode: string | null
  updatedAt: string
}

export type NewOperation = Pick<OperationRow, 'id' | 'kind' | 'orgId' | 'clientId' | 'idempotencyKey' | 'fingerprint' | 'input' | 'expiresAt'> & {
  leaseOwner: string
  leaseExpiresAt: string
  now: string
}

/**
 * The operation journal. Every write is one statement, so a crash leaves either the old row or the
 * new one; leases are taken with a conditional UPDATE, so two replicas never both win.
 */
export class OperationsRepo {
  readonly #db: Kysely<Tables>

  constructor (db: Kysely<Tables>) {
    this.#db = db
  }

  /** Inserts the operation, or returns false when the client already used this idempotency key. */
  async insert (op: NewOperation): Promise<boolean> {
    try {
      await this.#db.insertInto('operations').values({
        id: op.id,
        kind: op.kind,
        org_id: op.orgId,
        client_id: op.clientId,
        idempotency_key: op.idempotencyKey,
        fingerprint: op.fingerprint,
        input: JSON.stringify(op.input),
        plan: null,
        status: 'RUNNING',
        phase: 'forward',
        lease_owner: op.leaseOwner,
        lease_expires_at: op.leaseExpiresAt,
        attempts: 0,
        next_attempt_at: null,
        result: null,
        error_code: null,
        error_message: null,
        error_extensions: null,
        created_at: op.now,
        updated_at: op.now,
        expires_at: op.expiresAt
      }).execute()
      return true
    } catch (err) {
      if (isUniqueViolation(err) && op.idempotencyKey !== null) return false
      throw err
    }
  }

  async get (id: string): Promise<OperationRow | undefined> {
    const row = await this.#db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst()
    return row === undefined ? undefined : toOperation(row)
  }

  async findByKey (clientId: string, key: string): Promise<OperationRow | undefined> {
    const row = await this.#db.selectFrom('operations').selectAll()
      .where('client_id', '=', clientId).where('idempotency_key', '=', key).executeTakeFirst()
    return row === undefined ? undefined : toOperation(row)
  }

  /** Takes the lease if it is free, expired, or already ours. */
  async takeLease (id: string, owner: string, until: string, now: string): Promise<boolean> {
    const result = await this.#db.updateTable('operations')
      .set({ lease_owner: owner, lease_expires_at: until, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['RUNNING', 'NEEDS_ATTENTION'])
      .where((eb) => eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_expires_at', '<', now),
        eb('lease_owner', '=', owner)
      ]))
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  /** Extends our lease; false means another replica took it and we must stop writing. */
  async renewLease (id: string, owner: string, until: string): Promise<boolean> {
    const result = await this.#db.updateTable('operations').set({ lease_expires_at: until })
      .where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  async releaseLease (id: string, owner: string): Promise<void> {
    await this.#db.updateTable('operations').set({ lease_owner: null, lease_expires_at: null })
      .where('id', '=', id).where('lease_owner', '=', owner).execute()
  }

  async update (id: string, owner: string, fields: Partial<{
    plan: unknown
    status: OperationStatus
    phase: OperationPhase
    result: unknown
    errorCode: string | null
    errorMessage: string | null
    errorExtensions: Record<string, unknown> | null
    attempts: number
    nextAttemptAt: string | null
    releaseLease: boolean
  }>): Promise<boolean> {
    const now = new Date().toISOString()
    const result = await this.#db.updateTable('operations').set({
      updated_at: now,
      ...(fields.plan === undefined ? {} : { plan: JSON.stringify(fields.plan) }),
      ...(fields.status === undefined ? {} : { status: fields.status }),
      ...(fields.phase === undefined ? {} : { phase: fields.phase }),
      ...(fields.result === undefined ? {} : { result: JSON.stringify(fields.result) }),
      ...(fields.errorCode === undefined ? {} : { error_code: fields.errorCode }),
      ...(fields.errorMessage === undefined ? {} : { error_message: fields.errorMessage }),
      ...(fields.errorExtensions === undefined ? {} : { error_extensions: fields.errorExtensions === null ? null : JSON.stringify(fields.errorExtensions) }),
      ...(fields.attempts === undefined ? {} : { attempts: fields.attempts }),
      ...(fields.nextAttemptAt === undefined ? {} : { next_attempt_at: fields.nextAttemptAt }),
      ...(fields.releaseLease === true ? { lease_owner: null, lease_expires_at: null } : {})
    }).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  async steps (id: string): Promise<StepRow[]> {
    const rows = await this.#db.selectFrom('operation_steps').selectAll()
      .where('operation_id', '=', id).orderBy('seq').execute()
    return rows.map(toStep)
  }

  async insertStep (operationId: string, step: Omit<StepRow, 'updatedAt' | 'upstreamId' | 'errorCode'>): Promise<void> {
    await this.#db.insertInto('operation_steps').values({
      operation_id: operationId,
      seq: step.seq,
      name: step.name,
      action: step.action,
      natural_key: JSON.stringify(step.naturalKey),
      parent: step.parent,
      status: step.status,
      upstream_id: null,
      error_code: null,
      updated_at: new Date().toISOString()
    }).execute()
  }

  async updateStep (operationId: string, name: string, fields: { status: StepStatus, upstreamId?: string | null, errorCode?: string | null }): Promise<void> {
    await this.#db.updateTable('operation_steps').set({
      status: fields.status,
      ...(fields.upstreamId === undefined ? {} : { upstream_id: fields.upstreamId }),
      ...(fields.errorCode === undefined ? {} : { error_code: fields.errorCode }),
      updated_at: new Date().toISOString()
    }).where('operation_id', '=', operationId).where('name', '=', name).execute()
  }

  /** Operations a replica may take over: running with an expired lease, or due for another try. */
  async recoverable (now: string, limit: number): Promise<OperationRow[]> {
    const rows = await this.#db.selectFrom('operations').selectAll()
      .where((eb) => eb.or([
        eb.and([eb('status', '=', 'RUNNING'), eb.or([eb('lease_expires_at', '<', now), eb('lease_owner', 'is', null)])]),
        eb.and([
          eb('status', '=', 'NEEDS_ATTENTION'),
          eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]),
          eb.or([eb('lease_expires_at', '<', now), eb('lease_owner', 'is', null)])
        ])
      ]))
      .orderBy('created_at').limit(limit).execute()
    return rows.map(toOperation)
  }

  async list (filter: { orgId: string, status?: OperationStatus, limit: number, before?: { createdAt: string, id: string } }): Promise<OperationRow[]> {
    let query = this.#db.selectFrom('operations').selectAll().where('org_id', '=', filter.orgId)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit)
    if (filter.status !== undefined) query = query.where('status', '=', filter.status)
    if (filter.before !== undefined) {
      const { createdAt, id } = filter.before
      query = query.where((eb) => eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)])
      ]))
    }
    return (await query.execute()).map(toOperation)
  }

  /** Operations needing an operator's eye, across orgs, newest first. */
  async listByStatus (status: OperationStatus, limit: number): Promise<OperationRow[]> {
    const rows = await this.#db.selectFrom('operations').selectAll().where('status', '=', status)
      .orderBy('updated_at', 'desc').limit(limit).execute()
    return rows.map(toOperation)
  }

  /** Makes an unfinished compensation due now, so the next recovery pass retries it. */
  async retryNow (id: string, now: string): Promise<boolean> {
    const result = await this.#db.updateTable('operations').set({ next_attempt_at: now })
      .where('id', '=', id).where('status', '=', 'NEEDS_ATTENTION').executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  async countByStatus (): Promise<Record<string, number>> {
    const rows = await this.#db.selectFrom('operations').select(['status']).select((eb) => eb.fn.countAll().as('n'))
      .groupBy('status').execute()
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
  }

  /** Forgets finished operations past their retention; their idempotency keys become free. */
  async purge (now: string): Promise<number> {
    const result = await this.#db.deleteFrom('operations').where('expires_at', '<', now)
      .where('status', 'in', ['SUCCEEDED', 'ROLLED_BACK']).executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}

function isUniqueViolation (err: unknown): boolean {
  const code = (err as { code?: string }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505'
}

function parse (text: string | null): unknown {
  return text === null ? null : JSON.parse(text)
}

function toOperation (row: Selectable<OperationsTable>): OperationRow {
  return {
    id: row.id,
    kind: row.kind,
    orgId: row.org_id,
    clientId: row.client_id,
    idempotencyKey: row.idempotency_key,
    fingerprint: row.fingerprint,
    input: parse(row.input),
    plan: parse(row.plan),
    status: row.status as OperationStatus,
    phase: row.phase as OperationPhase,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    result: parse(row.result),
    errorCode: row.error_code,
    errorMessage: row.error_message,
    errorExtensions: parse(row.error_extensions ?? null) as Record<string, unknown> | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at
  }
}

function toStep (row: Selectable<OperationStepsTable>): StepRow {
  return {
    seq: Number(row.seq),
    name: row.name,
    action: row.action,
    naturalKey: JSON.parse(row.natural_key) as Record<string, unknown>,
    parent: row.parent,
    status: row.status as StepStatus,
    upstreamId: row.upstream_id,
    errorCode: row.error_code,
    updatedAt: row.updated_at
  }
}
