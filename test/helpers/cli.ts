import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Teardown } from './gateway.js'

/** The built CLI, next to this helper once compiled (dist/test/helpers → dist/src/cli). */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** A temporary directory, removed on teardown. */
export function tempDir (t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The child's whole environment: PATH and what the test gives, nothing inherited by accident. */
function childEnv (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, ...env }
}

/** Runs `pangolin-gateway ARGS` to completion. */
export async function runCli (args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return await new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: childEnv(env), timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      resolve({ code, stdout, stderr })
    })
  })
}

/** `clients create`, returning the id and the token it printed once. */
export async function createClient (env: NodeJS.ProcessEnv, args: string[]): Promise<{ id: string, token: string, result: CliResult }> {
  const result = await runCli(['clients', 'create', ...args], env)
  const id = /created client (cl_\w+)/.exec(result.stdout)?.[1]
  const token = /(pgw_[0-9A-Za-z]+)/.exec(result.stdout)?.[1]
  if (result.code !== 0 || id === undefined || token === undefined) {
    throw new Error(`clients create failed (${result.code}): ${result.stderr}`)
  }
  return { id, token, result }
}

export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

export interface ServeProcess {
  child: ChildProcess
  /** The address from the `gateway listening` line. */
  url: string
  /** Every stdout line so far, raw, and parsed. */
  lines: string[]
  logs: LogLine[]
  /** Resolves with the first log line, past or future, that matches. */
  waitForLog (match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>
  graphql (token: string, query: string): Promise<{ status: number, body: any }>
}

/**
 * `pangolin-gateway serve` as a child process on a free port. It is ready when it logs
 * `gateway listening`; on teardown it gets SIGTERM, and SIGKILL if it lingers.
 */
export async function spawnServe (t: Teardown, env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: childEnv({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
  })

  const lines: string[] = []
  const logs: LogLine[] = []
  const waiters: Array<{ match: (line: LogLine) => boolean, resolve: (line: LogLine) => void }> = []
  let stderr = ''
  let partial = ''
  child.stderr!.on('data', (chunk) => { stderr += String(chunk) })
  child.stdout!.on('data', (chunk) => {
    const parts = (partial + String(chunk)).split('\n')
    partial = parts.pop()!
    for (const text of parts.filter((l) => l !== '')) {
      lines.push(text)
      const line = JSON.parse(text) as LogLine
      logs.push(line)
      for (const w of waiters.filter((w) => w.match(line))) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(line)
      }
    }
  })

  const waitForLog = async (match: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const seen = logs.find(match)
    if (seen !== undefined) return seen
    return await new Promise((resolve, reject) => {
      const waiter = { match, resolve: (line: LogLine) => { clearTimeout(timer); resolve(line) } }
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1)
        reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${stderr}`))
      }, timeoutMs)
      waiters.push(waiter)
      exited.then(() => reject(new Error(`serve exited (${child.exitCode}): ${stderr}`)), () => {})
    })
  }

  const listening = await waitForLog((l) => l.msg === 'gateway listening')
  const url = String(listening.url)
  return {
    child,
    url,
    lines,
    logs,
    waitForLog,
    async graphql (token, query) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query })
      })
      return { status: response.status, body: await response.json() }
    }
  }
}

/** The environment `serve` and `clients` share: one SQLite file and one token secret. */
export function storeEnv (dir: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
    GATEWAY_TOKEN_SECRET: randomBytes(32).toString('hex')
  }
}
