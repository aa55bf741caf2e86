/** Section 12: private resources (site resources). */
import { isIPv4 } from 'node:net'
import { z } from 'zod'
import { assertFullDomainFree, validateAndConstructDomain } from '../domains.js'
import { answer, HttpError } from '../envelope.js'
import { generateNiceId } from '../ids.js'
import { cidrContains, nextFreeAddress, stripPrefix } from '../ip.js'
import type { Context, RouteDef } from '../route.js'
import { createSiteResourceBody, SITE_RESOURCE_MODES } from '../site-resource-rules.js'
import type { CreateSiteResourceBody } from '../site-resource-rules.js'
import { nextId, removeWhere } from '../state.js'
import type { EmulatorState, Org, SiteResourceRow } from '../state.js'
import {
  byName, lenientEnum, lenientInt, matches, orgParams, paginate, parse, parseBody, pathId
} from '../validation.js'
import { adminRole, niceIdTaken } from './common.js'

function checkOrgAndSites (ctx: Context, orgId: string, siteIds: number[]): Org {
  const { state } = ctx
  if (!siteIds.every((id) => state.sites.some((s) => s.siteId === id && s.orgId === orgId))) {
    throw new HttpError(404, 'Some site not found')
  }
  const org = state.orgs.find((o) => o.orgId === orgId)
  if (org === undefined) throw new HttpError(404, 'Organization not found')
  if (org.subnet === null || org.utilitySubnet === null) {
    throw new HttpError(400, `Organization with ID ${orgId} has no subnet or utilitySubnet defined defined`)
  }
  return org
}

function domainFields (ctx: Context, orgId: string, body: CreateSiteResourceBody) {
  if (body.domainId === undefined) return { domainId: null, subdomain: null, fullDomain: null }
  if (body.alias !== undefined) {
    throw new HttpError(400, 'Alias and domain cannot both be set. Please choose one or the other.')
  }
  const built = validateAndConstructDomain(ctx, body.domainId, orgId, body.subdomain)
  assertFullDomainFree(ctx, ctx.state.siteResources, built.fullDomain, body.mode)
  return { domainId: body.domainId, ...built }
}

/** Foreign keys on the grant tables: an unknown id fails the whole transaction. */
function checkForeignKeys (state: EmulatorState, body: CreateSiteResourceBody): void {
  const ok = body.roleIds.every((id) => state.roles.some((r) => r.roleId === id)) &&
    body.userIds.every((id) => state.users.some((u) => u.id === id)) &&
    body.clientIds.every((id) => state.clients.some((c) => c.clientId === id))
  if (!ok) throw new Error('insert or update violates foreign key constraint')
}

function portStrings (body: CreateSiteResourceBody) {
  const tcp = body.mode === 'http' || body.mode === 'inference'
    ? '443,80'
    : body.mode === 'ssh' ? String(body.destinationPort ?? 22) : body.tcpPortRangeString ?? '*'
  const forced = body.mode === 'http' || body.mode === 'ssh' || body.mode === 'inference'
  return {
    tcpPortRangeString: tcp,
    udpPortRangeString: forced ? '' : body.udpPortRangeString ?? '*',
    disableIcmp: forced ? true : body.disableIcmp ?? false
  }
}

