import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Scope } from '../../src/auth/scopes.js'
import { SEED_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { ROOT } from '../../src/paths.js'
import { ClientService } from '../../src/services/clients.js'
import { ClientsRepo } from '../../src/store/clients-repo.js'
import { openDatabase, type Database } from '../../src/store/database.js'

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

export interface ProcessFixture {
  emulator: Emulator
  database: Database
  token: string
  /** The environment a `serve` child needs: the emulator, the shared SQLite file, the secret. */
  env: Record<string, string>
}

/**
 * A seeded emulator, an SQLite file that gateway processes share with the test, and a client
 * made on it; all closed and removed on teardown. Kill child processes in the test's own teardown.
 */
export async function processFixture (t: { teardown: (fn: () => unknown) => void }, client: { name: string, scopes: Scope[] }): Promise<ProcessFixture> {
  const dir = mkdtempSync(join(tmpdir(), `pgw-${client.name}-`))
  const emulator = await startEmulator()
  const secret = randomBytes(32).toString('hex')
  const databaseUrl = `sqlite:${join(dir, 'gateway.db')}`
  const database = await openDatabase(databaseUrl)
  t.teardown(async () => {
    await database.close()
    await emulator.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await database.migrate()
  const { token } = await new ClientService(new ClientsRepo(database.db), secret).create({ name: client.name, orgs: ['acme'], scopes: client.scopes })
  const env = {
    PANGOLIN_URL: emulator.url,
    PANGOLIN_API_KEY: SEED_KEYS.root,
    DATABASE_URL: databaseUrl,
    GATEWAY_TOKEN_SECRET: secret,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info'
  }
  return { emulator, database, token, env }
}
