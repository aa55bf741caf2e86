import { parseArgs } from 'node:util'
import { loadConfig } from '../config/index.js'
import { OperationsRepo, type OperationStatus } from '../store/operations-repo.js'
import { openDatabase } from '../store/database.js'

const STATUSES = ['RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'NEEDS_ATTENTION']

/**
 * `operations list|show|retry`: what an operator needs for NEEDS_ATTENTION. Recovery already
 * retries with backoff; `retry` only makes the next pass try at once, after the blocker is fixed.
 */
export async function runOperations (argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  const config = loadConfig(process.env)
  const database = await openDatabase(config.databaseUrl, { poolMax: config.databasePoolMax })
  try {
    await database.migrate()
    const repo = new OperationsRepo(database.db)

    if (verb === 'list') {
      const { values } = parseArgs({ args: rest, options: { status: { type: 'string', default: 'NEEDS_ATTENTION' }, first: { type: 'string', default: '50' } } })
      const status = values.status.toUpperCase()
      if (!STATUSES.includes(status)) {
        process.stderr.write(`pangolin-gateway: --status must be one of ${STATUSES.join(', ')}\n`)
        return 2
      }
      const rows = await repo.listByStatus(status as OperationStatus, Math.min(500, Math.max(1, Number(values.first) || 50)))
      for (const op of rows) {
        process.stdout.write(`${op.id}\t${op.kind}\t${op.orgId}\t${op.status}\tattempts=${op.attempts}\tnext=${op.nextAttemptAt ?? '-'}\t${op.errorCode ?? ''} ${op.errorMessage ?? ''}\n`)
      }
      if (rows.length === 0) process.stdout.write(`no ${status} operations\n`)
      return 0
    }

    if (verb === 'show' && rest[0] !== undefined) {
      const op = await repo.get(rest[0])
      if (op === undefined) {
        process.stderr.write(`pangolin-gateway: no operation has the id ${JSON.stringify(rest[0])}\n`)
        return 1
      }
      const steps = await repo.steps(op.id)
      process.stdout.write(`${JSON.stringify({ ...op, steps }, null, 2)}\n`)
      return 0
    }

    if (verb === 'retry' && rest[0] !== undefined) {
      if (!await repo.retryNow(rest[0], new Date().toISOString())) {
        process.stderr.write(`pangolin-gateway: ${rest[0]} is not an operation that needs attention\n`)
        return 1
      }
      process.stdout.write(`operation ${rest[0]} will be retried by the next recovery pass\n`)
      return 0
    }

    process.stderr.write('usage: pangolin-gateway operations list [--status NEEDS_ATTENTION] [--first N] | show ID | retry ID\n')
    return 2
  } finally {
    await database.close()
  }
}
