/**
 * Fault injection. A rule names a route by its template as written in pangolin-api.md (either
 * alias) and says what goes wrong, so tests can prove how the gateway copes with each failure.
 */

export type FaultKind = 'delay' | 'status' | 'reset-before' | 'apply-then-reset' | 'apply-then-stall'

export interface FaultRule {
  method?: string
  route?: string
  /** How many matching requests the rule hits; default 1, `Infinity` allowed. */
  times?: number
  probability?: number
  kind: FaultKind
  delayMs?: number
  status?: number
  message?: string
}

interface ActiveRule {
  rule: FaultRule
  route: string | undefined
  remaining: number
}

/** Lower-cases a template, drops `/v1` and a trailing slash, and maps an alias to its route. */
export function normaliseTemplate (template: string, aliases: Map<string, string>): string {
  let path = template.trim().toLowerCase()
  if (path === '/v1' || path.startsWith('/v1/')) path = path.slice(3)
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
  if (path === '') path = '/'
  return aliases.get(path) ?? path
}

export class FaultRegistry {
  /** How many requests each kind of fault hit, for tests to show the faults were really there. */
  readonly injected: Record<string, number> = {}
  readonly #rules: ActiveRule[] = []
  readonly #aliases: Map<string, string>
  readonly #random: () => number

  constructor (aliases: Map<string, string>, random: () => number = Math.random) {
    this.#aliases = aliases
    this.#random = random
  }

  add (rule: FaultRule): void {
    const times = rule.times ?? 1
    if (!(times > 0)) throw new TypeError('fault rule times must be positive')
    const route = rule.route === undefined ? undefined : normaliseTemplate(rule.route, this.#aliases)
    this.#rules.push({ rule, route, remaining: times })
  }

  clear (): void {
    this.#rules.length = 0
  }

  /** The rule that hits this request, if any; a hit uses up one of its `times`. */
  take (method: string, route: string): FaultRule | undefined {
    for (const active of this.#rules) {
      const { rule } = active
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue
      if (active.route !== undefined && active.route !== route.toLowerCase()) continue
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue
      active.remaining--
      if (active.remaining <= 0) this.#rules.splice(this.#rules.indexOf(active), 1)
      const label = rule.kind === 'status' ? `status ${rule.status ?? 500}` : rule.kind
      this.injected[label] = (this.injected[label] ?? 0) + 1
      return rule
    }
    return undefined
  }
}