function createSiteResource (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const body = parseBody(createSiteResourceBody, ctx.body)
  const { state } = ctx
  if (body.aiProviders !== undefined && body.mode !== 'inference') {
    throw new HttpError(400, 'AI providers can only be attached to inference-mode resources')
  }
  const siteIds = [...new Set([...(body.siteIds ?? []), ...(body.siteId === undefined ? [] : [body.siteId])])]
  const org = checkOrgAndSites(ctx, orgId, siteIds)
  ctx.rebuilds.check(orgId)
  const destination = body.destination ?? null
  if (destination !== null && isIPv4(destination) &&
    (cidrContains(org.subnet ?? '', destination) || cidrContains(org.utilitySubnet ?? '', destination))) {
    throw new HttpError(400, "IP can not be in the CIDR range of the organization's subnet or utility subnet")
  }
  const domain = domainFields(ctx, orgId, body)
  const alias = body.alias?.trim()
  if (alias !== undefined && state.siteResources.some((r) => r.orgId === orgId && r.alias === alias)) {
    throw new HttpError(409, 'Alias already in use by another site resource')
  }
  const withoutNewt = siteIds.find((id) => !state.newts.some((n) => n.siteId === id))
  if (withoutNewt !== undefined) throw new HttpError(404, `Newt not found for site ${withoutNewt}`)
  checkForeignKeys(state, body)
  const admin = adminRole(state, orgId)

  const usedAliases = new Set(state.siteResources.filter((r) => r.orgId === orgId && r.aliasAddress !== null)
    .map((r) => stripPrefix(r.aliasAddress ?? '')))
  const wantsAddress = body.mode === 'host' || body.mode === 'http' || body.mode === 'ssh'
  const aliasIp = wantsAddress ? nextFreeAddress(org.utilitySubnet ?? '', usedAliases, 8) : undefined
  const networkId = nextId(state, 'networks')
  const row: SiteResourceRow = {
    siteResourceId: nextId(state, 'siteResources'),
    orgId,
    networkId,
    defaultNetworkId: networkId,
    requiresExitNodeConnection: false,
    niceId: body.niceId ?? generateNiceId(ctx.random, niceIdTaken(state, orgId)),
    name: body.name,
    ssl: body.ssl ?? false,
    mode: body.mode,
    scheme: body.scheme ?? null,
    proxyPort: null,
    destinationPort: body.destinationPort ?? null,
    destination,
    enabled: true,
    alias: alias ?? null,
    aliasAddress: aliasIp === undefined ? null : `${aliasIp}/32`,
    ...portStrings(body),
    authDaemonPort: body.authDaemonPort ?? null,
    pamMode: body.pamMode ?? null,
    authDaemonMode: body.authDaemonMode ?? null,
    ...domain,
    status: 'approved'
  }
  const id = row.siteResourceId
  state.siteResources.push(row)
  for (const siteId of siteIds) state.siteNetworks.push({ networkId, siteId })
  // No unique constraint on the link tables: an admin id in roleIds gives a second admin row.
  for (const roleId of [admin.roleId, ...body.roleIds]) state.roleSiteResources.push({ roleId, siteResourceId: id })
  for (const userId of body.userIds) state.userSiteResources.push({ userId, siteResourceId: id })
  for (const clientId of body.clientIds) state.clientSiteResources.push({ clientId, siteResourceId: id })
  ctx.rebuilds.start(orgId)
  return answer(201, 'Site resource created successfully', row)
}

const siteResourceParams = z.strictObject({ siteResourceId: pathId })

function getSiteResource (ctx: Context) {
  const { siteResourceId } = parse(siteResourceParams, ctx.params)
  const row = ctx.state.siteResources.find((r) => r.siteResourceId === siteResourceId)
  if (row === undefined) throw new HttpError(404, 'Site resource not found')
  return answer(200, 'Site resource retrieved successfully', row)
}

function sitesOf (state: EmulatorState, row: SiteResourceRow) {
  const ids = state.siteNetworks.filter((n) => n.networkId === row.networkId).map((n) => n.siteId)
  return ids.flatMap((id) => state.sites.filter((s) => s.siteId === id))
}

const listQuery = z.strictObject({
  pageSize: lenientInt(20),
  page: lenientInt(1),
  query: z.string().optional(),
  mode: z.enum([...SITE_RESOURCE_MODES, 'gateway']).optional(),
  sort_by: lenientEnum(['name'] as const),
  order: lenientEnum(['asc', 'desc'] as const),
  siteId: z.coerce.number().int().positive().optional(),
  status: z.enum(['pending', 'approved']).optional(),
  labels: z.union([z.string(), z.array(z.string())]).optional()
})

