import { Validator } from '@seriousme/openapi-schema-validator'
import t from 'tap'
import { OPERATION_ROUTES } from '../../../src/transports/rest/routes.js'
import { buildGateway } from '../../helpers/gateway.js'
import { restClient } from '../../helpers/rest.js'

t.test('/api/openapi.json is a valid OpenAPI 3.1 document', async (t) => {
  const gw = await buildGateway(t)
  const answer = await restClient(gw)('GET', '/api/openapi.json')
  t.equal(answer.status, 200)
  t.match(answer.contentType, /^application\/json/)

  const validator = new Validator()
  const result = await validator.validate(answer.body)
  t.same(result.errors, undefined, JSON.stringify(result.errors))
  t.equal(result.valid, true)
  t.equal(validator.version, '3.1')
})

t.test('the document names every route, its body, its answers and the Idempotency-Key header', async (t) => {
  const gw = await buildGateway(t)
  const { body: doc } = await restClient(gw)('GET', '/api/openapi.json')
  t.same(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'pgw_…', description: 'A gateway client token.' })

  for (const route of OPERATION_ROUTES) {
    const path = `/api${route.url.replace(/:(\w+)/g, '{$1}')}`
    const op = doc.paths[path]?.[route.method.toLowerCase()]
    t.ok(op, `${route.method} ${path}`)
    t.same(op.security, [{ bearer: [] }])
    t.ok(op.parameters.some((p: { $ref?: string }) => p.$ref === '#/components/parameters/IdempotencyKey'))
    t.ok(op.responses[String(route.status)].content['application/json'].schema.$ref)
    t.equal(op.responses['403'].$ref, '#/components/responses/Problem403')
    t.equal(route.body === undefined, op.requestBody === undefined, `${route.kind} body`)
  }
  t.ok(doc.paths['/api/v1/operations/{id}'].get)
  t.equal(doc.components.parameters.IdempotencyKey.name, 'Idempotency-Key')
  t.equal(doc.components.parameters.IdempotencyKey.in, 'header')
  t.ok(doc.components.responses.Problem422.content['application/problem+json'])

  const createSite = doc.components.schemas.CreateSiteRequest
  t.same(Object.keys(createSite.properties).sort(), ['name', 'niceId'], 'path fields and the key are not in the body')
  t.same(createSite.required, ['name'])
  t.ok(doc.components.schemas.ProvisionHttpServiceRequest.properties.targets.items.properties.port)
  t.ok(doc.components.schemas.CreateSiteResponse.properties.newtCredentials)
})

t.test('/api/docs is a self-contained HTML page that links to the document', async (t) => {
  const gw = await buildGateway(t)
  const answer = await restClient(gw)('GET', '/api/docs')
  t.equal(answer.status, 200)
  t.match(answer.contentType, /^text\/html/)
  t.match(answer.text, 'href="/api/openapi.json"')
  t.match(answer.text, '/api/v1/orgs/{orgId}/http-services')
  t.match(answer.text, 'id="IDEMPOTENCY_KEY_REUSED"', 'problem types resolve to an anchor')
  t.notMatch(answer.text, /<script/)
})
