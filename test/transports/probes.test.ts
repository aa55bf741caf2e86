import t from 'tap'
import { startEmulator } from '../../src/emulator/index.js'
import { buildGateway } from '../helpers/gateway.js'

async function probe (url: string) {
  const response = await fetch(url)
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

async function until (check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return false
}

t.test('/healthz answers while the process lives; /readyz fails while Pangolin is down and recovers after', async (t) => {
  const gw = await buildGateway(t)
  const url = gw.gateway.url
  t.same(await probe(`${url}/readyz`), { status: 200, body: { status: 'ready', checks: { store: 'ok', pangolin: 'ok' } } })

  const port = gw.emulator.port
  await gw.emulator.close()
  t.same(await probe(`${url}/readyz`), { status: 503, body: { status: 'not ready', checks: { store: 'ok', pangolin: 'down' } } })
  t.same(await probe(`${url}/healthz`), { status: 200, body: { status: 'ok' } }, 'alive all the same')

  const again = await startEmulator({ host: '127.0.0.1', port })
  t.teardown(() => again.close())
  // The circuit may have opened while Pangolin was away; it lets a probe through after its reset time.
  const recovered = await until(async () => (await probe(`${url}/readyz`)).status === 200, 20_000)
  t.ok(recovered, '/readyz is 200 again once Pangolin answers')
})

t.test('/readyz names the store when it cannot be reached', async (t) => {
  const gw = await buildGateway(t)
  const ping = gw.gateway.database.ping
  gw.gateway.database.ping = async () => { throw new Error('store unreachable') }
  t.teardown(() => { gw.gateway.database.ping = ping })
  t.same(await probe(`${gw.gateway.url}/readyz`), { status: 503, body: { status: 'not ready', checks: { store: 'down', pangolin: 'ok' } } })
})
