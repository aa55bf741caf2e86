import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One scripted answer. `destroy` resets the socket after reading the request; `stall` never answers. */
export type Reply =
  | { status: number, json?: unknown, html?: string, delayMs?: number }
  | { destroy: true, delayMs?: number }
  | { stall: true }

export interface Received {
  method: string
  url: string
  authorization: string | undefined
  contentType: string | undefined
  body: unknown
}

export interface ScriptedServer {
  url: string
  port: number
  received: Received[]
  maxInFlight: number
  count (method: string, path?: string): number
  close (): Promise<void>
}

export function envelope (data: unknown, status = 200, message = 'ok'): Reply {
  return { status, json: { data, success: true, error: false, message, status } }
}

export function pangolinError (status: number, message: string): Reply {
  return { status, json: { data: null, success: false, error: true, message, status, stack: null } }
}

async function readBody (req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text === '' ? undefined : JSON.parse(text)
}

/**
 * A loopback server that answers the n-th request (0-based) with `script(n, req)`. It records
 * every request and the most requests it ever held at once.
 */
export async function startScriptedServer (
  script: (n: number, req: Received) => Reply, opts: { port?: number } = {}
): Promise<ScriptedServer> {
  const received: Received[] = []
  const stalled = new Set<ServerResponse>()
  let inFlight = 0
  let n = 0

  const server: Server = createServer((req, res) => {
    inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    res.on('close', () => { inFlight-- })

    readBody(req).then(async (body) => {
      const rec: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body
      }
      received.push(rec)
      const reply = script(n++, rec)
      if ('delayMs' in reply && reply.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, reply.delayMs))
      if ('stall' in reply) {
        stalled.add(res)
        return
      }
      if ('destroy' in reply) {
        req.socket.destroy()
        return
      }
      if (reply.html !== undefined) {
        res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8' })
        res.end(reply.html)
        return
      }
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' })
      res.end(reply.json === undefined ? '' : JSON.stringify(reply.json))
    }).catch(() => { req.socket.destroy() })
  })

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  const state: ScriptedServer = {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    received,
    maxInFlight: 0,
    count: (method, path) => received.filter((r) => r.method === method && (path === undefined || r.url.split('?')[0] === path)).length,
    close: () => new Promise<void>((resolve) => {
      for (const res of stalled) res.socket?.destroy()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
  return state
}
