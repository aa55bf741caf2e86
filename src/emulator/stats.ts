/** Request counters for tests and benchmarks. */

export interface EmulatorStats {
  /** Every request received, including health and unknown paths. */
  total: number
  /** Matched routes, keyed `METHOD /template` with aliases folded into their route. */
  byRoute: Record<string, number>
  /** Requests that passed the key check, by API key id. */
  byKeyId: Record<string, number>
  /** Authenticated requests being handled right now. */
  inFlight: number
  maxInFlight: number
  reset (): void
}

export function createStats (): EmulatorStats {
  const stats: EmulatorStats = {
    total: 0,
    byRoute: {},
    byKeyId: {},
    inFlight: 0,
    maxInFlight: 0,
    reset () {
      stats.total = 0
      stats.byRoute = {}
      stats.byKeyId = {}
      stats.maxInFlight = stats.inFlight
    }
  }
  return stats
}

export function count (table: Record<string, number>, key: string): void {
  table[key] = (table[key] ?? 0) + 1
}
