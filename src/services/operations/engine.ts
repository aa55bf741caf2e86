import { createHmac, randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { GatewayError, isGatewayError } from '../../errors.js'
import type { Principal } from '../../auth/scopes.js'
import type { OperationRow, OperationsRepo } from '../../store/operations-repo.js'
import type { PangolinClient } from '../../upstream/types.js'
import type { AuditLog } from '../audit.js'
import type { ObjectKind, OrgIndex } from '../org-index.js'
import { authorize } from '../policy.js'
import { Journal } from './journal.js'
import type { AnyKind } from './kind.js'
import { fingerprintOf } from './fingerprint.js'
import { runSaga } from './saga.js'

export interface EngineOptions {
  repo: OperationsRepo
  pangolin: PangolinClient
  audit: AuditLog
  logger: Logger
  kinds: readonly AnyKind[]
  /** Which org each known object is in; lets id-only inputs be refused without an upstream read. */
  index: OrgIndex
  /** Secret for deriving Newt secrets; GATEWAY_TOKEN_SECRET. */
  secret: string
  /** How long a replica owns a running operation without renewing. Default 30 s. */
  leaseMs?: number
  /** How long a timed-out create may take to land before a lookup can trust "absent". */
  settleMs?: number
  /** How long finished operations (and their idempotency keys) are kept. Default 24 h. */
  retentionMs?: number
  /** First wait before retrying an unfinished compensation; doubles each time up to 5 min. */
  backoffMs?: number
  /** Told of compensations, reconciliations and recoveries, for metrics. */
  metrics?: { onEvent: (name: 'compensation' | 'reconciliation' | 'recovery') => void }
}

export interface ExecuteOptions {
  idempotencyKey?: string | null
  requestId?: string
  log?: Logger
}

export interface Outcome<R> {
  result: R
  /** Null only when a delete found its object already gone: nothing was journaled. */
  operation: OperationRow | null
  replayed: boolean
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/

/**
 * Runs composite operations as journaled sagas. The row is written before the first upstream
 * call, each step before and after its call; a step that fails for good makes the operation take
 * back what it did. Leases make exactly one replica drive an operation at a time.
 */
export class OperationEngine {
  readonly owner = `replica-${randomUUID().slice(0, 8)}`
  readonly #repo: OperationsRepo
  readonly #pangolin: PangolinClient
  readonly #audit: AuditLog
  readonly #log: Logger
  readonly #kinds: Map<string, AnyKind>
  readonly #index: OrgIndex
  readonly #newtKey: Buffer
  readonly #leaseMs: number
  readonly #settleMs: number
  readonly #retentionMs: number
  readonly #backoffMs: number
  readonly #metrics: EngineOptions['metrics']
  readonly #running = new Map<string, { journal: Journal, done: Promise<unknown> }>()
  #stopping = false

  constructor (options: EngineOptions) {
    this.#repo = options.repo
    this.#pangolin = options.pangolin
    this.#audit = options.audit
    this.#log = options.logger.child({ component: 'operations' })
    this.#kinds = new Map(options.kinds.map((k) => [k.name, k]))
    this.#index = options.index
    this.#newtKey = createHmac('sha256', options.secret).update('pangolin-gateway/newt-secret').digest()
    this.#leaseMs = options.leaseMs ?? 30_000
    this.#settleMs = options.settleMs ?? 10_000
    this.#retentionMs = options.retentionMs ?? 24 * 3600_000
    this.#backoffMs = options.backoffMs ?? 1_000
    this.#metrics = options.metrics
  }

  get repo (): OperationsRepo {
    return this.#repo
  }

  get runningCount (): number {
    return this.#running.size
  }

  /** A Newt secret that only this gateway can compute again: 48 characters, never stored. */
  newtSecret = (operationId: string): string =>
    createHmac('sha256', this.#newtKey).update(operationId).digest('base64url').replace(/[-_]/g, '').slice(0, 48).padEnd(48, 'x')

  /**
   * Runs one mutation. Every call is audited: refusals before an operation exists (scope, input,
   * org) here, replays as `replayed`, and operations when they end.
   */
  async execute<R> (kindName: string, principal: Principal, raw: unknown, options: ExecuteOptions = {}): Promise<Outcome<R>> {
    const state = { journaled: false }
    try {
      const outcome = await this.#execute<R>(kindName, principal, raw, options, state)
      if (outcome.replayed) {
        await this.#audit.record({
          principal,
          orgId: outcome.operation?.orgId ?? null,
          kind: kindName,
          input: raw,
          outcome: 'replayed',
          operationId: outcome.operation?.id ?? null,
          requestId: options.requestId ?? null
        })
      }
      return outcome
    } catch (err) {
      if (!state.journaled) await this.#auditFailure(principal, null, kindName, raw, err, options.requestId)
      throw err
    }
  }

  async #execute<R> (kindName: string, principal: Principal, raw: unknown, options: ExecuteOptions, state: { journaled: boolean }): Promise<Outcome<R>> {
    const kind = this.#kind(kindName)
    const log = (options.log ?? this.#log).child({ clientId: principal.clientId, kind: kind.name })
    authorize(principal, kind.scope)
    const key = options.idempotencyKey ?? null
    if (key !== null && !KEY_PATTERN.test(key)) {
      throw new GatewayError('BAD_USER_INPUT', 'idempotencyKey: must be 1 to 255 printable ASCII characters', {
        extensions: { field: 'idempotencyKey' }
      })
    }
    const input = kind.parse(raw)
    if (this.#stopping) throw new GatewayError('UPSTREAM_UNAVAILABLE', 'The gateway is shutting down; retry on another replica.')

    const fingerprint = fingerprintOf(kind.name, input)
    if (key !== null) {
      // A replay needs no upstream call: the stored operation already names its org.
      const existing = await this.#repo.findByKey(principal.clientId, key)
      if (existing !== undefined) {
        authorize(principal, kind.scope, existing.orgId)
        state.journaled = existing.fingerprint === fingerprint && existing.status !== 'SUCCEEDED'
        return await this.#existing<R>(kind, existing, fingerprint, log)
      }
    }

    const subject = kind.subject?.(input)
    let orgId: string
    try {
      orgId = (subject === undefined ? undefined : this.#index.get(subject.kind, subject.id)) ??
        await kind.org(input, this.#pangolin, { log })
      if (subject !== undefined) this.#index.set(subject.kind, subject.id, orgId)
    } catch (err) {
      if (kind.gone !== undefined && isGatewayError(err) && err.code === 'NOT_FOUND') {
        state.journaled = true
        await this.#audit.record({ principal, orgId: null, kind: kind.name, input, outcome: 'succeeded', requestId: options.requestId ?? null, pangolinIds: { alreadyGone: true } })
        return { result: kind.gone(input) as R, operation: null, replayed: false }
      }
      throw err
    }
    authorize(principal, kind.scope, orgId)

    const now = Date.now()
    const row = {
      id: randomUUID(),
      kind: kind.name,
      orgId,
      clientId: principal.clientId,
      idempotencyKey: key,
      fingerprint,
      input,
      leaseOwner: this.owner,
      leaseExpiresAt: iso(now + this.#leaseMs),
      now: iso(now),
      expiresAt: iso(now + this.#retentionMs)
    }
    if (!await this.#repo.insert(row)) {
      const existing = await this.#repo.findByKey(principal.clientId, key!)
      if (existing === undefined) throw new Error('idempotency record vanished after a unique violation')
      return await this.#existing<R>(kind, existing, fingerprint, log)
    }
    state.journaled = true
    const op = (await this.#repo.get(row.id))!
    const finished = await this.#drive(kind, op, log.child({ operationId: op.id }), principal, options.requestId)
    return { result: this.#present<R>(kind, finished), operation: finished, replayed: false }
  }

  /** The same key again: replay, refuse, or (after a crash) take over and finish. */
  async #existing<R> (kind: AnyKind, op: OperationRow, fingerprint: string, log: Logger): Promise<Outcome<R>> {
    if (op.fingerprint !== fingerprint || op.kind !== kind.name) {
      throw new GatewayError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used with a different input.', {
        extensions: { operationId: op.id }
      })
    }
    if (op.status === 'SUCCEEDED') {
      return { result: this.#present<R>(kind, op), operation: op, replayed: true }
    }
    if (op.status === 'ROLLED_BACK' || op.status === 'NEEDS_ATTENTION') throw storedError(op)

    // A live lease of our own means a request in this process is driving it right now: the
    // lease check alone would let us take it again, since an owner may renew its own lease.
    const now = Date.now()
    const ownLiveLease = op.leaseOwner === this.owner && op.leaseExpiresAt !== null && op.leaseExpiresAt > iso(now)
    if (this.#running.has(op.id) || ownLiveLease ||
      !await this.#repo.takeLease(op.id, this.owner, iso(now + this.#leaseMs), iso(now)) || this.#running.has(op.id)) {
      throw new GatewayError('OPERATION_IN_PROGRESS', 'The operation for this idempotency key is still running.', {
        extensions: { operationId: op.id }
      })
    }
    log.info({ operationId: op.id }, 'resuming operation for a retried idempotency key')
    const finished = await this.#drive(kind, (await this.#repo.get(op.id))!, log.child({ operationId: op.id }), null, undefined)
    return { result: this.#present<R>(kind, finished), operation: finished, replayed: false }
  }

  /** Runs (or resumes) one operation we hold the lease of, to a final or handed-over state. */
  async #drive (kind: AnyKind, op: OperationRow, log: Logger, principal: Principal | null, requestId: string | undefined): Promise<OperationRow> {
    const journal = new Journal(op, await this.#repo.steps(op.id), { repo: this.#repo, owner: this.owner, log, settleMs: this.#settleMs })
    const heartbeat = setInterval(() => {
      this.#repo.renewLease(op.id, this.owner, iso(Date.now() + this.#leaseMs)).then((held) => {
        if (!held) journal.stopped = true
      }, (err: unknown) => log.warn({ err }, 'lease renewal failed'))
    }, Math.max(50, Math.floor(this.#leaseMs / 3)))
    heartbeat.unref()

    const run = runSaga(kind, journal, {
      repo: this.#repo,
      pangolin: this.#pangolin,
      log,
      backoffMs: this.#backoffMs,
      newtSecret: this.newtSecret,
      ...(this.#metrics === undefined ? {} : { metrics: this.#metrics })
    })
    this.#running.set(op.id, { journal, done: run.catch(() => {}) })
    try {
      await run
    } finally {
      clearInterval(heartbeat)
      this.#running.delete(op.id)
      if (journal.ambiguous) this.#metrics?.onEvent('reconciliation')
    }
    const final = (await this.#repo.get(op.id))!
    if (final.status !== 'RUNNING') {
      await this.#audit.record({
        principal: principal ?? { clientId: final.clientId, name: '(recovery)', orgs: '*', scopes: [] },
        orgId: final.orgId,
        kind: final.kind,
        input: final.input,
        outcome: final.status === 'SUCCEEDED' ? 'succeeded' : final.status === 'ROLLED_BACK' ? 'rolled_back' : 'needs_attention',
        errorCode: final.errorCode,
        operationId: final.id,
        requestId: requestId ?? null,
        pangolinIds: final.status === 'SUCCEEDED' && kind.touched !== undefined ? kind.touched(this.#present(kind, final)) : stepIds(journal)
      })
    }
    if (final.status === 'SUCCEEDED') {
      this.#learn(kind, final)
      return final
    }
    if (final.status === 'RUNNING') {
      throw new GatewayError('OPERATION_IN_PROGRESS', 'The operation was handed over and will be finished by recovery.', {
        extensions: { operationId: final.id }
      })
    }
    // The stored failure keeps its details (existingResourceId, field…), for replays too.
    throw storedError(final)
  }

  /**
   * Takes over what crashed or stopped replicas left, and retries unfinished compensation.
   * Returns how many operations it drove.
   */
  async recoverOnce (limit = 20): Promise<number> {
    if (this.#stopping) return 0
    const now = Date.now()
    const candidates = await this.#repo.recoverable(iso(now), limit)
    let driven = 0
    await Promise.all(candidates.map(async (candidate) => {
      if (this.#running.has(candidate.id)) return
      if (!await this.#repo.takeLease(candidate.id, this.owner, iso(Date.now() + this.#leaseMs), iso(Date.now()))) return
      const kind = this.#kinds.get(candidate.kind)
      const op = (await this.#repo.get(candidate.id))!
      const log = this.#log.child({ operationId: op.id, kind: op.kind })
      if (kind === undefined) {
        log.error('operation of an unknown kind; leaving it for an operator')
        await this.#repo.releaseLease(op.id, this.owner)
        return
      }
      log.info({ status: op.status, phase: op.phase }, 'recovering operation')
      driven++
      this.#metrics?.onEvent('recovery')
      if (op.status === 'NEEDS_ATTENTION') await this.#repo.update(op.id, this.owner, { status: 'RUNNING', phase: 'compensating' })
      await this.#drive(kind, (await this.#repo.get(op.id))!, log, null, undefined).catch(() => {})
    }))
    return driven
  }

  #recoveryTimer: NodeJS.Timeout | undefined

  /** Recovery on start and then periodically; purges expired records on the same beat. */
  startRecovery (intervalMs = 5_000): void {
    const tick = async () => {
      try {
        await this.recoverOnce()
        await this.#repo.purge(new Date().toISOString())
      } catch (err) {
        this.#log.warn({ err }, 'recovery pass failed')
      }
    }
    const run = () => { tick().catch(() => {}) }
    run()
    this.#recoveryTimer = setInterval(run, intervalMs)
    this.#recoveryTimer.unref()
  }

  /**
   * Graceful stop: no new operations; running ones get until the deadline, then their leases are
   * released so another replica (or the next start) resumes them at once.
   */
  async stop (deadlineMs = 10_000): Promise<void> {
    this.#stopping = true
    clearInterval(this.#recoveryTimer)
    const all = Promise.all([...this.#running.values()].map((r) => r.done))
    const timeout = new Promise((resolve) => setTimeout(resolve, deadlineMs).unref())
    await Promise.race([all, timeout])
    for (const [id, { journal }] of this.#running) {
      journal.stopped = true
      await this.#repo.releaseLease(id, this.owner)
      this.#log.info({ operationId: id }, 'lease released for recovery')
    }
  }

  /** Objects a finished operation created (or removed) go into (or out of) the org index. */
  #learn (kind: AnyKind, op: OperationRow): void {
    if (kind.touched === undefined) return
    const ids = kind.touched(this.#present(kind, op))
    const named: Array<[string, ObjectKind]> = [['resourceId', 'resource'], ['siteId', 'site'], ['siteResourceId', 'siteResource'], ['targetId', 'target']]
    for (const [field, objectKind] of named) {
      const id = ids[field]
      if (typeof id !== 'number') continue
      if (op.kind.startsWith('delete') || op.kind === 'decommissionHttpService' || op.kind === 'removeTarget') this.#index.forget(objectKind, id)
      else this.#index.set(objectKind, id, op.orgId)
    }
    for (const id of (ids.targetIds as number[] | undefined) ?? []) this.#index.set('target', id, op.orgId)
  }

  #present<R> (kind: AnyKind, op: OperationRow): R {
    return (kind.present === undefined ? op.result : kind.present(op.result, { operationId: op.id, newtSecret: this.newtSecret })) as R
  }

  #kind (name: string): AnyKind {
    const kind = this.#kinds.get(name)
    if (kind === undefined) throw new Error(`unknown operation kind ${name}`)
    return kind
  }

  async #auditFailure (principal: Principal, orgId: string | null, kind: string, input: unknown, err: unknown, requestId: string | undefined) {
    await this.#audit.record({
      principal,
      orgId,
      kind,
      input,
      outcome: 'failed',
      errorCode: isGatewayError(err) ? err.code : 'INTERNAL_SERVER_ERROR',
      requestId: requestId ?? null
    }).catch(() => {})
  }
}

function storedError (op: OperationRow): GatewayError {
  const code = (op.errorCode ?? 'INTERNAL_SERVER_ERROR') as GatewayError['code']
  return new GatewayError(code, op.errorMessage ?? 'The operation failed.', {
    extensions: { ...op.errorExtensions, operationId: op.id, status: op.status }
  })
}

function stepIds (journal: Journal): Record<string, unknown> {
  const ids: Record<string, unknown> = {}
  for (const s of journal.steps()) if (s.upstreamId !== null && s.upstreamId !== '') ids[s.name] = s.upstreamId
  return ids
}

function iso (ms: number): string {
  return new Date(ms).toISOString()
}
