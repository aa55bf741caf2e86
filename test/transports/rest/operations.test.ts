import t from 'tap'
import * as schemas from '../../../src/transports/rest/schemas.js'
import { buildGateway } from '../../helpers/gateway.js'
import { restClient } from '../../helpers/rest.js'
import { serviceInput } from '../../helpers/workload.js'

const service = serviceInput

t.test('POST /api/v1/orgs/{orgId}/sites creates a Newt site and answers its credentials once', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const answer = await rest('POST', '/api/v1/orgs/acme/sites', { name: 'Branch office' })
  t.equal(answer.status, 201, 'status', { body: answer.text })
  t.match(answer.contentType, /^application\/json/)
  const body = schemas.createSiteResponse.parse(answer.body)
  t.match(body.site.niceId, /^branch-office-[0-9a-f]{6}$/)
  t.match(body.newtCredentials.secret, /^[A-Za-z0-9]{48}$/)
  t.equal(body.operation.kind, 'createSite')
  t.equal(body.operation.status, 'SUCCEEDED')
  t.equal(answer.headers.get('idempotent-replayed'), null)
  t.ok(gw.emulator.state.sites.some((s) => s.siteId === body.site.siteId && s.orgId === 'acme'))
  t.ok(gw.emulator.state.newts.some((n) => n.newtId === body.newtCredentials.newtId))
  t.equal(gw.logs.filter((l) => l.includes(body.newtCredentials.secret)).length, 0, 'the secret is in no log line')
})

t.test('POST /api/v1/orgs/{orgId}/http-services provisions the resource, its targets and grants', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const answer = await rest('POST', '/api/v1/orgs/acme/http-services', service())
  t.equal(answer.status, 201, 'status', { body: answer.text })
  const body = schemas.provisionHttpServiceResponse.parse(answer.body)
  t.equal(body.resource.fullDomain, 'billing.acme.test')
  t.equal(body.targets.length, 2)
  t.equal(body.operation.status, 'SUCCEEDED')
  t.ok(body.operation.steps.every((s) => s.status === 'DONE'))

  const state = gw.emulator.state
  t.equal(state.targets.filter((x) => x.resourceId === body.resource.resourceId).length, 2)
  const developers = state.roles.find((r) => r.orgId === 'acme' && r.name === 'Developers')!
  t.ok(state.roleResources.some((g) => g.resourceId === body.resource.resourceId && g.roleId === developers.roleId))
})

t.test('a replay with the same Idempotency-Key answers the same body and status without calling Pangolin', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const first = await rest('POST', '/api/v1/orgs/acme/http-services', service(), { 'idempotency-key': 'rest-1' })
  t.equal(first.status, 201, 'status', { body: first.text })
  t.equal(first.body.operation.idempotencyKey, 'rest-1')

  gw.emulator.stats.reset()
  const again = await rest('POST', '/api/v1/orgs/acme/http-services', service(), { 'idempotency-key': 'rest-1' })
  t.equal(again.status, 201)
  t.equal(again.headers.get('idempotent-replayed'), 'true')
  t.same(again.body, first.body)
  t.equal(gw.emulator.stats.total, 0, 'no upstream call')
  t.equal(gw.emulator.state.resources.filter((r) => r.fullDomain === 'billing.acme.test').length, 1)
})

t.test('the same Idempotency-Key with another body is a 422 IDEMPOTENCY_KEY_REUSED problem', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const first = await rest('POST', '/api/v1/orgs/acme/http-services', service(), { 'idempotency-key': 'rest-2' })
  t.equal(first.status, 201, 'status', { body: first.text })

  gw.emulator.stats.reset()
  const changed = await rest('POST', '/api/v1/orgs/acme/http-services', service({ name: 'Other' }), { 'idempotency-key': 'rest-2' })
  t.equal(changed.status, 422)
  t.match(changed.contentType, /^application\/problem\+json/)
  t.same(changed.body, {
    type: '/api/docs#IDEMPOTENCY_KEY_REUSED',
    title: 'Idempotency key reused',
    status: 422,
    detail: 'This idempotency key was used with a different input.',
    code: 'IDEMPOTENCY_KEY_REUSED',
    operationId: first.body.operation.id,
    requestId: changed.body.requestId
  })
  t.type(changed.body.requestId, 'string')
  t.equal(gw.emulator.stats.total, 0, 'no upstream call')
})

t.test('POST /api/v1/orgs/{orgId}/private-resources provisions a private resource', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision']))
  const answer = await rest('POST', '/api/v1/orgs/acme/private-resources', {
    name: 'Redis',
    siteNiceId: 'acme-hq',
    mode: 'HOST',
    destination: '10.0.0.6',
    alias: 'redis.acme.internal',
    tcpPortRangeString: '6379',
    udpPortRangeString: '',
    access: { roleNames: ['Developers'] }
  })
  t.equal(answer.status, 201, 'status', { body: answer.text })
  const body = schemas.provisionPrivateResourceResponse.parse(answer.body)
  t.equal(body.privateResource.alias, 'redis.acme.internal')
  const row = gw.emulator.state.siteResources.find((r) => r.siteResourceId === body.privateResource.siteResourceId)
  t.equal(row?.orgId, 'acme')
})

