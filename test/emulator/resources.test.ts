import t from 'tap'
import { build, call, httpResource, SEED_KEYS } from './fixtures/emulator.js'

t.test('a duplicate fullDomain in the same org is 409', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Again', 'domain1', 'grafana') })
  t.equal(res.status, 409)
  t.equal(res.json.message, 'Resource with that domain already exists')
})

t.test('a duplicate fullDomain in another org is 409 too', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/globex/resource', {
    key: SEED_KEYS.globex, body: httpResource('Clash', 'domain1', 'GRAFANA')
  })
  t.equal(res.status, 409)
  t.equal(emu.state.resources.filter((r) => r.fullDomain === 'grafana.acme.test').length, 1)
})

t.test('the inverted check of 6ad09ade lets two http resources share a domain', async (t) => {
  const emu = await build(t, { fullDomainCheck: 'inverted' })
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Again', 'domain1', 'grafana') })
  t.equal(res.status, 201)
  t.equal(emu.state.resources.filter((r) => r.fullDomain === 'grafana.acme.test').length, 2)
})

t.test('a cname domain silently drops the subdomain', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', {
    body: httpResource('App', 'acmecnamedom001', 'ignored')
  })
  t.equal(res.status, 201)
  t.equal(res.json.data.fullDomain, 'app.acme-cname.test')
  t.equal(res.json.data.subdomain, null)
})

t.test('fullDomain is lower-cased while the subdomain keeps its case', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Api', 'acmensdomain001', 'API') })
  t.equal(res.json.data.fullDomain, 'api.acme.example')
  t.equal(res.json.data.subdomain, 'API')
})

t.test('an invalid subdomain is 400 Invalid subdomain', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Bad', 'domain1', 'bad_name') })
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Validation error: Invalid subdomain')
})

t.test('a wildcard subdomain is refused by the licence check', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Star', 'domain1', '*.apps') })
  t.equal(res.status, 403)
  t.match(res.json.message, /^Wildcard subdomains are not supported on your current plan/)
})

t.test('an empty subdomain on a wildcard domain is refused', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Empty', 'domain1', '') })
  t.equal(res.json.message,
    'Validation error: Invalid subdomain format; Subdomain must be at least 1 character long')
})

t.test('domain problems are 400 with the upstream messages', async (t) => {
  const emu = await build(t)
  const cases: Array<[string, string]> = [
    ['nosuchdomain', 'Domain with ID nosuchdomain not found'],
    ['globexnsdomain1', 'Organization does not have access to domain with ID globexnsdomain1'],
    ['acmeunverified1', 'Domain with ID acmeunverified1 is not verified']
  ]
  for (const [domainId, message] of cases) {
    const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('D', domainId, 'd') })
    t.equal(res.status, 400)
    t.equal(res.json.message, message)
  }
})

t.test('the mode generation stores mode and no http or protocol', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Docs', 'domain1', 'docs') })
  t.equal(res.json.data.mode, 'http')
  t.notOk('http' in res.json.data)
  t.notOk('protocol' in res.json.data)
})

t.test('the legacy generation rejects mode as an unrecognized key', async (t) => {
  const emu = await build(t, { generation: 'legacy' })
  const res = await call(emu, 'PUT', '/org/acme/resource', {
    body: { ...httpResource('Docs', 'domain1', 'docs'), mode: 'http' }
  })
  t.equal(res.status, 400)
  t.equal(res.json.message, 'Validation error: Unrecognized key: "mode"')
})

t.test('the legacy generation stores http, protocol and headers', async (t) => {
  const emu = await build(t, { generation: 'legacy' })
  const res = await call(emu, 'PUT', '/org/acme/resource', { body: httpResource('Docs', 'domain1', 'docs') })
  t.equal(res.status, 201)
  t.match(res.json.data, { http: true, protocol: 'tcp', headers: null, sso: true })
  t.notOk('mode' in res.json.data)
})

t.test('http true with udp is refused in the mode generation', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'PUT', '/org/acme/resource', {
    body: { ...httpResource('U', 'domain1', 'u'), protocol: 'udp' }
  })
  t.equal(res.json.message, 'Invalid deprecated http/protocol combination')
})

t.test('a raw resource takes the same proxy port twice', async (t) => {
  const emu = await build(t)
  for (let i = 0; i < 2; i++) {
    const res = await call(emu, 'PUT', '/org/acme/resource', {
      body: { name: 'Raw', http: false, protocol: 'tcp', proxyPort: 5432 }
    })
    t.equal(res.status, 201)
    t.equal(res.json.message, 'Non-http resource created successfully')
  }
})

t.test('the resources list finds a resource by its domain and carries targets and sites', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'GET', '/org/acme/resources?query=grafana.acme.test')
  t.equal(res.json.data.resources.length, 1)
  const [resource] = res.json.data.resources
  t.equal(resource.targets.length, 2)
  t.match(resource.sites, [{ siteNiceId: 'acme-hq', online: true }])
})

t.test('the resources list filters by site', async (t) => {
  const emu = await build(t)
  const edge = emu.state.sites.find((s) => s.niceId === 'acme-edge')
  const res = await call(emu, 'GET', `/org/acme/public-resources?siteId=${edge?.siteId}`)
  t.same(res.json.data.resources.map((r: { name: string }) => r.name), ['Wiki'])
})

t.test('an update with no field is 400', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/resource/1', { body: {} })
  t.equal(res.json.message, 'Validation error: At least one field must be provided for update')
})

t.test('an update renames a resource', async (t) => {
  const emu = await build(t)
  const res = await call(emu, 'POST', '/public-resource/1', { body: { name: 'Grafana 2' } })
  t.equal(res.status, 200)
  t.equal(res.json.message, 'HTTP resource updated successfully')
  t.equal(emu.state.resources[0]?.name, 'Grafana 2')
})