function listSiteResources (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const q = parse(listQuery, ctx.query)
  const rows = ctx.state.siteResources.filter((r) => r.orgId === orgId).flatMap((row) => {
    const sites = sitesOf(ctx.state, row)
    const names = sites.map((s) => s.name)
    const hit = matches(q.query, row.name, row.niceId, row.destination, row.alias, row.aliasAddress, ...names)
    if (!hit || (q.mode !== undefined && row.mode !== q.mode)) return []
    if (q.siteId !== undefined && !sites.some((s) => s.siteId === q.siteId)) return []
    if (q.status !== undefined && row.status !== q.status) return []
    return [{
      ...row,
      siteIds: sites.map((s) => s.siteId),
      siteNames: sites.map((s) => s.name),
      siteNiceIds: sites.map((s) => s.niceId),
      siteAddresses: sites.map((s) => s.address),
      siteOnlines: sites.map((s) => s.online),
      labels: []
    }]
  }).sort(byName(q.order))
  return answer(200, 'Site resources retrieved successfully', {
    siteResources: paginate(rows, q.page, q.pageSize),
    pagination: { total: rows.length, pageSize: q.pageSize, page: q.page }
  })
}

/** The cited copy answers raw join rows and no pagination. */
function listSiteResourcesBySite (ctx: Context) {
  const { siteId } = parse(z.strictObject({ orgId: z.string(), siteId: pathId }), ctx.params)
  parse(z.strictObject({
    limit: z.string().optional(),
    offset: z.string().optional(),
    sort_by: z.string().optional(),
    order: z.string().optional(),
    status: z.string().optional()
  }), ctx.query)
  if (!ctx.state.sites.some((s) => s.siteId === siteId)) throw new HttpError(404, 'Site not found')
  const siteResources = ctx.state.siteNetworks.filter((n) => n.siteId === siteId).flatMap((link) =>
    ctx.state.siteResources.filter((r) => r.networkId === link.networkId).map((r) => ({
      siteNetworks: { ...link }, networks: { networkId: link.networkId, orgId: r.orgId }, siteResources: r
    })))
  return answer(200, 'Site resources retrieved successfully', { siteResources })
}

export function deleteSiteResourceCascade (state: EmulatorState, siteResourceId: number): void {
  const row = state.siteResources.find((r) => r.siteResourceId === siteResourceId)
  removeWhere(state.siteResources, (r) => r.siteResourceId === siteResourceId)
  if (row !== undefined) removeWhere(state.siteNetworks, (n) => n.networkId === row.networkId)
  removeWhere(state.roleSiteResources, (g) => g.siteResourceId === siteResourceId)
  removeWhere(state.userSiteResources, (g) => g.siteResourceId === siteResourceId)
  removeWhere(state.clientSiteResources, (g) => g.siteResourceId === siteResourceId)
}

function deleteSiteResource (ctx: Context) {
  const { siteResourceId } = parse(siteResourceParams, ctx.params)
  if (!ctx.state.siteResources.some((r) => r.siteResourceId === siteResourceId)) {
    throw new HttpError(404, 'Site resource not found')
  }
  deleteSiteResourceCascade(ctx.state, siteResourceId)
  return answer(200, 'Site resource deleted successfully', { message: 'Site resource deleted successfully' })
}

export const siteResourceRoutes: RouteDef[] = [
  {
    method: 'PUT',
    path: '/org/:orgId/site-resource',
    aliases: ['/org/:orgId/private-resource'],
    scope: 'org',
    action: 'createSiteResource',
    failMessage: 'Failed to create site resource',
    handler: createSiteResource
  },
  {
    method: 'GET',
    path: '/site-resource/:siteResourceId',
    aliases: ['/private-resource/:siteResourceId'],
    scope: 'siteResource',
    action: 'getSiteResource',
    failMessage: 'Failed to get site resource',
    handler: getSiteResource
  },
  {
    method: 'GET',
    path: '/org/:orgId/site-resources',
    aliases: ['/org/:orgId/private-resources'],
    scope: 'org',
    action: 'listSiteResources',
    failMessage: 'Failed to list site resources',
    handler: listSiteResources
  },
  {
    method: 'GET',
    path: '/org/:orgId/site/:siteId/resources',
    aliases: ['/org/:orgId/site/:siteId/private-resources'],
    scope: 'org+site',
    action: 'listSiteResources',
    failMessage: 'Failed to list site resources',
    handler: listSiteResourcesBySite
  },
  {
    method: 'DELETE',
    path: '/site-resource/:siteResourceId',
    aliases: ['/private-resource/:siteResourceId'],
    scope: 'siteResource',
    action: 'deleteSiteResource',
    failMessage: 'Failed to delete site resource',
    handler: deleteSiteResource
  }
]
