import type { Logger } from 'pino'
import type { Scope } from '../../auth/scopes.js'
import type { CallContext, PangolinClient } from '../../upstream/types.js'
import type { Journal } from './journal.js'
import type { ObjectKind } from '../org-index.js'

export interface KindContext {
  journal: Journal
  pangolin: PangolinClient
  log: Logger
  orgId: string
  /** Upstream call options for this org: key selection and the request's logger. */
  call: CallContext
  /** The Newt secret of a site this operation creates: derived, never stored. */
  newtSecret: (operationId: string) => string
}

/**
 * One kind of composite operation. `resolve` only reads; `forward` writes, each write through
 * the journal; both may be run again after a crash, so they take everything from their arguments.
 */
export interface OperationKind<I, P, R> {
  readonly name: string
  readonly scope: Scope
  parse (raw: unknown): I
  /** The object an id-only input names, so a known org needs no upstream read. */
  subject?: (input: I) => { kind: ObjectKind, id: number }
  /** The org the input names, or, for inputs that name only an id, the org Pangolin reports. */
  org (input: I, pangolin: PangolinClient, call: CallContext): string | Promise<string>
  resolve (ctx: KindContext, input: I): Promise<P>
  forward (ctx: KindContext, plan: P, input: I): Promise<R>
  /** What the store keeps for replays; defaults to the result itself. Must hold no secret. */
  store?: (result: R) => unknown
  /** Rebuilds a replayed payload from what the store kept. */
  present?: (stored: unknown, ctx: { operationId: string, newtSecret: (id: string) => string }) => R
  /** The answer when the object the input names is already gone (deletes count that as done). */
  gone?: (input: I) => R
  /** Upstream ids to name in the audit log. */
  touched?: (result: R) => Record<string, unknown>
}

export type AnyKind = OperationKind<any, any, any>
