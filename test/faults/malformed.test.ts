import t from 'tap'
import { buildGateway } from '../helpers/gateway.js'

/** A small seeded PRNG, so a failure names an input that can be produced again. */
function prng (seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

/** For each field, values that break a rule the gateway can judge without asking Pangolin. */
const BAD: Record<string, unknown[]> = {
  orgId: ['', 'bad org', 'x'.repeat(100), null],
  name: ['', '   ', 'x'.repeat(300), 5, null],
  niceId: ['', 'Not Nice', '-x-', 'a_b', 7],
  domainId: [''],
  subdomain: ['*.wild', '-bad-', 'a..b', 'under_score', 'x'.repeat(300)],
  targets: [[], Array.from({ length: 51 }, (_, i) => ({ siteId: 1, ip: '10.0.0.1', port: 1000 + i })), null],
  siteId: [0, -1, 1.5, 'one'],
  siteNiceId: [''],
  ip: ['', 'not an ip!', '10.0.0.1/24', 'a..b', 5],
  port: [0, -1, 70000, 1.5, '80', null],
  method: ['gopher', '', 5],
  enabled: ['yes', 1],
  roleIds: [[0], [-3], ['x']],
  roleNames: [[''], ['   ']],
  userIds: [['']],
  userEmails: [['notanemail'], ['a@']],
  mode: ['X', 'host ', 'HTTP', null],
  destination: ['', 'not a host!', 'x'.repeat(300), null],
  alias: ['db', '-x.internal', 'a..b', 'x'.repeat(300)],
  tcpPortRangeString: ['80,,443', '70000', '1-2-3', '80abc', '443-80', null],
  udpPortRangeString: ['80,,443', '0', '5-', ',', null],
  resourceId: [0, -1, 'one', null],
  disableIcmp: ['no']
}

const REQUIRED: Record<string, string[]> = {
  createSite: ['orgId', 'name'],
  provisionHttpService: ['orgId', 'name', 'domainId', 'targets', 'ip', 'port', 'siteId'],
  provisionPrivateResource: ['orgId', 'name', 'siteId', 'mode', 'destination', 'tcpPortRangeString', 'udpPortRangeString'],
  addTargets: ['resourceId', 'targets', 'ip', 'port', 'siteId'],
  grantAccess: ['resourceId', 'roleIds'],
  revokeAccess: ['resourceId', 'roleIds'],
  decommissionHttpService: ['resourceId']
}

const VALID: Record<string, { field: string, type: string, input: Record<string, unknown> }> = {
  createSite: { field: 'createSite', type: 'CreateSiteInput', input: { orgId: 'acme', name: 'Site', niceId: 'ok-site' } },
  provisionHttpService: {
    field: 'provisionHttpService',
    type: 'ProvisionHttpServiceInput',
    input: { orgId: 'acme', name: 'Svc', domainId: 'domain1', subdomain: 'svc', targets: [{ siteId: 1, ip: '10.0.0.1', port: 80 }], access: { roleIds: [2], userEmails: ['alice@acme.test'] } }
  },
  provisionPrivateResource: {
    field: 'provisionPrivateResource',
    type: 'ProvisionPrivateResourceInput',
    input: { orgId: 'acme', name: 'db', siteId: 1, mode: 'HOST', destination: '10.1.1.1', alias: 'db.internal', tcpPortRangeString: '5432', udpPortRangeString: '' }
  },
  addTargets: { field: 'addTargets', type: 'AddTargetsInput', input: { resourceId: 1, targets: [{ siteId: 1, ip: '10.0.0.1', port: 80 }] } },
  grantAccess: { field: 'grantAccess', type: 'AccessInput', input: { resourceId: 1, roleIds: [2] } },
  revokeAccess: { field: 'revokeAccess', type: 'AccessInput', input: { resourceId: 1, roleIds: [2] } },
  decommissionHttpService: { field: 'decommissionHttpService', type: 'DecommissionHttpServiceInput', input: { resourceId: 1 } }
}

/** Paths into an input that end at a named field, nested ones included. */
function paths (value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => paths(v, [...prefix, i]))
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])])
  }
  return []
}

function setPath (target: any, path: Array<string | number>, value: unknown) {
  let node = target
  for (const key of path.slice(0, -1)) node = node[key]
  const last = path.at(-1)!
  if (value === undefined) delete node[last]
  else node[last] = value
}

/** One or two rule-breaking edits: a bad value for a field, or a required field dropped. */
function mutate (random: () => number, kind: string, base: Record<string, unknown>): Record<string, unknown> {
  const input = structuredClone(base)
  const edits = 1 + Math.floor(random() * 2)
  for (let e = 0; e < edits; e++) {
    const all = paths(input).filter((p) => BAD[String(p.at(-1))] !== undefined)
    if (all.length === 0) break
    const path = all[Math.floor(random() * all.length)]!
    const field = String(path.at(-1))
    if (random() < 0.2 && REQUIRED[kind]!.includes(field)) setPath(input, path, undefined)
    else {
      const bad = BAD[field]!
      setPath(input, path, bad[Math.floor(random() * bad.length)])
    }
  }
  return input
}

