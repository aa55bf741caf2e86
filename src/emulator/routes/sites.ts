/** Section 8: sites. */
import { z } from 'zod'
import { answer, HttpError } from '../envelope.js'
import { generateNiceId, hashSecret, newtId, newtSecret } from '../ids.js'
import { cidrContains, isIpAddress, nextFreeAddress, parseCidr, stripPrefix } from '../ip.js'
import type { Context, RouteDef } from '../route.js'
import { nextId, removeWhere } from '../state.js'
import type { EmulatorState, SiteRow } from '../state.js'
import {
  byName, idParams, lenientEnum, lenientInt, matches, orgParams, paginate, parse, parseBody
} from '../validation.js'
import { adminRole, requireOrg } from './common.js'

const createSiteBody = z.strictObject({
  name: z.string().min(1).max(255),
  type: z.enum(['newt', 'wireguard', 'local']),
  niceId: z.string().min(1).max(255).optional(),
  exitNodeId: z.number().int().positive().optional(),
  pubKey: z.string().optional(),
  subnet: z.string().optional(),
  newtId: z.string().optional(),
  secret: z.string().optional(),
  address: z.string().optional()
})

const listSitesQuery = z.strictObject({
  pageSize: lenientInt(20),
  page: lenientInt(1),
  query: z.string().optional(),
  sort_by: lenientEnum(['name', 'megabytesIn', 'megabytesOut'] as const),
  order: lenientEnum(['asc', 'desc'] as const),
  online: lenientEnum(['true', 'false'] as const),
  status: z.enum(['pending', 'approved']).optional(),
  labels: z.union([z.string(), z.array(z.string())]).optional()
})

function takenAddresses (state: EmulatorState, orgId: string): Set<string> {
  return new Set(state.sites.filter((s) => s.orgId === orgId && s.address !== null)
    .map((s) => stripPrefix(s.address ?? '')))
}

function chooseAddress (ctx: Context, orgId: string, address: string | undefined): string | null {
  const org = requireOrg(ctx.state, orgId)
  if (address === undefined) {
    if (org.subnet === null) return null
    return nextFreeAddress(org.subnet, takenAddresses(ctx.state, orgId)) ?? null
  }
  if (org.subnet === null) throw new HttpError(400, `Organization with ID ${orgId} has no subnet defined`)
  const ip = stripPrefix(address)
  if (!isIpAddress(ip)) {
    throw new HttpError(400, 'Invalid address format. Please provide a valid IP notation.')
  }
  if (!cidrContains(org.subnet, ip)) throw new HttpError(400, 'IP is not in the CIDR range of the subnet.')
  const stored = `${ip}/${parseCidr(org.subnet)?.prefix ?? 32}`
  if (takenAddresses(ctx.state, orgId).has(ip)) {
    throw new HttpError(409, `Subnet ${stored} already exists in sites`)
  }
  return stored
}

function checkWireguard (ctx: Context, body: z.infer<typeof createSiteBody>): void {
  if (body.subnet === undefined) throw new HttpError(400, 'Subnet is required for tunneled sites')
  if (body.exitNodeId === undefined) throw new HttpError(400, 'Exit node ID is required for tunneled sites')
  if (body.pubKey === undefined) throw new HttpError(400, 'Public key is required for wireguard sites')
  const node = ctx.state.exitNodes.find((n) => n.exitNodeId === body.exitNodeId)
  if (node === undefined) throw new HttpError(404, 'Exit node not found')
  if (!cidrContains(node.address, stripPrefix(body.subnet))) {
    throw new HttpError(400, 'Subnet is not in the CIDR range of the exit node address.')
  }
}

