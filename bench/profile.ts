/** Reads a V8 .cpuprofile and ranks where the samples landed: by function and by package. */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
}

interface CpuProfile {
  startTime: number
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface SelfTime {
  name: string
  where: string
  selfMs: number
  percent: number
}

export interface ProfileSummary {
  totalMs: number
  functions: SelfTime[]
  packages: Array<{ name: string, selfMs: number, percent: number }>
}

/** `node_modules/@scope/name/…` → `@scope/name`; our own files → `pangolin-gateway`; the rest by kind. */
function packageOf (url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (match !== null) return match[1]!
  if (url.includes('/dist/src/')) return 'pangolin-gateway'
  if (url.startsWith('node:')) return 'node core'
  return url === '' ? '(vm: gc, idle, native)' : url
}

function shortPath (url: string): string {
  const i = url.lastIndexOf('node_modules/')
  if (i !== -1) return url.slice(i + 'node_modules/'.length)
  const d = url.indexOf('/dist/')
  return d !== -1 ? url.slice(d + 1) : url
}

/**
 * `window` bounds the samples kept, in microseconds of the monotonic clock that both V8's profiler
 * and process.hrtime read on Linux.
 */
export function summariseProfile (path: string, window: { fromUs: bigint, toUs: bigint }, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    at += profile.timeDeltas[i] ?? 0
    if (at < Number(window.fromUs) || at > Number(window.toUs)) continue
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }

  const functions = new Map<string, SelfTime>()
  const packages = new Map<string, number>()
  let totalUs = 0
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame
    // Idle time is the process waiting, not spending; leave it out of the shares.
    if (frame.functionName === '(idle)') continue
    totalUs += us
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName
    const where = frame.url === '' ? '' : `${shortPath(frame.url)}:${frame.lineNumber + 1}`
    const key = `${name} ${where}`
    const entry = functions.get(key) ?? { name, where, selfMs: 0, percent: 0 }
    entry.selfMs += us / 1000
    functions.set(key, entry)
    const pkg = packageOf(frame.url)
    packages.set(pkg, (packages.get(pkg) ?? 0) + us / 1000)
  }

  const totalMs = totalUs / 1000
  const share = (ms: number) => Math.round(ms / totalMs * 1000) / 10
  return {
    totalMs: Math.round(totalMs),
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)
      .map((f) => ({ ...f, selfMs: Math.round(f.selfMs), percent: share(f.selfMs) })),
    packages: [...packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([name, ms]) => ({ name, selfMs: Math.round(ms), percent: share(ms) }))
  }
}
