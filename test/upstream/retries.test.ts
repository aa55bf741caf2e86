import t, { type Test } from 'tap'
import { GatewayError } from '../../src/errors.js'
import { buildClient, LEVEL } from './helpers/build-client.js'
import { envelope, pangolinError, startScriptedServer, type Reply } from './helpers/scripted-server.js'

const resourceRow = { resourceId: 7, niceId: 'brave-otter', name: 'app', mode: 'http', fullDomain: 'app.acme.test', domainId: 'domain1', enabled: true, sso: true }
const targetRow = { targetId: 3, resourceId: 7, siteId: 1, ip: '10.0.0.5', port: 8080, method: 'http', enabled: true, hcHealth: 'unknown', hcHeaders: '[]' }
const createBody = { name: 'app', domainId: 'domain1', subdomain: 'app' }

async function server (t: Test, script: (n: number) => Reply) {
  const s = await startScriptedServer((n) => script(n))
  t.teardown(() => s.close())
  return s
}

t.test('a create reset after it was sent is not sent again without reconcile', async (t) => {
  const s = await server(t, () => ({ destroy: true }))
  const { client } = buildClient(t, s.url)

  const err = await client.createResource('acme', createBody).catch((e: unknown) => e)

  t.ok(err instanceof GatewayError)
  t.equal((err as GatewayError).code, 'UPSTREAM_UNAVAILABLE')
  t.equal((err as GatewayError).extensions.ambiguous, true)
  t.equal(s.count('PUT', '/v1/org/acme/resource'), 1)
})

t.test('a create answered 502 is not sent again without reconcile', async (t) => {
  const s = await server(t, () => pangolinError(502, 'Bad Gateway'))
  const { client } = buildClient(t, s.url)

  const err = await client.createTarget(7, { siteId: 1, ip: '10.0.0.5', port: 8080 }).catch((e: unknown) => e) as GatewayError

  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(err.extensions.ambiguous, true)
  t.equal(s.count('PUT'), 1)
})

t.test('a create that timed out is reconciled and the found object returned', async (t) => {
  const s = await server(t, () => ({ stall: true }))
  const { client, logs } = buildClient(t, s.url, { timeoutMs: 100 })
  let lookups = 0

  const found = await client.createResource('acme', createBody, {
    reconcile: async () => {
      lookups++
      return { resourceId: 7, niceId: 'brave-otter', name: 'app', protocol: 'http', fullDomain: 'app.acme.test', domainId: 'domain1', proxyPort: null, enabled: true, sso: true }
    }
  })

  t.equal(found.resourceId, 7)
  t.equal(lookups, 1)
  t.equal(s.count('PUT'), 1)
  t.ok(logs().some((l) => l.level === LEVEL.info && l.msg === 'reconciled'))
})

t.test('a create reconciled as absent is sent again and counts as an attempt', async (t) => {
  const s = await server(t, (n) => n === 0 ? pangolinError(504, 'Gateway Timeout') : envelope(targetRow, 201))
  const { client } = buildClient(t, s.url)

  const target = await client.createTarget(7, { siteId: 1, ip: '10.0.0.5', port: 8080 }, { reconcile: async () => undefined })

  t.equal(target.targetId, 3)
  t.equal(s.count('PUT'), 2)
})

t.test('a create that keeps failing ambiguously stops after the attempt limit', async (t) => {
  const s = await server(t, () => pangolinError(502, 'Bad Gateway'))
  const { client, logs } = buildClient(t, s.url)
  let lookups = 0

  const err = await client.createTarget(7, { siteId: 1, ip: '10.0.0.5', port: 8080 }, {
    reconcile: async () => { lookups++; return undefined }
  }).catch((e: unknown) => e) as GatewayError

  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(s.count('PUT'), 3)
  t.equal(lookups, 3)
  t.ok(logs().some((l) => l.level === LEVEL.warn && /retries exhausted/.test(l.msg)))
})

t.test('a create answered 503 is retried because Pangolin did not act', async (t) => {
  const s = await server(t, (n) => n === 0 ? pangolinError(503, 'Service Unavailable') : envelope(resourceRow, 201))
  const { client } = buildClient(t, s.url)

  const resource = await client.createResource('acme', createBody)

  t.equal(resource.resourceId, 7)
  t.equal(s.count('PUT'), 2)
})

t.test('a site-resource create answered 429 is retried', async (t) => {
  const row = { siteResourceId: 4, niceId: 'calm-fox', name: 'db', mode: 'host', destination: '10.0.0.9', alias: 'db.internal', tcpPortRangeString: '5432', udpPortRangeString: '', disableIcmp: true, enabled: true }
  const s = await server(t, (n) => n === 0
    ? pangolinError(429, 'Too many concurrent rebuild operations for this organization. Please retry after a moment.')
    : envelope(row, 201))
  const { client } = buildClient(t, s.url)

  const created = await client.createSiteResource('acme', {
    name: 'db', mode: 'host', siteIds: [1], destination: '10.0.0.9', alias: 'db.internal', tcpPortRangeString: '5432', udpPortRangeString: '', roleIds: [], userIds: [], clientIds: []
  })

  t.equal(created.siteResourceId, 4)
  t.equal(s.count('PUT'), 2)
})

