/** The shape every route module shares: a table of routes with their checks and a handler. */
import type { Answer } from './envelope.js'
import { HttpError } from './envelope.js'
import type { Random } from './ids.js'
import type { ApiKey, EmulatorState } from './state.js'

export type Generation = 'mode' | 'legacy'

export interface EmulatorSettings {
  generation: Generation
  fullDomainCheck: 'global' | 'inverted'
  rebuildMs: number
}

/** The access middleware a route runs before its action check (section 4.4). */
export type Scope = 'org' | 'site' | 'resource' | 'target' | 'siteResource' | 'org+site'

export interface Context {
  state: EmulatorState
  settings: EmulatorSettings
  random: Random
  rebuilds: RebuildTracker
  key: ApiKey
  params: Record<string, string>
  query: Record<string, unknown>
  body: unknown
  /** The org the scope check resolved, when it resolved one. */
  orgId?: string
}

export interface RouteDef {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE'
  path: string
  aliases?: string[]
  scope: Scope
  /** The extra middleware of the grant routes. */
  grantCheck?: 'role' | 'users'
  action: string
  /** The 500 message for an unexpected failure; Pangolin's default is `An error occurred`. */
  failMessage?: string
  handler: (ctx: Context) => Answer | Promise<Answer>
}

export const ORG_REBUILD_CONCURRENCY_LIMIT = 10

/**
 * Client-association rebuilds after site-resource writes. Pangolin runs them in the background
 * after answering and refuses new writes while ten are in flight for the org.
 */
export class RebuildTracker {
  readonly #inFlight: Map<string, number>
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #durationMs: number

  /** `inFlight` is the live counter in the state, so tests can read or preset it. */
  constructor (inFlight: Map<string, number>, durationMs: number) {
    this.#inFlight = inFlight
    this.#durationMs = durationMs
  }

  check (orgId: string): void {
    if ((this.#inFlight.get(orgId) ?? 0) >= ORG_REBUILD_CONCURRENCY_LIMIT) {
      throw new HttpError(429,
        'Too many concurrent rebuild operations for this organization. Please retry after a moment.')
    }
  }

  start (orgId: string): void {
    this.#inFlight.set(orgId, (this.#inFlight.get(orgId) ?? 0) + 1)
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      const left = (this.#inFlight.get(orgId) ?? 1) - 1
      if (left > 0) this.#inFlight.set(orgId, left)
      else this.#inFlight.delete(orgId)
    }, this.#durationMs)
    timer.unref()
    this.#timers.add(timer)
  }

  inFlight (orgId: string): number {
    return this.#inFlight.get(orgId) ?? 0
  }

  clear (): void {
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    this.#inFlight.clear()
  }
}
