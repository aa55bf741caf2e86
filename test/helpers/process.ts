import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { ROOT } from '../../src/paths.js'

export interface GatewayProcess {
  child: ChildProcess
  url: string
  lines: string[]
  /** Resolves when the process has exited. */
  exited: Promise<number | null>
}

/**
 * `pangolin-gateway serve` as a real child process. Resolves once it logs that it listens; its
 * stdout lines (pino JSON) are kept for the caller.
 */
export async function startGatewayProcess (env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [`${ROOT}dist/src/cli/main.js`, 'serve'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: string[] = []
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let stderr = ''
  child.stderr!.on('data', (chunk) => { stderr += String(chunk) })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr}`)), timeoutMs)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line)
      if (line.includes('"gateway listening"')) {
        clearTimeout(timer)
        resolve(JSON.parse(line).url)
      }
    })
    exited.then((code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}: ${stderr}`)) }, reject)
  })
  return { child, url, lines, exited }
}

export async function graphqlAt (url: string, token: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables })
  })
  return { status: response.status, body: await response.json() as any }
}