t.test('a create whose connection was refused is retried, since Pangolin never saw it', async (t) => {
  const probe = await startScriptedServer(() => envelope(null))
  await probe.close()
  const attempts: number[] = []
  const { client } = buildClient(t, `http://127.0.0.1:${probe.port}/v1`, {
    onCall: (r) => { attempts.push(r.attempt) }
  })

  const err = await client.createResource('acme', createBody).catch((e: unknown) => e) as GatewayError

  t.same(attempts, [1, 2, 3])
  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.not(err.extensions.ambiguous, true)
})

t.test('a read is retried after a 500', async (t) => {
  const s = await server(t, (n) => n === 0 ? pangolinError(500, 'An error occurred') : envelope(resourceRow))
  const { client, logs } = buildClient(t, s.url)

  const resource = await client.getResource(7)

  t.equal(resource.resourceId, 7)
  t.equal(s.count('GET'), 2)
  t.ok(logs().some((l) => l.level === LEVEL.info && l.msg === 'retrying pangolin call'))
})

t.test('a read is retried after a connection reset', async (t) => {
  const s = await server(t, (n) => n === 0 ? { destroy: true } : envelope(resourceRow))
  const { client } = buildClient(t, s.url)

  const resource = await client.getResource(7)

  t.equal(resource.resourceId, 7)
  t.equal(s.count('GET'), 2)
})

t.test('a read that fails every time stops after three attempts', async (t) => {
  const s = await server(t, () => pangolinError(500, 'An error occurred'))
  const { client } = buildClient(t, s.url)

  const err = await client.getResource(7).catch((e: unknown) => e) as GatewayError

  t.equal(err.code, 'UPSTREAM_UNAVAILABLE')
  t.equal(s.count('GET'), 3)
})

t.test('an update is retried with the same full body', async (t) => {
  const s = await server(t, (n) => n === 0 ? { destroy: true } : envelope(resourceRow))
  const { client } = buildClient(t, s.url)

  await client.updateResource(7, { name: 'app', enabled: true })

  t.equal(s.count('POST', '/v1/resource/7'), 2)
  t.same(s.received[0]!.body, s.received[1]!.body)
})

t.test('adding a grant that is already assigned counts as done', async (t) => {
  const s = await server(t, () => pangolinError(409, 'Role already assigned to resource'))
  const { client } = buildClient(t, s.url)

  await client.addResourceGrant(7, 'role', 2)

  t.same(s.received[0]!.body, { roleId: 2 })
  t.equal(s.received[0]!.url, '/v1/resource/7/roles/add')
})

t.test('removing a grant that is absent counts as done', async (t) => {
  const s = await server(t, () => pangolinError(404, 'User not found in site resource'))
  const { client } = buildClient(t, s.url)

  await client.removeSiteResourceGrant(4, 'user', 'u-1')

  t.same(s.received[0]!.body, { userId: 'u-1' })
  t.equal(s.received[0]!.url, '/v1/site-resource/4/users/remove')
})

t.test('removing a grant from a missing resource is still NOT_FOUND', async (t) => {
  const s = await server(t, () => pangolinError(404, 'Resource with ID 7 not found'))
  const { client } = buildClient(t, s.url)

  const err = await client.removeResourceGrant(7, 'role', 2).catch((e: unknown) => e) as GatewayError

  t.equal(err.code, 'NOT_FOUND')
})

t.test('a grant reset after it was sent is retried and the 409 that follows counts as done', async (t) => {
  const s = await server(t, (n) => n === 0 ? { destroy: true } : pangolinError(409, 'User already assigned to resource'))
  const { client } = buildClient(t, s.url)

  await client.addResourceGrant(7, 'user', 'u-1')

  t.equal(s.count('POST'), 2)
})

t.test('a delete answered 404 counts as done', async (t) => {
  const s = await server(t, () => pangolinError(404, 'Target with ID 3 not found'))
  const { client } = buildClient(t, s.url)

  await client.deleteTarget(3)

  t.equal(s.count('DELETE', '/v1/target/3'), 1)
})

t.test('a delete that was applied and then reset is retried and its 404 counts as done', async (t) => {
  const s = await server(t, (n) => n === 0 ? { destroy: true } : pangolinError(404, 'Resource with ID 7 not found'))
  const { client } = buildClient(t, s.url)

  await client.deleteResource(7)

  t.equal(s.count('DELETE'), 2)
})
