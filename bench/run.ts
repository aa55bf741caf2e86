/**
 * `npm run bench`: the gateway beside the floor (direct), a plain proxy and Apollo, each in its own
 * process on loopback against one emulator child; then a composite operation against an emulator
 * with a per-call delay; then, if a target is missed, a CPU profile of the gateway.
 * Tuning (seconds unless said): BENCH_DURATION_S 10, BENCH_WARMUP_S 2, BENCH_COMPOSITE_S 10,
 * BENCH_PROFILE_S 5, BENCH_MODERATE_RATE 50 (req/s), EMULATOR_LATENCY_MS 0 (read scenarios),
 * BENCH_PROFILE auto|always|never, BENCH_PROFILE_SCENARIO single|nested, BENCH_OUT (default bench/results/latest.json).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { runComposite, CHAIN, type CompositeResult } from './composite.js'
import { prepareGateway, startApollo, startGateway, startPassthrough, startUpstream, type Running, type Upstream } from './contenders.js'
import type { EmulatorCounters } from './emulator.js'
import { load, type LoadRequest } from './load.js'
import { ask, cpuMs, killAll, peakRssMiB, resetPeak, stop } from './processes.js'
import { summariseProfile, type ProfileSummary } from './profile.js'
import { ratios, render, targets, type Measurement } from './report.js'
import { scenarios, send, type ContenderName, type Scenario, type ScenarioName } from './scenarios.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const settings = {
  durationS: num('BENCH_DURATION_S', 10),
  warmupS: num('BENCH_WARMUP_S', 2),
  compositeS: num('BENCH_COMPOSITE_S', 10),
  profileS: num('BENCH_PROFILE_S', 5),
  moderate: { connections: 10, rate: num('BENCH_MODERATE_RATE', 50) },
  heavy: { connections: 100 },
  upstreamLatencyMs: num('EMULATOR_LATENCY_MS', 0),
  compositeLatencyMs: 20,
  /** Sequential requests used to count upstream calls exactly, away from the load generator. */
  countingRequests: 20
}
const CONTENDERS: ContenderName[] = ['direct', 'passthrough', 'gateway', 'apollo']

const log = (message: string) => process.stderr.write(`bench: ${message}\n`)

async function counters (upstream: Upstream): Promise<EmulatorCounters> {
  return await ask<EmulatorCounters>(upstream.child, 'stats')
}

/** Waits until the upstream has had no call for a moment: proxies drain their queues after a load ends. */
async function quiet (upstream: Upstream): Promise<number> {
  let last = (await counters(upstream)).total
  for (;;) {
    await sleep(300)
    const now = (await counters(upstream)).total
    if (now === last) return now
    last = now
  }
}

async function countCalls (upstream: Upstream, request: LoadRequest): Promise<number> {
  const before = await quiet(upstream)
  for (let i = 0; i < settings.countingRequests; i++) await send(request)
  return ((await counters(upstream)).total - before) / settings.countingRequests
}

async function measure (
  scenario: Scenario, contender: ContenderName, process: Running | null, upstream: Upstream, level: 'moderate' | 'heavy'
): Promise<Measurement> {
  const request = scenario.requests[contender]
  const shape = level === 'moderate' ? settings.moderate : { ...settings.heavy, rate: undefined }
  const pid = process?.child.pid
  if (pid !== undefined) resetPeak(pid)
  await load(request, { ...shape, durationS: settings.warmupS })

  const cpuBefore = pid === undefined ? 0 : cpuMs(pid)
  const upstreamBefore = cpuMs(upstream.child.pid!)
  const result = await load(request, { ...shape, durationS: settings.durationS })
  if (result.requests === 0) throw new Error(`${contender} answered nothing in ${settings.durationS} s on ${scenario.name}`)
  const m: Measurement = {
    scenario: scenario.name,
    contender,
    load: level,
    connections: shape.connections,
    rate: shape.rate ?? null,
    requests: result.requests,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    cpuMsPerRequest: pid === undefined ? null : (cpuMs(pid) - cpuBefore) / result.requests,
    peakRssMiB: pid === undefined ? null : peakRssMiB(pid),
    upstreamCpuMsPerRequest: (cpuMs(upstream.child.pid!) - upstreamBefore) / result.requests,
    non2xx: result.non2xx,
    errors: result.errors
  }
  log(`${m.scenario} ${m.contender} ${m.load}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50Ms.toFixed(2)} ms` +
    (m.non2xx + m.errors > 0 ? `, ${m.non2xx} non-2xx, ${m.errors} errors` : ''))
  // Failures (timeouts after 10 s, non-2xx) are part of the result: the table has a column for them.
  return m
}

function gitCommit (): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== ''
    return dirty ? `${head} (src/ modified)` : head
  } catch {
    return 'unknown'
  }
}

