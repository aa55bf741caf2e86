/**
 * The pass-through contender: a plain Fastify route per scenario that makes the same upstream call
 * as the gateway, with an undici Pool on keep-alive, and returns the upstream's JSON. What is left
 * between it and the gateway is what GraphQL, authentication and the gateway's policies cost.
 */
import Fastify from 'fastify'
import { Pool } from 'undici'

/** The gateway's default PANGOLIN_MAX_IN_FLIGHT, so both hold the same number of upstream sockets. */
const CONNECTIONS = 16

async function main (): Promise<void> {
  const upstream = new URL(process.env.UPSTREAM_URL!)
  const prefix = upstream.pathname.replace(/\/+$/, '')
  const authorization = `Bearer ${process.env.UPSTREAM_KEY!}`
  const pool = new Pool(upstream.origin, { connections: CONNECTIONS, pipelining: 1 })

  const get = async (path: string): Promise<unknown> => {
    const { statusCode, body } = await pool.request({ method: 'GET', path: `${prefix}${path}`, headers: { authorization } })
    const json = await body.json() as { data: unknown }
    if (statusCode !== 200) throw new Error(`upstream answered ${statusCode}`)
    return json.data
  }

  const app = Fastify({ logger: false })
  app.get<{ Params: { id: string } }>('/resource/:id', async (request) => await get(`/resource/${Number(request.params.id)}`))
  app.get<{ Params: { orgId: string }, Querystring: { pageSize?: string } }>('/org/:orgId/resources', async (request) => {
    const pageSize = Number(request.query.pageSize ?? 20)
    return await get(`/org/${encodeURIComponent(request.params.orgId)}/resources?pageSize=${pageSize}`)
  })

  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  process.once('disconnect', () => {
    app.close().then(() => pool.close()).finally(() => process.exit(0))
  })
  process.send!({ type: 'ready', url: `http://127.0.0.1:${port}` })
}

main().catch((err: unknown) => {
  process.stderr.write(`bench passthrough: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
