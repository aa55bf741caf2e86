import type { Logger } from 'pino'
import { GatewayError, isGatewayError } from '../../errors.js'
import type { OperationRow, OperationsRepo, StepRow } from '../../store/operations-repo.js'

export interface StepSpec {
  /** Unique within the operation, stable across runs: `resource`, `target:2`, `grant:role:7`. */
  name: string
  /** What the step does upstream; compensation looks its undo up by this. */
  action: string
  /** How to find the object again after an ambiguous failure or a crash. */
  key: Record<string, unknown>
  /** A step whose undo also removes this one (a resource's delete cascades to its targets). */
  parent?: string
}

export interface StepExec<T> {
  /** Makes the change; `reconcile` is handed to the upstream client for ambiguous failures. */
  run: (reconcile: () => Promise<T | undefined>) => Promise<T>
  /** Looks the object up by the step's natural key. */
  find: () => Promise<T | undefined>
  /** The upstream id to journal, as text. */
  id: (value: T) => string
}

export interface StepResult<T> {
  id: string
  /** Absent when the step was done by an earlier run: only its id is journaled. */
  value?: T
}

export class LeaseLostError extends Error {
  constructor (operationId: string) {
    super(`lease of operation ${operationId} was taken by another replica`)
    this.name = 'LeaseLostError'
  }
}

/**
 * One run of one operation: its journaled steps, written before and after each upstream call.
 * A step found PENDING or FAILED (an earlier run crashed or gave up) is looked up by its natural
 * key before anything is sent again.
 */
export class Journal {
  readonly op: OperationRow
  readonly #repo: OperationsRepo
  readonly #owner: string
  readonly #log: Logger
  readonly #settleMs: number
  readonly #steps = new Map<string, StepRow>()
  #nextSeq = 0
  #ambiguousAt = 0
  /** Set when a create's outcome was unknown at least once: the caller verifies before finishing. */
  ambiguous = false
  stopped = false

  constructor (op: OperationRow, steps: StepRow[], deps: { repo: OperationsRepo, owner: string, log: Logger, settleMs: number }) {
    this.op = op
    this.#repo = deps.repo
    this.#owner = deps.owner
    this.#log = deps.log
    this.#settleMs = deps.settleMs
    for (const step of steps) {
      this.#steps.set(step.name, step)
      this.#nextSeq = Math.max(this.#nextSeq, step.seq + 1)
    }
  }

  get owner (): string {
    return this.#owner
  }

  steps (): StepRow[] {
    return [...this.#steps.values()].sort((a, b) => a.seq - b.seq)
  }

  doneId (name: string): string | undefined {
    const step = this.#steps.get(name)
    return step?.status === 'DONE' ? step.upstreamId ?? undefined : undefined
  }

  async step<T> (spec: StepSpec, exec: StepExec<T>): Promise<StepResult<T>> {
    this.#checkStopped()
    const known = this.#steps.get(spec.name)
    if (known?.status === 'DONE' && known.upstreamId !== null) return { id: known.upstreamId }

    if (known === undefined) {
      await this.#intend(spec)
    } else {
      // An earlier run sent this step and never recorded the answer: look before sending again.
      this.#markAmbiguous(Date.parse(known.updatedAt))
      const found = await this.#lookup(exec)
      if (found !== undefined) return await this.#done(spec.name, exec.id(found), found)
    }

    let value: T
    try {
      value = await exec.run(async () => {
        this.#markAmbiguous()
        return await this.#lookup(exec)
      })
    } catch (err) {
      // A create repeated after an unseen success answers 409: the object is there, so it is ours.
      if (isGatewayError(err) && err.code === 'CONFLICT' && this.ambiguous) {
        const found = await this.#lookup(exec)
        if (found !== undefined) return await this.#done(spec.name, exec.id(found), found)
      }
      await this.#fail(spec.name, err)
      throw err
    }
    return await this.#done(spec.name, exec.id(value), value)
  }

  /** A step with nothing to create (a delete, a grant): journaled so recovery knows it ran. */
  async effect (spec: StepSpec, run: () => Promise<string | undefined>): Promise<void> {
    this.#checkStopped()
    const known = this.#steps.get(spec.name)
    if (known?.status === 'DONE') return
    if (known === undefined) await this.#intend(spec)
    try {
      const id = await run()
      await this.#done(spec.name, id ?? '', undefined)
    } catch (err) {
      await this.#fail(spec.name, err)
      throw err
    }
  }

  async markUndone (name: string): Promise<void> {
    const step = this.#steps.get(name)
    if (step === undefined) return
    step.status = 'UNDONE'
    await this.#repo.updateStep(this.op.id, name, { status: 'UNDONE' })
  }

  /** Journals a step's intent and natural key, before its upstream call. */
  async #intend (spec: StepSpec): Promise<void> {
    const row: StepRow = {
      seq: this.#nextSeq++,
      name: spec.name,
      action: spec.action,
      naturalKey: spec.key,
      parent: spec.parent ?? null,
      status: 'PENDING',
      upstreamId: null,
      errorCode: null,
      updatedAt: new Date().toISOString()
    }
    this.#steps.set(spec.name, row)
    await this.#repo.insertStep(this.op.id, row)
  }

  /** Waits until a create that timed out has had time to land, so a lookup sees it if it did. */
  async settle (): Promise<void> {
    const wait = this.#ambiguousAt + this.#settleMs - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }

  #markAmbiguous (at = Date.now()): void {
    this.ambiguous = true
    this.#ambiguousAt = Math.max(this.#ambiguousAt, at)
  }

  async #lookup<T> (exec: StepExec<T>): Promise<T | undefined> {
    await this.settle()
    return await exec.find()
  }

  async #done<T> (name: string, id: string, value: T | undefined): Promise<StepResult<T>> {
    const step = this.#steps.get(name)!
    step.status = 'DONE'
    step.upstreamId = id
    await this.#repo.updateStep(this.op.id, name, { status: 'DONE', upstreamId: id, errorCode: null })
    return value === undefined ? { id } : { id, value }
  }

  async #fail (name: string, err: unknown): Promise<void> {
    const step = this.#steps.get(name)!
    const code = isGatewayError(err) ? err.code : 'INTERNAL_SERVER_ERROR'
    step.status = 'FAILED'
    step.errorCode = code
    await this.#repo.updateStep(this.op.id, name, { status: 'FAILED', errorCode: code })
    this.#log.info({ step: name, code }, 'step failed')
  }

  #checkStopped (): void {
    if (this.stopped) {
      throw new GatewayError('OPERATION_IN_PROGRESS', 'The gateway is stopping; the operation will be resumed.', {
        extensions: { operationId: this.op.id }
      })
    }
  }
}
