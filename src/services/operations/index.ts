import type { Logger } from 'pino'
import { GatewayError } from '../../errors.js'
import type { Principal } from '../../auth/scopes.js'
import type { OperationRow, OperationStatus, OperationsRepo } from '../../store/operations-repo.js'
import { authorize } from '../policy.js'
import { OperationEngine, type EngineOptions, type Outcome } from './engine.js'
import { KINDS } from './kinds/index.js'

export interface OperationView extends OperationRow {
  steps: Array<{ seq: number, name: string, action: string, status: string, upstreamId: string | null, naturalKey: string, errorCode: string | null }>
}

export interface RunOptions {
  idempotencyKey?: string | null
  requestId?: string
  log?: Logger
}

const STATUSES: readonly OperationStatus[] = ['RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'NEEDS_ATTENTION']

/** The composite mutations and the operation journal, as the transports see them. */
export class OperationsService {
  readonly engine: OperationEngine
  readonly #repo: OperationsRepo

  constructor (options: Omit<EngineOptions, 'kinds'>) {
    this.engine = new OperationEngine({ ...options, kinds: KINDS })
    this.#repo = options.repo
  }

  run<R> (kind: string, principal: Principal, input: unknown, options: RunOptions = {}): Promise<Outcome<R>> {
    return this.engine.execute<R>(kind, principal, input, options)
  }

  async get (principal: Principal, id: string): Promise<OperationView | null> {
    authorize(principal, 'read')
    const op = await this.#repo.get(id)
    if (op === undefined) return null
    authorize(principal, 'read', op.orgId)
    return await this.view(op)
  }

  async view (op: OperationRow): Promise<OperationView> {
    const steps = await this.#repo.steps(op.id)
    return {
      ...op,
      steps: steps.map((s) => ({
        seq: s.seq,
        name: s.name,
        action: s.action,
        status: s.status,
        upstreamId: s.upstreamId,
        naturalKey: JSON.stringify(s.naturalKey),
        errorCode: s.errorCode
      }))
    }
  }

  async list (principal: Principal, orgId: string, args: { status?: string | null, first?: number | null, after?: string | null }) {
    authorize(principal, 'read', orgId)
    const first = args.first ?? 20
    if (!Number.isInteger(first) || first < 1 || first > 200) {
      throw new GatewayError('BAD_USER_INPUT', 'first: must be between 1 and 200', { extensions: { field: 'first' } })
    }
    if (args.status != null && !STATUSES.includes(args.status as OperationStatus)) {
      throw new GatewayError('BAD_USER_INPUT', `status: must be one of ${STATUSES.join(', ')}`, { extensions: { field: 'status' } })
    }
    const before = args.after == null ? undefined : decodeCursor(args.after)
    const rows = await this.#repo.list({
      orgId,
      ...(args.status == null ? {} : { status: args.status as OperationStatus }),
      limit: first + 1,
      ...(before === undefined ? {} : { before })
    })
    const nodes = rows.slice(0, first)
    const last = nodes.at(-1)
    return {
      nodes,
      endCursor: last === undefined ? null : Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url'),
      hasNextPage: rows.length > first
    }
  }
}

function decodeCursor (cursor: string): { createdAt: string, id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown]
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id }
  } catch {}
  throw new GatewayError('BAD_USER_INPUT', 'after: is not a cursor this API returned', { extensions: { field: 'after' } })
}

export { OperationEngine }
export type { Outcome }
