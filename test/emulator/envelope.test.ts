import t from 'tap'
import { build, call, httpResource, SEED_KEYS } from './fixtures/emulator.js'

t.test('the health route answers without a key and outside the envelope', async (t) => {
  const emu = await build(t)
  for (const path of ['/', '']) {
    const res = await call(emu, 'GET', path, { key: null })
    t.equal(res.status, 200)
    t.same(res.json, { message: 'Healthy' })
  }
})

t.test('a create answers 201 with exactly the five envelope keys', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Docs', 'domain1', 'docs') })
  t.equal(res.status, 201)
  t.same(Object.keys(res.json).sort(), ['data', 'error', 'message', 'status', 'success'])
  t.match(res.json, { success: true, error: false, status: 201, message: 'Http resource created successfully' })
  t.equal(res.json.data.fullDomain, 'docs.acme.test')
})

t.test('an error carries stack null and the same status as the HTTP status', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/site/999')
  t.equal(res.status, 404)
  t.same(res.json, {
    data: null, success: false, error: true, message: 'Site with ID 999 not found', status: 404, stack: null
  })
  t.match(res.contentType, /^application\/json; charset=utf-8/)
})

t.test('an unknown path without a key is 401 because the key is checked before routing', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/no/such/route', { key: null })
  t.equal(res.status, 401)
  t.equal(res.json.message, 'API key required')
})

t.test('a lower-case bearer prefix counts as no key', async (t) => {
  const emu = await build(t)
  const res = await fetch(`${emu.url}/org/acme/sites`, { headers: { authorization: `bearer ${SEED_KEYS.acme}` } })
  t.equal(res.status, 401)
  const body = await res.json() as { message: string }
  t.equal(body.message, 'API key required')
})

t.test('a wrong secret is 401 Invalid API key', async (t) => {
  const emu = await build(t)
  const [id] = SEED_KEYS.acme.split('.')
  const res = await call(emu, 'GET', '/org/acme/sites', { key: `${id}.${'a'.repeat(40)}` })
  t.equal(res.status, 401)
  t.equal(res.json.message, 'Invalid API key')
})

t.test('an unknown route with a valid key answers the HTML 404 of Express', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/resource/nice-id')
  t.equal(res.status, 404)
  t.match(res.contentType, /^text\/html/)
  t.match(res.text, '<pre>Cannot GET /v1/org/acme/resource/nice-id</pre>')
})

t.test('paths match case-insensitively and with a trailing slash', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/ORG/acme/Sites/')
  t.equal(res.status, 200)
  t.equal(res.json.data.sites.length, 3)
})

t.test('a malformed JSON body is 400 with the JSON.parse message', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { rawBody: '{bad' })
  t.equal(res.status, 400)
  t.match(res.json.message, /JSON/)
  t.equal(res.json.stack, null)
})

t.test('a body without a content type is 500 An error occurred', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', {
    rawBody: JSON.stringify(httpResource('Docs', 'domain1', 'docs')), contentType: null
  })
  t.equal(res.status, 500)
  t.equal(res.json.message, 'An error occurred')
  t.equal(emu.state.resources.filter((r) => r.name === 'Docs').length, 0)
})

t.test('a delete answers data null', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'DELETE', '/resource/1')
  t.equal(res.status, 200)
  t.same(res.json.data, null)
  t.equal(res.json.message, 'Resource deleted successfully')
})

t.test('a site-resource delete answers data with a message', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'DELETE', '/private-resource/1')
  t.equal(res.status, 200)
  t.same(res.json.data, { message: 'Site resource deleted successfully' })
})
