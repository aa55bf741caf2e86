import t from 'tap'
import { SEED_KEYS } from '../../src/emulator/index.js'
import { buildGateway } from '../helpers/gateway.js'

const KEY_SECRET = SEED_KEYS.root.split('.')[1]!

t.test('canaries: the Pangolin key, gateway tokens and Newt secrets reach no log, error, audit row or foreign response', async (t) => {
  const gw = await buildGateway(t, { env: { LOG_LEVEL: 'trace', PANGOLIN_TIMEOUT_MS: '300' } })
  const admin = await gw.token(['admin'])
  const token = await gw.token(['read', 'provision', 'grant', 'delete'])
  const responses: string[] = []
  const ask = async (tok: string | undefined, query: string, variables?: Record<string, unknown>) => {
    const answer = await gw.graphql(tok, query, variables)
    responses.push(answer.text)
    return answer
  }

  // A Pangolin message that echoes the key, faults of every kind, and masked errors.
  gw.emulator.faults.add({ route: '/org/:orgId/roles', kind: 'status', status: 400, message: `Validation error near ${SEED_KEYS.root}` })
  gw.emulator.faults.add({ route: '/org/:orgId/users', kind: 'status', status: 401, message: 'Invalid API key' })
  gw.emulator.faults.add({ route: '/org/:orgId/sites', kind: 'reset-before' })
  gw.emulator.faults.add({ route: '/resource/:resourceId/target', kind: 'apply-then-reset' })
  gw.emulator.faults.add({ route: '/org/:orgId/site', kind: 'apply-then-stall', delayMs: 600 })
  await ask(token, '{ org(orgId: "acme") { roles { name } } }')
  await ask(token, '{ org(orgId: "acme") { users { email } } }')
  await ask(token, '{ org(orgId: "acme") { sites { total } } }')
  await ask(token, 'mutation { createSite(input: { orgId: "acme", name: "Canary", idempotencyKey: "canary" }) { newtCredentials { secret } } }')
  await ask(token, 'mutation { createSite(input: { orgId: "acme", name: "Canary", idempotencyKey: "canary" }) { newtCredentials { secret } } }')
  await ask(token, `mutation { provisionHttpService(input: { orgId: "acme", name: "c", domainId: "domain1", subdomain: "canary",
    targets: [{ siteNiceId: "acme-hq", ip: "10.0.0.1", port: 80 }] }) { resource { resourceId } } }`)
  await ask(token, 'mutation { provisionHttpService(input: { orgId: "acme", name: "", domainId: "x", targets: [] }) { replayed } }')
  await ask(admin, 'mutation { createClient(input: { name: "second", orgs: ["acme"], scopes: [READ] }) { token } }')
  await ask(admin, '{ auditEvents(first: 100) { nodes { input pangolinIds } } }')
  await ask(undefined, '{ viewer { name } }')
  await ask(`${token}x`, '{ viewer { name } }')

  const created = responses.find((r) => r.includes('newtCredentials'))!
  const newtSecret = JSON.parse(created).data.createSite.newtCredentials.secret as string
  t.match(newtSecret, /^[A-Za-z0-9]{48}$/, 'the creating client got its Newt secret')
  const foreign = responses.filter((r) => !r.includes('newtCredentials'))
  t.equal(foreign.filter((r) => r.includes(newtSecret)).length, 0, 'no other response carries the Newt secret')
  t.equal(responses.filter((r) => r.includes(KEY_SECRET)).length, 0, 'no response carries the Pangolin key')
  t.equal(responses.filter((r) => r.includes(token)).length, 0, 'no response carries the caller\'s token')
  t.equal(gw.logs.filter((l) => l.includes(KEY_SECRET) || l.includes(token.slice(4)) || l.includes(newtSecret)).length, 0, 'no log line')
  t.ok(gw.logs.length > 20, 'trace logging was on')
  t.comment(`canary: ${responses.length} responses and ${gw.logs.length} log lines at trace scanned for the key, ${2} tokens and a Newt secret: 0 hits (the same scan runs after every end-to-end test)`)
})