function createSite (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const body = parseBody(createSiteBody, ctx.body)
  const { state } = ctx
  const address = chooseAddress(ctx, orgId, body.address)

  const taken = (niceId: string): boolean => state.sites.some((s) => s.orgId === orgId && s.niceId === niceId)
  if (body.niceId !== undefined && taken(body.niceId)) {
    throw new HttpError(409, `Nice ID ${body.niceId} already exists. Please choose a different one.`)
  }
  if (body.type === 'wireguard') checkWireguard(ctx, body)
  const admin = adminRole(state, orgId)
  const newt = body.type === 'newt'
    ? { newtId: body.newtId ?? newtId(ctx.random), secret: body.secret ?? newtSecret(ctx.random) }
    : undefined
  // newtId is the primary key of the newt table: a clash is a database error.
  if (newt !== undefined && state.newts.some((n) => n.newtId === newt.newtId)) {
    throw new Error('duplicate key value violates unique constraint "newt_pkey"')
  }

  const siteId = nextId(state, 'sites')
  const exitNodeSubnet = body.type === 'local' ? '0.0.0.0/32' : body.type === 'wireguard' ? body.subnet ?? null : null
  const row: SiteRow = {
    siteId,
    orgId,
    niceId: body.niceId ?? generateNiceId(ctx.random, taken),
    exitNodeId: body.type === 'newt' ? null : body.exitNodeId ?? null,
    name: body.name,
    pubKey: body.pubKey ?? null,
    ...(ctx.settings.generation === 'mode' ? { exitNodeSubnet } : { subnet: exitNodeSubnet }),
    megabytesIn: 0,
    megabytesOut: 0,
    lastBandwidthUpdate: null,
    type: body.type,
    online: body.type === 'local',
    lastPing: null,
    address,
    endpoint: null,
    publicKey: null,
    lastHolePunch: null,
    listenPort: null,
    dockerSocketEnabled: body.type === 'newt',
    status: 'approved'
  }
  state.sites.push(row)
  state.roleSites.push({ roleId: admin.roleId, siteId })
  if (newt !== undefined) {
    state.newts.push({
      newtId: newt.newtId,
      secretHash: hashSecret(newt.secret),
      siteId,
      dateCreated: new Date().toISOString(),
      version: null
    })
  }
  return answer(201, 'Site created successfully', { ...row, newtId: newt?.newtId, secret: newt?.secret })
}

function siteDetail (state: EmulatorState, site: SiteRow) {
  const newt = state.newts.find((n) => n.siteId === site.siteId)
  return {
    ...site,
    newtId: newt?.newtId ?? null,
    newtVersion: newt?.version ?? null,
    agent: null,
    agentVersion: null,
    countryCode: null
  }
}

function getSite (ctx: Context) {
  const { siteId } = parse(idParams('siteId'), ctx.params)
  const site = ctx.state.sites.find((s) => s.siteId === siteId)
  if (site === undefined) throw new HttpError(404, 'Site not found')
  return answer(200, 'Site retrieved successfully', siteDetail(ctx.state, site))
}

function getSiteByNiceId (ctx: Context) {
  const { orgId, niceId } = parse(z.strictObject({ orgId: z.string(), niceId: z.string() }), ctx.params)
  const site = ctx.state.sites.find((s) => s.orgId === orgId && s.niceId === niceId)
  if (site === undefined) throw new HttpError(404, 'Site not found')
  return answer(200, 'Site retrieved successfully', siteDetail(ctx.state, site))
}

function listItem (state: EmulatorState, site: SiteRow, orgName: string) {
  const node = state.exitNodes.find((n) => n.exitNodeId === site.exitNodeId)
  const newt = state.newts.find((n) => n.siteId === site.siteId)
  const resourceIds = new Set(state.targets.filter((t) => t.siteId === site.siteId).map((t) => t.resourceId))
  return {
    siteId: site.siteId,
    niceId: site.niceId,
    name: site.name,
    pubKey: site.pubKey,
    subnet: site.exitNodeSubnet ?? site.subnet ?? null,
    megabytesIn: site.megabytesIn,
    megabytesOut: site.megabytesOut,
    orgName,
    type: site.type,
    ...(site.type === 'local' ? {} : { online: site.online }),
    address: site.address,
    newtVersion: newt?.version ?? null,
    agent: null,
    agentVersion: null,
    exitNodeId: site.exitNodeId,
    exitNodeName: node?.name ?? null,
    exitNodeEndpoint: node?.endpoint ?? null,
    remoteExitNodeId: null,
    resourceCount: resourceIds.size,
    status: site.status,
    newtUpdateAvailable: false,
    labels: []
  }
}

