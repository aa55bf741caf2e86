import type { Logger } from 'pino'
import { isGatewayError } from '../../errors.js'
import type { OperationsRepo } from '../../store/operations-repo.js'
import type { PangolinClient } from '../../upstream/types.js'
import { LeaseLostError, type Journal } from './journal.js'
import type { AnyKind, KindContext } from './kind.js'
import { compensate } from './undo.js'

export interface SagaDeps {
  repo: OperationsRepo
  pangolin: PangolinClient
  log: Logger
  backoffMs: number
  newtSecret: (operationId: string) => string
  metrics?: { onEvent: (name: 'compensation' | 'reconciliation' | 'recovery') => void }
}

/**
 * One run of an operation whose lease we hold: resolve (once; the plan is journaled), go forward
 * step by step, and on a failure for good take back what was done. Ends with the row final
 * (SUCCEEDED, ROLLED_BACK, NEEDS_ATTENTION), or still RUNNING when the lease was handed over.
 */
export async function runSaga (kind: AnyKind, journal: Journal, deps: SagaDeps): Promise<void> {
  const { log } = deps
  const op = journal.op
  const ctx: KindContext = {
    journal,
    pangolin: deps.pangolin,
    log,
    orgId: op.orgId,
    call: { orgId: op.orgId, log },
    newtSecret: deps.newtSecret
  }

  if (op.phase === 'forward') {
    try {
      let plan = op.plan
      if (plan === null) {
        plan = await kind.resolve(ctx, op.input)
        await write(deps, journal, { plan })
      }
      const result = await kind.forward(ctx, plan, op.input)
      await write(deps, journal, {
        status: 'SUCCEEDED',
        result: kind.store === undefined ? result : kind.store(result),
        releaseLease: true
      })
      log.info('operation succeeded')
      return
    } catch (err) {
      if (err instanceof LeaseLostError || journal.stopped) {
        log.warn({ err }, 'operation handed over')
        return
      }
      const code = isGatewayError(err) ? err.code : 'INTERNAL_SERVER_ERROR'
      const message = isGatewayError(err) ? err.message : 'Internal server error'
      if (!isGatewayError(err)) log.error({ err }, 'operation step failed unexpectedly')
      else log.info({ code }, 'operation failed; compensating')
      const extensions = isGatewayError(err) && Object.keys(err.extensions).length > 0 ? err.extensions : null
      await write(deps, journal, { phase: 'compensating', errorCode: code, errorMessage: message, errorExtensions: extensions })
    }
  }

  deps.metrics?.onEvent('compensation')
  try {
    await compensate(journal, deps.pangolin, ctx.call)
    await write(deps, journal, { status: 'ROLLED_BACK', releaseLease: true })
    log.info('operation rolled back')
  } catch (err) {
    if (journal.stopped) return
    const attempts = op.attempts + 1
    const delay = Math.min(300_000, deps.backoffMs * 2 ** Math.min(attempts - 1, 8))
    log.warn({ err, attempts }, 'compensation incomplete; needs attention')
    await write(deps, journal, {
      status: 'NEEDS_ATTENTION',
      attempts,
      nextAttemptAt: iso(Date.now() + delay),
      releaseLease: true
    })
  }
}

/** Every final write is guarded by the lease: losing it means another replica now drives. */
async function write (deps: SagaDeps, journal: Journal, fields: Parameters<OperationsRepo['update']>[2]): Promise<void> {
  if (!await deps.repo.update(journal.op.id, journal.owner, fields)) {
    journal.stopped = true
    throw new LeaseLostError(journal.op.id)
  }
}

function iso (ms: number): string {
  return new Date(ms).toISOString()
}
