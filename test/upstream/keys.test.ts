import t from 'tap'
import { GatewayError } from '../../src/errors.js'
import { KeyRing } from '../../src/upstream/key-ring.js'
import { buildClient, CANARY, CANARY_SECRET, LEVEL, SECONDARY } from './helpers/build-client.js'
import { envelope, pangolinError, startScriptedServer, type Reply } from './helpers/scripted-server.js'

const roles = { roles: [], pagination: { total: 0, page: 1, pageSize: 1000 } }

t.test('the key ring picks the first key that serves the org, primary first', async (t) => {
  const ring = new KeyRing([
    { primary: 'a.1', secondary: 'a.2', orgs: ['acme'] },
    { primary: 'b.1', orgs: '*' }
  ])

  t.same(ring.keysFor('acme'), ['a.1', 'a.2'])
  t.same(ring.keysFor('globex'), ['b.1'])
  t.same(ring.keysFor(), ['b.1'])
})

t.test('an org that no key serves is FORBIDDEN', async (t) => {
  const ring = new KeyRing([{ primary: 'a.1', orgs: ['acme'] }, { primary: 'g.1', orgs: ['globex'] }])

  t.throws(() => ring.keysFor('initech'), { code: 'FORBIDDEN' })
  t.throws(() => ring.keysFor(), { code: 'FORBIDDEN' })
})

t.test('a call without an org uses the only key there is', async (t) => {
  const ring = new KeyRing([{ primary: 'a.1', orgs: ['acme'] }])

  t.same(ring.keysFor(), ['a.1'])
})

t.test('replace swaps the whole key set at once', async (t) => {
  const ring = new KeyRing([{ primary: 'a.1', orgs: ['acme'] }])
  ring.replace([{ primary: 'g.1', orgs: ['globex'] }])

  t.same(ring.keysFor('globex'), ['g.1'])
  t.throws(() => ring.keysFor('acme'), { code: 'FORBIDDEN' })
})

t.test('a call for an org no key serves makes no upstream request', async (t) => {
  const s = await startScriptedServer(() => envelope(roles))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url, { upstreamKeys: [{ primary: CANARY, orgs: ['acme'] }] })

  const err = await client.listRoles('globex').catch((e: unknown) => e) as GatewayError

  t.equal(err.code, 'FORBIDDEN')
  t.equal(s.received.length, 0)
})

t.test('only the Authorization header carries the key', async (t) => {
  const s = await startScriptedServer(() => envelope(roles))
  t.teardown(() => s.close())
  const { client } = buildClient(t, s.url)

  await client.listRoles('acme')

  t.equal(s.received[0]!.authorization, `Bearer ${CANARY}`)
  t.notMatch(s.received[0]!.url, CANARY_SECRET)
})

t.test('the secondary key is used after the primary gets a 401, with a warn log', async (t) => {
  const s = await startScriptedServer((_, req) => req.authorization === `Bearer ${CANARY}`
    ? pangolinError(401, 'Invalid API key')
    : envelope(roles))
  t.teardown(() => s.close())
  const { client, logs } = buildClient(t, s.url, { upstreamKeys: [{ primary: CANARY, secondary: SECONDARY, orgs: '*' }] })

  await client.listRoles('acme')
  await client.listRoles('acme')

  t.same(s.received.map((r) => r.authorization), [`Bearer ${CANARY}`, `Bearer ${SECONDARY}`, `Bearer ${SECONDARY}`])
  t.ok(logs().some((l) => l.level === LEVEL.warn && /pair/.test(l.msg)))
})

t.test('when neither key works the call is UPSTREAM_CREDENTIALS and logged at error', async (t) => {
  const s = await startScriptedServer(() => pangolinError(401, 'Invalid API key'))
  t.teardown(() => s.close())
  const { client, logs } = buildClient(t, s.url, { upstreamKeys: [{ primary: CANARY, secondary: SECONDARY, orgs: '*' }] })

  const err = await client.listRoles('acme').catch((e: unknown) => e) as GatewayError

  t.equal(err.code, 'UPSTREAM_CREDENTIALS')
  t.equal(s.received.length, 2)
  t.ok(logs().some((l) => l.level === LEVEL.error))
})

t.test('no log line and no error message ever contains a key', async (t) => {
  const script: Reply[] = [
    pangolinError(401, 'Invalid API key'),
    envelope(roles),
    pangolinError(500, 'An error occurred'),
    { destroy: true },
    pangolinError(400, `Validation error near ${CANARY}`),
    { status: 404, html: '<pre>Cannot GET</pre>' }
  ]
  const s = await startScriptedServer((n) => script[n % script.length]!)
  t.teardown(() => s.close())
  const { client, rawLogs } = buildClient(t, s.url, {
    upstreamKeys: [{ primary: CANARY, secondary: SECONDARY, orgs: '*' }],
    retry: { attempts: 1 }
  })
  const messages: string[] = []

  for (let i = 0; i < 6; i++) {
    await client.listRoles('acme').catch((e: unknown) => { messages.push(`${(e as Error).message} ${JSON.stringify((e as GatewayError).extensions)}`) })
  }

  const lines = rawLogs().split('\n').filter((l) => l !== '')
  t.ok(lines.length > 5, 'something was logged')
  for (const l of lines) JSON.parse(l)
  const secrets = [CANARY_SECRET, SECONDARY.split('.')[1]!]
  t.equal(lines.filter((l) => secrets.some((k) => l.includes(k))).length, 0, 'no key in any log line')
  t.equal(messages.filter((m) => secrets.some((k) => m.includes(k))).length, 0, 'no key in any error')
})
