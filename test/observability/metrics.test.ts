import t from 'tap'
import { SEED_KEYS } from '../../src/emulator/index.js'
import { buildGateway, type TestGateway } from '../helpers/gateway.js'

const PROVISION = `mutation Provision($input: ProvisionHttpServiceInput!) {
  provisionHttpService(input: $input) { operation { id status } }
}`

const SERVICE = {
  orgId: 'acme',
  name: 'Metrics',
  domainId: 'domain1',
  subdomain: 'metrics-run',
  targets: [{ siteNiceId: 'acme-hq', ip: '10.0.0.10', port: 8080 }]
}

async function scrape (gw: TestGateway) {
  const response = await fetch(`${gw.gateway.url}/metrics`)
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
}

/** The value of one sample, by its exact name and label text; undefined when absent. */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

t.test('a scripted run shows its retry, its compensation and its requests in /metrics, and no secret', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['provision', 'read'])
  const before = await scrape(gw)
  t.equal(before.status, 200)
  t.match(before.type, /^text\/plain; version=0\.0\.4/)
  t.equal(sample(before.text, 'pgw_compensations_total'), 0)

  // One 503 on a read: the client retries and the query succeeds.
  gw.emulator.faults.add({ method: 'GET', route: '/org/:orgId/roles', kind: 'status', status: 503, times: 1 })
  const read = await gw.graphql(token, 'query Roles { org(orgId: "acme") { roles { name } } }')
  t.equal(read.status, 200)
  t.notOk(read.body.errors)

  // A 400 on the target: the operation compensates and ends ROLLED_BACK.
  gw.emulator.faults.add({ route: '/resource/:resourceId/target', kind: 'status', status: 400, message: 'Validation error: nope', times: 1 })
  const failed = await gw.graphql(token, PROVISION, { input: SERVICE })
  t.equal(failed.body.errors?.[0]?.extensions?.code, 'UPSTREAM_REJECTED')

  const { text } = await scrape(gw)
  t.equal(sample(text, 'pgw_upstream_retries_total{method="GET",route="/org/:orgId/roles"}'), 1)
  t.equal(sample(text, 'pgw_upstream_calls_total{method="GET",route="/org/:orgId/roles",status="503",attempt="1"}'), 1)
  t.equal(sample(text, 'pgw_upstream_calls_total{method="GET",route="/org/:orgId/roles",status="200",attempt="2"}'), 1)
  t.equal(sample(text, 'pgw_upstream_calls_total{method="PUT",route="/resource/:resourceId/target",status="400",attempt="1"}'), 1)
  t.equal(sample(text, 'pgw_compensations_total'), 1)
  t.equal(sample(text, 'pgw_reconciliations_total'), 0)
  t.equal(sample(text, 'pgw_operations{status="ROLLED_BACK"}'), 1)
  t.equal(sample(text, 'pgw_operations{status="RUNNING"}'), 0)
  t.equal(sample(text, 'pgw_upstream_circuit_state{state="closed"}'), 1)
  t.equal(sample(text, 'pgw_upstream_circuit_state{state="open"}'), 0)
  t.equal(sample(text, 'pgw_upstream_in_flight'), 0)
  t.equal(sample(text, 'pgw_http_requests_total{method="POST",route="/graphql",status="200",operation="Roles"}'), 1)
  t.equal(sample(text, 'pgw_http_request_duration_seconds_count{method="POST",route="/graphql",operation="Provision"}'), 1)
  t.match(text, /^pgw_process_cpu_seconds_total /m, 'process metrics too')

  t.notOk(text.includes(token), 'no gateway token')
  t.notOk(text.includes(SEED_KEYS.root), 'no Pangolin key')
  t.notOk(text.includes(SEED_KEYS.root.split('.')[1]!), 'no part of the Pangolin key')
  t.notMatch(text, /Bearer|authorization/i)
})

t.test('operation names that are not names, or too many of them, are folded into one label', async (t) => {
  const gw = await buildGateway(t)
  const token = await gw.token(['read'])
  await gw.graphql(token, 'query { __typename }')
  await gw.graphql(token, 'query __x { __typename }')
  for (let i = 0; i < 3; i++) await gw.graphql(token, `query Q${i} { __typename }`)
  const { text } = await scrape(gw)
  t.equal(sample(text, 'pgw_http_requests_total{method="POST",route="/graphql",status="200",operation="(anonymous)"}'), 1)
  t.equal(sample(text, 'pgw_http_requests_total{method="POST",route="/graphql",status="200",operation="__x"}'), 1)
  t.equal(gw.gateway.metrics.operationLabel('a-b'), '(invalid)')
  t.equal(sample(text, 'pgw_http_requests_total{method="POST",route="/graphql",status="200",operation="Q2"}'), 1)

  for (let i = 0; i < 210; i++) gw.gateway.metrics.operationLabel(`Op${i}`)
  t.equal(gw.gateway.metrics.operationLabel('OneMore'), '(other)')
  t.equal(gw.gateway.metrics.operationLabel('Q1'), 'Q1', 'names already seen keep their label')
})

t.test('/metrics is not rate limited and needs no token', async (t) => {
  const gw = await buildGateway(t, { env: { RATE_LIMIT_MAX: '2' } })
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await scrape(gw)).status)
  t.same(statuses, [200, 200, 200, 200])
})