const SURE_BAD: Array<[string, Record<string, unknown>]> = [
  ['provisionHttpService', { subdomain: '*.wild' }],
  ['provisionHttpService', { baseDomain: 'acme.test' }],
  ['provisionHttpService', { domainId: null }],
  ['provisionHttpService', { targets: [] }],
  ['provisionHttpService', { targets: [{ siteId: 1, siteNiceId: 'acme-hq', ip: '10.0.0.1', port: 80 }] }],
  ['provisionHttpService', { targets: [{ siteId: 1, ip: '10.0.0.1', port: 80 }, { siteId: 1, ip: '10.0.0.1', port: 80 }] }],
  ['provisionHttpService', { targets: [{ siteId: 1, ip: '10.0.0.1', port: 0 }] }],
  ['provisionHttpService', { targets: [{ siteId: 1, ip: 'bad host!', port: 80 }] }],
  ['provisionHttpService', { targets: [{ siteId: 1, ip: '10.0.0.1', port: 80, method: 'gopher' }] }],
  ['provisionPrivateResource', { tcpPortRangeString: '80,,443' }],
  ['provisionPrivateResource', { udpPortRangeString: '1-2-3' }],
  ['provisionPrivateResource', { alias: 'db' }],
  ['provisionPrivateResource', { destination: 'db.host', alias: null }],
  ['provisionPrivateResource', { mode: 'CIDR', destination: '10.0.0.1' }],
  ['provisionPrivateResource', { destination: '2001:db8::1' }],
  ['grantAccess', { siteResourceId: 3 }],
  ['grantAccess', { roleIds: [] }],
  ['createSite', { niceId: 'Not Nice' }],
  ['createSite', { orgId: 'bad org' }]
]

t.test('2,000 malformed inputs across the mutations: no 5xx, no upstream call', async (t) => {
  const gw = await buildGateway(t, { env: { LOG_LEVEL: 'warn', RATE_LIMIT_MAX: '100000' } })
  const token = await gw.token(['provision', 'grant', 'delete', 'read'])
  const random = prng(20261203)
  const kinds = Object.keys(VALID)
  const cases: Array<{ kind: string, input: Record<string, unknown> }> = []
  for (const [kind, patch] of SURE_BAD) {
    cases.push({ kind, input: { ...VALID[kind]!.input, ...patch } })
  }
  while (cases.length < 2000) {
    const kind = kinds[Math.floor(random() * kinds.length)]!
    cases.push({ kind, input: mutate(random, kind, VALID[kind]!.input) })
  }
  for (const id of [0, -5]) {
    cases.push({ kind: 'removeTarget', input: { targetId: id } })
    cases.push({ kind: 'deleteSite', input: { siteId: id } })
    cases.push({ kind: 'deletePrivateResource', input: { siteResourceId: id } })
  }
  cases.push({ kind: 'createSite', input: { ...VALID.createSite!.input, idempotencyKey: 'has space' } })
  cases.push({ kind: 'createSite', input: { ...VALID.createSite!.input, idempotencyKey: 'k'.repeat(300) } })

  gw.emulator.stats.reset()
  let fiveHundreds = 0
  let refused = 0
  let accepted = 0
  const codes: Record<string, number> = {}
  for (let i = 0; i < cases.length; i += 25) {
    await Promise.all(cases.slice(i, i + 25).map(async ({ kind, input }) => {
      const byId = ['removeTarget', 'deleteSite', 'deletePrivateResource'].includes(kind)
      const query = byId
        ? `mutation ($id: Int!, $key: String) { ${kind}(${Object.keys(input)[0]}: $id, idempotencyKey: $key) { operation { id } } }`
        : `mutation ($input: ${VALID[kind]!.type}!) { ${kind}(input: $input) { operation { id } } }`
      const variables = byId ? { id: Object.values(input)[0] } : { input }
      const before = gw.emulator.stats.total
      const answer = await gw.graphql(token, query, variables)
      const code = answer.body.errors?.[0]?.extensions?.code ?? 'none'
      codes[code] = (codes[code] ?? 0) + 1
      if (answer.status >= 500) fiveHundreds++
      if (answer.body.errors !== undefined) refused++
      else accepted++
      if (answer.body.errors === undefined) t.fail(`accepted ${kind} ${JSON.stringify(input)}; upstream calls ${gw.emulator.stats.total - before}`)
    }))
  }
  t.ok(cases.length >= 2000)
  t.equal(fiveHundreds, 0, 'no 5xx')
  t.equal(accepted, 0, 'every malformed input refused')
  t.equal(gw.emulator.stats.total, 0, 'no upstream call')
  t.comment(`malformed inputs: ${cases.length} sent, ${refused} refused, 5xx ${fiveHundreds}, upstream calls ${gw.emulator.stats.total}, codes ${JSON.stringify(codes)}`)
})