async function main (): Promise<void> {
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'pgw-bench-'))
  const loadBefore = loadavg()
  log(`working files in ${dir}`)

  const upstream = await startUpstream(settings.upstreamLatencyMs)
  const passthrough = await startPassthrough(upstream)
  const apollo = await startApollo(upstream)
  const setup = await prepareGateway(dir, 'gateway', upstream)
  let gateway = await startGateway(setup, join(dir, 'gateway.log'))
  const running: Record<ContenderName, Running | null> = { direct: null, passthrough, gateway, apollo }

  const all = scenarios({ upstream, passthrough, gateway, gatewayToken: setup.token, apollo })
  const calls = {} as Record<ScenarioName, Record<ContenderName, number>>
  const measurements: Measurement[] = []
  for (const scenario of all) {
    calls[scenario.name] = {} as Record<ContenderName, number>
    for (const contender of CONTENDERS) {
      const answer = await send(scenario.requests[contender])
      if (answer.status !== 200) throw new Error(`${contender} answered ${answer.status}: ${JSON.stringify(answer.body)}`)
      scenario.check(contender, answer.body)
      calls[scenario.name][contender] = await countCalls(upstream, scenario.requests[contender])
    }
    for (const level of ['moderate', 'heavy'] as const) {
      for (const contender of CONTENDERS) {
        measurements.push(await measure(scenario, contender, running[contender], upstream, level))
      }
    }
  }

  log(`composite: provisionHttpService at ${settings.compositeLatencyMs} ms per upstream call`)
  const slow = await startUpstream(settings.compositeLatencyMs)
  const slowSetup = await prepareGateway(dir, 'composite', slow)
  const slowGateway = await startGateway(slowSetup, join(dir, 'composite.log'))
  const composite: CompositeResult = await runComposite(
    { url: slowGateway.url, token: slowSetup.token, emulator: slow.child, siteIds: slow.ready.siteIds },
    settings.compositeLatencyMs, settings.compositeS, () => cpuMs(slowGateway.child.pid!))
  await stop(slowGateway.child)
  await stop(slow.child)

  const rs = ratios(measurements, calls)
  const ts = targets(measurements, rs, composite)

  let profile: (ProfileSummary & { scenario: string }) | null = null
  const mode = process.env.BENCH_PROFILE ?? 'auto'
  if (mode === 'always' || (mode === 'auto' && ts.some((t) => !t.met))) {
    // The scenario where the gateway falls furthest behind the pass-through.
    const worst = [...rs].sort((a, b) => a.rpsGatewayOverPassthrough - b.rpsGatewayOverPassthrough)[0]!
    const scenario = all.find((s) => s.name === (process.env.BENCH_PROFILE_SCENARIO ?? worst.scenario))!
    log(`profiling the gateway on the ${scenario.name} query at ${settings.heavy.connections} connections`)
    await stop(gateway.child)
    const profileDir = join(dir, 'profile')
    mkdirSync(profileDir)
    gateway = await startGateway(setup, join(dir, 'profile.log'), ['--cpu-prof', '--cpu-prof-dir', profileDir])
    const request = { ...scenario.requests.gateway, url: `${gateway.url}/graphql` }
    await load(request, { connections: settings.heavy.connections, durationS: settings.warmupS })
    // Only the samples taken under the measured load: start-up and warm-up are left out.
    const from = process.hrtime.bigint()
    await load(request, { connections: settings.heavy.connections, durationS: settings.profileS })
    const to = process.hrtime.bigint()
    await stop(gateway.child, 'SIGTERM', 20_000)
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))
    if (file === undefined) log('the gateway wrote no profile')
    else profile = { scenario: `${scenario.name} query, ${settings.heavy.connections} connections`, ...summariseProfile(join(profileDir, file), { fromUs: from / 1000n, toUs: to / 1000n }) }
  }

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
    gatewayCommit: gitCommit(),
    settings,
    measurements,
    ratios: rs,
    composite: { ...composite, chain: CHAIN },
    targets: ts,
    profile,
    elapsedS: Math.round((Date.now() - started) / 1000)
  }
  const out = process.env.BENCH_OUT ?? join(ROOT, 'bench', 'results', 'latest.json')
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`)

  process.stdout.write(`\npangolin-gateway benchmark, ${result.machine.cpus} cores (${result.machine.model}), node ${result.machine.node}, ` +
    `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} at start\n\n`)
  process.stdout.write(render(measurements, rs, composite, ts, profile))
  process.stdout.write(`\nwritten to ${out} in ${result.elapsedS} s\n`)

  for (const child of [gateway, passthrough, apollo, upstream]) await stop(child.child)
  rmSync(dir, { recursive: true, force: true })
}

process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { killAll(); process.exit(130) })
}
main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`)
  killAll()
  process.exitCode = 1
})
