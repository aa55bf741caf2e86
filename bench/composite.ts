/**
 * The composite scenario: provisionHttpService with 5 targets and 2 role grants, sent one after
 * another with unique subdomains, against an upstream that takes a fixed delay per call.
 */
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import type { EmulatorCounters } from './emulator.js'
import { percentile } from './load.js'
import { ask } from './processes.js'

const MUTATION = `mutation Provision($input: ProvisionHttpServiceInput!) {
  provisionHttpService(input: $input) {
    resource { resourceId fullDomain }
    targets { targetId }
    operation { status }
    replayed
  }
}`

/**
 * The gateway's dependency chain for this operation (services/operations/kinds/provision-http-service.ts):
 * domains, sites and roles read side by side; the domain checked free; the resource created; its
 * targets and grants created side by side.
 */
export const CHAIN = ['read domains ∥ sites ∥ roles', 'check fullDomain is free', 'create resource', 'targets ∥ grants']

export interface CompositeResult {
  latencyMs: number
  operations: number
  p50Ms: number
  p99Ms: number
  criticalPathMs: number
  p50OverCriticalPath: number
  p99OverCriticalPath: number
  upstreamCallsPerOperation: number
  /** Upstream calls of one operation, by route: what the chain above was checked against. */
  callsByRoute: Record<string, number>
  cpuMsPerOperation: number
  failures: number
}

interface Target { url: string, token: string, emulator: ChildProcess, siteIds: number[] }

function input (run: string, i: number, siteIds: number[]) {
  return {
    orgId: 'acme',
    name: `Bench ${run} ${i}`,
    domainId: 'domain1',
    subdomain: `bench-${run}-${i}`,
    targets: Array.from({ length: 5 }, (_, k) => ({ siteId: siteIds[k % siteIds.length], ip: `10.30.${i % 250}.${k + 1}`, port: 9000 + k })),
    access: { roleNames: ['Member', 'Developers'] },
    idempotencyKey: `bench-${run}-${i}`
  }
}

async function provision (target: Target, run: string, i: number): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${target.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
    body: JSON.stringify({ query: MUTATION, variables: { input: input(run, i, target.siteIds) } })
  })
  const body = await response.json() as any
  const elapsed = performance.now() - started
  const payload = body.data?.provisionHttpService
  if (response.status !== 200 || body.errors !== undefined || payload?.operation?.status !== 'SUCCEEDED' ||
      payload.targets.length !== 5) {
    throw new Error(`provisionHttpService failed: ${JSON.stringify(body)}`)
  }
  return elapsed
}

function delta (after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [route, n] of Object.entries(after)) {
    const d = n - (before[route] ?? 0)
    if (d > 0) out[route] = d
  }
  return out
}

export async function runComposite (
  target: Target, latencyMs: number, durationS: number, cpu: () => number
): Promise<CompositeResult> {
  const run = randomBytes(3).toString('hex')
  const stats = () => ask<EmulatorCounters>(target.emulator, 'stats')

  // The first operations warm the gateway; the one after is the one counted route by route.
  for (let i = 0; i < 3; i++) await provision(target, run, i)
  const before = await stats()
  await provision(target, run, 3)
  const callsByRoute = delta((await stats()).byRoute, before.byRoute)

  const latencies: number[] = []
  let failures = 0
  const startStats = await stats()
  const startCpu = cpu()
  const deadline = performance.now() + durationS * 1000
  for (let i = 4; performance.now() < deadline; i++) {
    try {
      latencies.push(await provision(target, run, i))
    } catch (err) {
      failures++
      if (failures > 3) throw err
    }
  }
  const cpuMs = cpu() - startCpu
  const calls = (await stats()).total - startStats.total

  const operations = latencies.length + failures
  latencies.sort((a, b) => a - b)
  const criticalPathMs = CHAIN.length * latencyMs
  const p50Ms = percentile(latencies, 50)
  const p99Ms = percentile(latencies, 99)
  return {
    latencyMs,
    operations,
    p50Ms,
    p99Ms,
    criticalPathMs,
    p50OverCriticalPath: p50Ms / criticalPathMs,
    p99OverCriticalPath: p99Ms / criticalPathMs,
    upstreamCallsPerOperation: calls / operations,
    callsByRoute,
    cpuMsPerOperation: cpuMs / operations,
    failures
  }
}
