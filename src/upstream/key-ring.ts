import { GatewayError } from '../errors.js'
import type { UpstreamKey } from '../config/keys.js'

interface Snapshot {
  readonly keys: readonly UpstreamKey[]
  readonly secrets: readonly string[]
}

function snapshot (keys: readonly UpstreamKey[]): Snapshot {
  const secrets: string[] = []
  for (const k of keys) {
    secrets.push(k.primary)
    if (k.secondary !== undefined) secrets.push(k.secondary)
  }
  return Object.freeze({ keys: Object.freeze([...keys]), secrets: Object.freeze(secrets) })
}

function serves (key: UpstreamKey, orgId: string): boolean {
  return key.orgs === '*' || key.orgs.includes(orgId)
}

function candidates (key: UpstreamKey, refused: ReadonlySet<string>): readonly string[] {
  if (key.secondary === undefined) return [key.primary]
  // Once Pangolin refused a primary, its secondary goes first, so a rotation in progress does
  // not cost two upstream calls each time.
  return refused.has(key.primary) ? [key.secondary, key.primary] : [key.primary, key.secondary]
}

/**
 * The upstream keys and the orgs each serves. `replace` swaps the whole set in one assignment, so
 * a call that already picked its keys keeps them while a SIGHUP reload installs the new ones.
 */
export class KeyRing {
  #current: Snapshot
  #refused = new Set<string>()

  constructor (keys: readonly UpstreamKey[]) {
    this.#current = snapshot(keys)
  }

  replace (keys: readonly UpstreamKey[]): void {
    this.#current = snapshot(keys)
    this.#refused = new Set()
  }

  /** Pangolin answered 401 to `key`: prefer the other key of its pair from now on. */
  markRefused (key: string): void {
    this.#refused.add(key)
  }

  /** Pangolin accepted `key` again (say, a rotation was rolled back). */
  markAccepted (key: string): void {
    this.#refused.delete(key)
  }

  get size (): number {
    return this.#current.keys.length
  }

  /**
   * The keys to try for a call in `orgId`, primary first. A call without an org (an id-only route
   * when the caller does not know the org) uses a key that serves every org, or the only key.
   */
  keysFor (orgId?: string): readonly string[] {
    const { keys } = this.#current

    if (orgId === undefined) {
      const all = keys.find((k) => k.orgs === '*') ?? (keys.length === 1 ? keys[0] : undefined)
      if (all === undefined) {
        throw new GatewayError('FORBIDDEN', 'No upstream key serves calls without an org.')
      }
      return candidates(all, this.#refused)
    }

    const key = keys.find((k) => serves(k, orgId))
    if (key === undefined) {
      throw new GatewayError('FORBIDDEN', `No upstream key serves org ${orgId}.`, {
        extensions: { orgId }
      })
    }
    return candidates(key, this.#refused)
  }

  /** Replaces every known key, and its secret part alone, in `text`: a last line of defence. */
  scrub (text: string): string {
    let out = text
    for (const full of this.#current.secrets) {
      const secret = full.slice(full.indexOf('.') + 1)
      if (full.length > 0) out = out.split(full).join('[redacted]')
      if (secret.length >= 8) out = out.split(secret).join('[redacted]')
    }
    return out
  }
}
