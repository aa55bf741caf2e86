import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { SEED_KEYS, startEmulator } from '../../src/emulator/index.js'
import { ClientService } from '../../src/services/clients.js'
import { ClientsRepo } from '../../src/store/clients-repo.js'
import { openDatabase } from '../../src/store/database.js'
import { graphqlAt, startGatewayProcess } from '../helpers/process.js'

t.test('SIGTERM while a slow request is in flight: the request completes, new ones are refused, exit 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgw-shutdown-'))
  const emulator = await startEmulator()
  const secret = randomBytes(32).toString('hex')
  const databaseUrl = `sqlite:${join(dir, 'gateway.db')}`
  const database = await openDatabase(databaseUrl)
  await database.migrate()
  const { token } = await new ClientService(new ClientsRepo(database.db), secret).create({ name: 'drain', orgs: ['acme'], scopes: ['read'] })
  const gateway = await startGatewayProcess({
    PANGOLIN_URL: emulator.url,
    PANGOLIN_API_KEY: SEED_KEYS.root,
    DATABASE_URL: databaseUrl,
    GATEWAY_TOKEN_SECRET: secret,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    SHUTDOWN_DEADLINE_MS: '5000'
  })
  t.teardown(async () => {
    gateway.child.kill('SIGKILL')
    await database.close()
    await emulator.close()
    rmSync(dir, { recursive: true, force: true })
  })

  emulator.faults.add({ method: 'GET', route: '/org/:orgId/roles', kind: 'delay', delayMs: 1500 })
  const slow = graphqlAt(gateway.url, token, '{ org(orgId: "acme") { roles { name } } }')
  await new Promise((resolve) => setTimeout(resolve, 400))
  const sentAt = Date.now()
  gateway.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 200))

  const late = await graphqlAt(gateway.url, token, '{ viewer { name } }').then((r) => r.status, () => 'refused')
  t.not(late, 200, `a request after SIGTERM is not served (${late})`)

  const answer = await slow
  t.equal(answer.status, 200)
  t.ok(answer.body.data.org.roles.length > 0, 'the in-flight request got its full answer')
  const code = await gateway.exited
  t.equal(code, 0, code === 0 ? 'exit 0' : gateway.lines.slice(-6).join('\n'))
  t.ok(Date.now() - sentAt < 5000, 'exit came with the drain, not at the deadline')
  const messages = gateway.lines.map((l) => JSON.parse(l).msg)
  t.ok(messages.includes('shutting down'))
  t.ok(messages.includes('shut down'))
})
