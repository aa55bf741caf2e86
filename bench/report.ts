/** Ratios, targets and the printed tables, all from one run's measurements. */
import type { CompositeResult } from './composite.js'
import type { ProfileSummary } from './profile.js'
import type { ContenderName, ScenarioName } from './scenarios.js'

export interface Measurement {
  scenario: ScenarioName
  contender: ContenderName
  load: 'moderate' | 'heavy'
  connections: number
  /** Offered requests per second at moderate load; null when the load generator runs flat out. */
  rate: number | null
  requests: number
  rps: number
  p50Ms: number
  p99Ms: number
  /** The contender process's user+system CPU per request; null for direct, which has no process of its own. */
  cpuMsPerRequest: number | null
  /** The contender's VmHWM over this measurement and its warm-up. */
  peakRssMiB: number | null
  /** The emulator's CPU per request, the same work for every contender. */
  upstreamCpuMsPerRequest: number
  non2xx: number
  errors: number
}

export interface Target {
  target: string
  measured: string
  met: boolean
}

export interface Ratios {
  scenario: ScenarioName
  rpsGatewayOverDirect: number
  rpsGatewayOverPassthrough: number
  rpsGatewayOverApollo: number
  addedP50MsOverDirect: number
  addedP50MsOverPassthrough: number
  upstreamCallsPerRequest: Record<ContenderName, number>
}

const fixed = (n: number | null, digits = 2) => n === null || Number.isNaN(n) ? '—' : n.toFixed(digits)

export function find (ms: Measurement[], scenario: ScenarioName, contender: ContenderName, load: Measurement['load']): Measurement {
  const m = ms.find((x) => x.scenario === scenario && x.contender === contender && x.load === load)
  if (m === undefined) throw new Error(`no measurement for ${scenario}/${contender}/${load}`)
  return m
}

export function ratios (ms: Measurement[], calls: Record<ScenarioName, Record<ContenderName, number>>): Ratios[] {
  return (['single', 'nested'] as const).map((scenario) => {
    const heavy = (c: ContenderName) => find(ms, scenario, c, 'heavy').rps
    const p50 = (c: ContenderName) => find(ms, scenario, c, 'moderate').p50Ms
    return {
      scenario,
      rpsGatewayOverDirect: heavy('gateway') / heavy('direct'),
      rpsGatewayOverPassthrough: heavy('gateway') / heavy('passthrough'),
      rpsGatewayOverApollo: heavy('gateway') / heavy('apollo'),
      addedP50MsOverDirect: p50('gateway') - p50('direct'),
      addedP50MsOverPassthrough: p50('gateway') - p50('passthrough'),
      upstreamCallsPerRequest: calls[scenario]
    }
  })
}

export function targets (ms: Measurement[], rs: Ratios[], composite: CompositeResult): Target[] {
  const out: Target[] = []
  for (const r of rs) {
    out.push({
      target: `${r.scenario}: throughput ≥ 0.9 × passthrough`,
      measured: `${fixed(r.rpsGatewayOverPassthrough)} ×`,
      met: r.rpsGatewayOverPassthrough >= 0.9
    }, {
      target: `${r.scenario}: throughput ≥ 2.5 × apollo`,
      measured: `${fixed(r.rpsGatewayOverApollo)} ×`,
      met: r.rpsGatewayOverApollo >= 2.5
    }, {
      target: `${r.scenario}: added p50 ≤ 1 ms over direct (moderate load)`,
      measured: `+${fixed(r.addedP50MsOverDirect)} ms`,
      met: r.addedP50MsOverDirect <= 1
    })
  }
  const nested = rs.find((r) => r.scenario === 'nested')!.upstreamCallsPerRequest
  out.push({
    target: 'nested query = 1 upstream call',
    measured: `${fixed(nested.gateway)} (apollo ${fixed(nested.apollo)})`,
    met: nested.gateway === 1
  }, {
    target: 'composite p50 ≤ 1.25 × critical path',
    measured: `${fixed(composite.p50OverCriticalPath)} × (${fixed(composite.p50Ms, 1)} ms / ${composite.criticalPathMs} ms)`,
    met: composite.p50OverCriticalPath <= 1.25
  })
  const peak = Math.max(...ms.filter((m) => m.contender === 'gateway' && m.load === 'heavy').map((m) => m.peakRssMiB ?? Infinity))
  out.push({ target: 'gateway peak RSS < 150 MiB at 100 connections', measured: `${fixed(peak, 1)} MiB`, met: peak < 150 })
  return out
}

function table (head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

export function render (
  ms: Measurement[], rs: Ratios[], composite: CompositeResult, ts: Target[], profile: (ProfileSummary & { scenario: string }) | null
): string {
  const parts: string[] = []
  const calls = (m: Measurement) => fixed(rs.find((r) => r.scenario === m.scenario)!.upstreamCallsPerRequest[m.contender])
  parts.push(table(
    ['scenario', 'contender', 'load', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'peak RSS MiB', 'upstream calls/req', 'failed'],
    ms.map((m) => [
      m.scenario, m.contender, m.load === 'moderate' ? `${m.connections} conn @ ${m.rate}/s` : `${m.connections} conn`,
      fixed(m.rps, 0), fixed(m.p50Ms), fixed(m.p99Ms), fixed(m.cpuMsPerRequest, 3), fixed(m.peakRssMiB, 1), calls(m),
      String(m.non2xx + m.errors)
    ])
  ))
  parts.push(table(
    ['scenario', 'gateway/direct req/s', 'gateway/passthrough req/s', 'gateway/apollo req/s', 'added p50 over direct', 'added p50 over passthrough'],
    rs.map((r) => [r.scenario, fixed(r.rpsGatewayOverDirect), fixed(r.rpsGatewayOverPassthrough), fixed(r.rpsGatewayOverApollo),
      `${fixed(r.addedP50MsOverDirect)} ms`, `${fixed(r.addedP50MsOverPassthrough)} ms`])
  ))
  parts.push(table(
    ['composite', 'operations', 'p50 ms', 'p99 ms', 'critical path', 'p50 / path', 'p99 / path', 'upstream calls/op', 'CPU ms/op'],
    [['provisionHttpService (5 targets, 2 grants)', String(composite.operations), fixed(composite.p50Ms, 1), fixed(composite.p99Ms, 1),
      `${composite.criticalPathMs} ms`, fixed(composite.p50OverCriticalPath), fixed(composite.p99OverCriticalPath),
      fixed(composite.upstreamCallsPerOperation, 1), fixed(composite.cpuMsPerOperation, 2)]]
  ))
  parts.push(`one operation's upstream calls: ${Object.entries(composite.callsByRoute).map(([r, n]) => `${r} ×${n}`).join(', ')}`)
  parts.push(table(['target', 'measured', ''], ts.map((t) => [t.target, t.measured, t.met ? 'met' : '**missed**'])))
  if (profile !== null) {
    parts.push(`gateway CPU profile (${profile.scenario}, ${profile.totalMs} ms of samples, idle excluded)`)
    parts.push(table(['package', 'self ms', '%'], profile.packages.map((p) => [p.name, String(p.selfMs), fixed(p.percent, 1)])))
    parts.push(table(['function', 'where', 'self ms', '%'],
      profile.functions.map((f) => [f.name, f.where, String(f.selfMs), fixed(f.percent, 1)])))
  }
  return parts.join('\n\n') + '\n'
}
