/**
 * The Pangolin emulator: a faithful Integration API on a loopback port, with seed data, fault
 * injection and request statistics, for tests, benchmarks and the demo.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { FaultRegistry } from './faults.js'
import type { FaultRule } from './faults.js'
import { ALPHANUMERIC, BASE32, createRandom } from './ids.js'
import { RebuildTracker } from './route.js'
import type { EmulatorSettings, RouteDef } from './route.js'
import { accessRoutes } from './routes/access.js'
import { orgRoutes } from './routes/org.js'
import { resourceRoutes } from './routes/resources.js'
import { siteResourceRoutes } from './routes/site-resources.js'
import { siteRoutes } from './routes/sites.js'
import { targetRoutes } from './routes/targets.js'
import { keyFromString, seed, SEED_KEYS } from './seed.js'
import { buildServer } from './server.js'
import { createState } from './state.js'
import type { EmulatorState } from './state.js'
import { createStats } from './stats.js'
import type { EmulatorStats } from './stats.js'

export type { FaultKind, FaultRule } from './faults.js'
export type { EmulatorStats } from './stats.js'
export type * from './state.js'
export { SEED_KEYS }

export interface EmulatorOptions {
  host?: string
  port?: number
  seed?: boolean
  generation?: 'mode' | 'legacy'
  fullDomainCheck?: 'global' | 'inverted'
  latencyMs?: number
  logger?: boolean
}

export interface Emulator {
  readonly url: string
  readonly port: number
  readonly state: EmulatorState
  readonly faults: { add (rule: FaultRule): void, clear (): void, readonly injected: Readonly<Record<string, number>> }
  readonly stats: EmulatorStats
  addKey (opts: { orgs: string[] | '*', actions?: string[] | '*', root?: boolean }): string
  removeKey (key: string): void
  close (): Promise<void>
}

/** Every route, in registration order. */
export const ROUTES: RouteDef[] = [
  ...siteRoutes, ...orgRoutes, ...resourceRoutes, ...targetRoutes, ...siteResourceRoutes, ...accessRoutes
]

/** Rebuilds are short background timers; long enough for a burst to trip the 429. */
const REBUILD_MS = 50

function aliasMap (routes: RouteDef[]): Map<string, string> {
  const map = new Map<string, string>()
  for (const route of routes) {
    for (const alias of route.aliases ?? []) map.set(alias.toLowerCase(), route.path.toLowerCase())
  }
  return map
}

function randomString (length: number, alphabet: string): string {
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('')
}

export async function startEmulator (opts: EmulatorOptions = {}): Promise<Emulator> {
  const state = createState()
  const settings: EmulatorSettings = {
    generation: opts.generation ?? 'mode',
    fullDomainCheck: opts.fullDomainCheck ?? 'global',
    rebuildMs: REBUILD_MS
  }
  const random = createRandom(0x9a9601)
  const rebuilds = new RebuildTracker(state.rebuildsInFlight, settings.rebuildMs)
  const faults = new FaultRegistry(aliasMap(ROUTES))
  const stats = createStats()
  if (opts.seed !== false) {
    seed({ state, settings, random, rebuilds }, ROUTES)
    // The seed's own rebuilds must not count against the first writes of a test.
    rebuilds.clear()
  }

  const { app, destroyStalled } = buildServer({
    state,
    settings,
    random,
    rebuilds,
    faults,
    stats,
    routes: ROUTES,
    latencyMs: opts.latencyMs ?? 0,
    logger: opts.logger ?? false
  })
  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 })
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  return {
    url: `http://${host}:${address.port}/v1`,
    port: address.port,
    state,
    faults: { add: (rule) => faults.add(rule), clear: () => faults.clear(), injected: faults.injected },
    stats,
    addKey ({ orgs, actions = '*', root = false }) {
      const full = `${randomString(15, ALPHANUMERIC)}.${randomString(40, BASE32)}`
      state.keys.push(keyFromString(full, { isRoot: root, orgIds: orgs, actions }))
      return full
    },
    removeKey (key) {
      const id = key.split('.')[0]
      const index = state.keys.findIndex((k) => k.apiKeyId === id)
      if (index !== -1) state.keys.splice(index, 1)
    },
    async close () {
      faults.clear()
      rebuilds.clear()
      destroyStalled()
      await app.close()
    }
  }
}