function listSites (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const q = parse(listSitesQuery, ctx.query)
  const org = requireOrg(ctx.state, orgId)
  const sortBy = q.sort_by ?? 'name'
  const sign = q.order === 'desc' ? -1 : 1
  const rows = ctx.state.sites
    .filter((s) => s.orgId === orgId && matches(q.query, s.name, s.niceId))
    .filter((s) => q.online === undefined || String(s.online) === q.online)
    .filter((s) => q.status === undefined || s.status === q.status)
    .sort(sortBy === 'name' ? byName(q.order) : (a, b) => sign * (a[sortBy] - b[sortBy]))
  const sites = paginate(rows, q.page, q.pageSize).map((s) => listItem(ctx.state, s, org.name))
  return answer(200, 'Sites retrieved successfully', {
    sites, pagination: { total: rows.length, pageSize: q.pageSize, page: q.page }
  })
}

function deleteSite (ctx: Context) {
  const { siteId } = parse(idParams('siteId'), ctx.params)
  const { deleteResources } = parse(z.strictObject({ deleteResources: z.unknown().optional() }), ctx.query)
  const { state } = ctx
  if (!state.sites.some((s) => s.siteId === siteId)) throw new HttpError(404, `Site with ID ${siteId} not found`)
  if (deleteResources === 'true') throw new HttpError(401, 'User not authenticated')

  removeWhere(state.sites, (s) => s.siteId === siteId)
  removeWhere(state.newts, (n) => n.siteId === siteId)
  removeWhere(state.roleSites, (r) => r.siteId === siteId)
  removeWhere(state.siteNetworks, (n) => n.siteId === siteId)
  const targetIds = new Set(state.targets.filter((t) => t.siteId === siteId).map((t) => t.targetId))
  removeWhere(state.targets, (t) => targetIds.has(t.targetId))
  removeWhere(state.targetHealthCheck, (h) => targetIds.has(h.targetId))
  return answer(200, 'Site deleted successfully', null)
}

function pickSiteDefaults (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const org = requireOrg(ctx.state, orgId)
  const node = ctx.state.exitNodes[0]
  if (node === undefined) throw new HttpError(500, 'No available exit node')
  const used = new Set(ctx.state.sites.map((s) => stripPrefix(s.exitNodeSubnet ?? s.subnet ?? '')))
  const subnetIp = nextFreeAddress(node.address, used, 4)
  if (subnetIp === undefined) throw new HttpError(500, 'No available subnets')
  const clientAddress = org.subnet === null ? undefined : nextFreeAddress(org.subnet, takenAddresses(ctx.state, orgId))
  if (clientAddress === undefined) throw new HttpError(500, 'No available address')
  return answer(200, 'Site defaults chosen successfully', {
    exitNodeId: node.exitNodeId,
    address: node.address,
    publicKey: node.publicKey,
    name: node.name,
    listenPort: node.listenPort,
    endpoint: node.endpoint,
    subnet: `${subnetIp}/30`,
    clientAddress,
    newtId: newtId(ctx.random),
    newtSecret: newtSecret(ctx.random)
  })
}

export const siteRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/org/:orgId/pick-site-defaults',
    scope: 'org',
    action: 'createSite',
    handler: pickSiteDefaults
  },
  { method: 'PUT', path: '/org/:orgId/site', scope: 'org', action: 'createSite', handler: createSite },
  { method: 'GET', path: '/org/:orgId/sites', scope: 'org', action: 'listSites', handler: listSites },
  { method: 'GET', path: '/site/:siteId', scope: 'site', action: 'getSite', handler: getSite },
  { method: 'GET', path: '/org/:orgId/site/:niceId', scope: 'org', action: 'getSite', handler: getSiteByNiceId },
  { method: 'DELETE', path: '/site/:siteId', scope: 'site', action: 'deleteSite', handler: deleteSite }
]
