/**
 * The upstream for the benchmark, in its own process so that its CPU is not counted as any
 * contender's. Seeds an org with realistic resources through the emulator's own API, then answers
 * the parent over IPC: `ready` once, and the request counters whenever asked.
 */
import { SEED_KEYS, startEmulator } from '../src/emulator/index.js'

export interface EmulatorReady {
  type: 'ready'
  url: string
  /** The resources the benchmark seeded, in creation order. */
  resourceIds: number[]
  siteIds: number[]
}

export interface EmulatorCounters {
  type: 'stats'
  total: number
  byRoute: Record<string, number>
}

const RESOURCES = Number(process.env.BENCH_SEED_RESOURCES ?? 50)
const TARGETS_PER_RESOURCE = 3

async function call (url: string, method: string, body: unknown): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SEED_KEYS.root}` },
    body: JSON.stringify(body)
  })
  const json = await response.json() as { data: any, message: string }
  if (!response.ok) throw new Error(`seed: ${method} ${url} answered ${response.status}: ${json.message}`)
  return json.data
}

/** Through HTTP rather than the state, so the rows obey the same rules as the gateway's writes. */
async function seedOrg (url: string): Promise<{ resourceIds: number[], siteIds: number[] }> {
  const sites = await (await fetch(`${url}/org/acme/sites?pageSize=100`, {
    headers: { authorization: `Bearer ${SEED_KEYS.root}` }
  })).json() as { data: { sites: Array<{ siteId: number, type: string }> } }
  const siteIds = sites.data.sites.filter((s) => s.type === 'newt').map((s) => s.siteId)

  const resourceIds: number[] = []
  for (let i = 0; i < RESOURCES; i++) {
    const resource = await call(`${url}/org/acme/resource`, 'PUT', {
      name: `Service ${String(i).padStart(2, '0')}`,
      domainId: 'domain1',
      subdomain: `svc-${i}`,
      http: true,
      protocol: 'tcp'
    })
    resourceIds.push(resource.resourceId)
    await Promise.all(Array.from({ length: TARGETS_PER_RESOURCE }, (_, t) =>
      call(`${url}/resource/${resource.resourceId}/target`, 'PUT', {
        siteId: siteIds[t % siteIds.length],
        ip: `10.20.${i}.${t + 10}`,
        port: 8000 + t,
        method: 'http'
      })))
  }
  return { resourceIds, siteIds }
}

async function main (): Promise<void> {
  const emulator = await startEmulator({ latencyMs: Number(process.env.EMULATOR_LATENCY_MS ?? 0) })
  const seeded = await seedOrg(emulator.url)
  emulator.stats.reset()

  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      const counters: EmulatorCounters = { type: 'stats', total: emulator.stats.total, byRoute: { ...emulator.stats.byRoute } }
      process.send!(counters)
    }
  })
  process.once('disconnect', () => { emulator.close().finally(() => process.exit(0)) })
  const ready: EmulatorReady = { type: 'ready', url: emulator.url, ...seeded }
  process.send!(ready)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench emulator: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