t.test('targets can be added to and removed from a public resource', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision', 'delete']))
  const wiki = gw.emulator.state.resources.find((r) => r.fullDomain === 'wiki.acme.test')!

  const added = await rest('POST', `/api/v1/http-services/${wiki.resourceId}/targets`, {
    targets: [{ siteNiceId: 'acme-edge', ip: '10.0.1.21', port: 8080 }]
  })
  t.equal(added.status, 201, 'status', { body: added.text })
  const body = schemas.addTargetsResponse.parse(added.body)
  const targetId = body.targets[0]!.targetId
  t.ok(gw.emulator.state.targets.some((x) => x.targetId === targetId && x.resourceId === wiki.resourceId))

  const removed = await rest('DELETE', `/api/v1/targets/${targetId}`)
  t.equal(removed.status, 200, 'status', { body: removed.text })
  t.same(schemas.removeTargetResponse.parse(removed.body).resourceId, wiki.resourceId)
  t.notOk(gw.emulator.state.targets.some((x) => x.targetId === targetId))
})

t.test('access is granted and revoked through /api/v1/access/grants and /revocations', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['grant']))
  const wiki = gw.emulator.state.resources.find((r) => r.fullDomain === 'wiki.acme.test')!
  const developers = gw.emulator.state.roles.find((r) => r.orgId === 'acme' && r.name === 'Developers')!
  const granted = () => gw.emulator.state.roleResources.some((g) => g.resourceId === wiki.resourceId && g.roleId === developers.roleId)

  const grant = await rest('POST', '/api/v1/access/grants', { resourceId: wiki.resourceId, roleNames: ['Developers'] })
  t.equal(grant.status, 200, 'status', { body: grant.text })
  t.same(schemas.accessResponse.parse(grant.body).roles.map((r) => r.roleId), [developers.roleId])
  t.ok(granted())

  const revoke = await rest('POST', '/api/v1/access/revocations', { resourceId: wiki.resourceId, roleIds: [developers.roleId] })
  t.equal(revoke.status, 200, 'status', { body: revoke.text })
  t.notOk(granted())
})

t.test('DELETE /api/v1/http-services/{resourceId} removes the targets, then the resource; again is done', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['delete']))
  const grafana = gw.emulator.state.resources.find((r) => r.fullDomain === 'grafana.acme.test')!

  const answer = await rest('DELETE', `/api/v1/http-services/${grafana.resourceId}`)
  t.equal(answer.status, 200, 'status', { body: answer.text })
  const body = schemas.decommissionResponse.parse(answer.body)
  t.match(body, { resourceId: grafana.resourceId, removedTargets: 2, alreadyGone: false, operation: { status: 'SUCCEEDED' } })
  t.notOk(gw.emulator.state.resources.some((r) => r.resourceId === grafana.resourceId))
  t.notOk(gw.emulator.state.targets.some((x) => x.resourceId === grafana.resourceId))

  const again = await rest('DELETE', `/api/v1/http-services/${grafana.resourceId}`)
  t.equal(again.status, 200)
  t.same(again.body, { resourceId: grafana.resourceId, removedTargets: 0, alreadyGone: true, operation: null })
})

t.test('DELETE /api/v1/private-resources/{id} and /api/v1/sites/{id} delete their objects', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['delete']))
  const postgres = gw.emulator.state.siteResources.find((r) => r.name === 'Postgres')!
  const local = gw.emulator.state.sites.find((s) => s.niceId === 'acme-local')!

  const privateResource = await rest('DELETE', `/api/v1/private-resources/${postgres.siteResourceId}`)
  t.equal(privateResource.status, 200, 'status', { body: privateResource.text })
  t.match(schemas.deleteResponse.parse(privateResource.body), { id: postgres.siteResourceId, alreadyGone: false })
  t.notOk(gw.emulator.state.siteResources.some((r) => r.siteResourceId === postgres.siteResourceId))

  const site = await rest('DELETE', `/api/v1/sites/${local.siteId}`)
  t.equal(site.status, 200, 'status', { body: site.text })
  t.match(schemas.deleteResponse.parse(site.body), { id: local.siteId, alreadyGone: false, operation: { kind: 'deleteSite' } })
  t.notOk(gw.emulator.state.sites.some((s) => s.siteId === local.siteId))
})

t.test('GET /api/v1/operations/{id} answers the journal entry; an unknown id is a 404 problem', async (t) => {
  const gw = await buildGateway(t)
  const rest = restClient(gw, await gw.token(['provision', 'read']))
  const created = await rest('POST', '/api/v1/orgs/acme/sites', { name: 'Lab' }, { 'idempotency-key': 'lab' })
  t.equal(created.status, 201, 'status', { body: created.text })

  const answer = await rest('GET', `/api/v1/operations/${created.body.operation.id}`)
  t.equal(answer.status, 200, 'status', { body: answer.text })
  t.same(schemas.operation.parse(answer.body), created.body.operation)
  t.notOk('input' in answer.body || 'result' in answer.body, 'the journal internals stay inside')

  const missing = await rest('GET', '/api/v1/operations/00000000-0000-0000-0000-000000000000')
  t.equal(missing.status, 404)
  t.match(missing.contentType, /^application\/problem\+json/)
  t.equal(missing.body.code, 'NOT_FOUND')
})
