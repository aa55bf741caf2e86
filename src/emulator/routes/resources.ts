/** Section 10: public resources other than create (get, list, update, delete, broken aliases). */
import { z } from 'zod'
import {
  assertFullDomainFree, subdomainRefine, validateAndConstructDomain, WILDCARD_LICENCE_MESSAGE
} from '../domains.js'
import { answer, HttpError } from '../envelope.js'
import type { Context, RouteDef } from '../route.js'
import { removeWhere } from '../state.js'
import type { EmulatorState, ResourceRow } from '../state.js'
import {
  byName, lenientEnum, lenientInt, matches, orgParams, paginate, parse, parseBody, pathId
} from '../validation.js'
import { requireOrg } from './common.js'
import { createResource } from './resource-create.js'

export function resourceProtocol (row: ResourceRow): string {
  return row.mode ?? (row.http === true ? 'http' : row.protocol ?? 'tcp')
}

function parseHeaders (value: string | null | undefined): unknown {
  return value === null || value === undefined ? value : JSON.parse(value)
}

/** The get/update view: header columns parsed from their JSON strings. */
export function resourceView (row: ResourceRow): Record<string, unknown> {
  if (row.mode === undefined) return { ...row, headers: parseHeaders(row.headers) }
  return {
    ...row,
    requestHeaders: parseHeaders(row.requestHeaders),
    responseHeaders: parseHeaders(row.responseHeaders)
  }
}

function requireResource (state: EmulatorState, resourceId: number, message = 'Resource not found'): ResourceRow {
  const row = state.resources.find((r) => r.resourceId === resourceId)
  if (row === undefined) throw new HttpError(404, message)
  return row
}

const resourceParams = z.strictObject({ resourceId: pathId })

function getResource (ctx: Context) {
  const { resourceId } = parse(resourceParams, ctx.params)
  return answer(200, 'Resource retrieved successfully', resourceView(requireResource(ctx.state, resourceId)))
}

const listResourcesQuery = z.strictObject({
  pageSize: lenientInt(20),
  page: lenientInt(1, 0),
  query: z.string().optional(),
  sort_by: lenientEnum(['name'] as const),
  order: lenientEnum(['asc', 'desc'] as const),
  enabled: z.enum(['true', 'false']).optional(),
  authState: z.enum(['protected', 'not_protected', 'none']).optional(),
  healthStatus: z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']).optional(),
  protocol: z.enum(['http', 'https', 'tcp', 'udp', 'ssh', 'rdp', 'vnc', 'inference']).optional(),
  siteId: z.coerce.number().int().positive().optional(),
  status: z.enum(['pending', 'approved']).optional(),
  labels: z.union([z.string(), z.array(z.string())]).optional()
})

function protocolMatches (row: ResourceRow, wanted: string | undefined): boolean {
  if (wanted === undefined) return true
  const protocol = resourceProtocol(row)
  if (wanted === 'http' || wanted === 'https') return protocol === 'http' && row.ssl === (wanted === 'https')
  return protocol === wanted
}

function listItem (state: EmulatorState, row: ResourceRow) {
  const targets = state.targets.filter((t) => t.resourceId === row.resourceId).map((t) => {
    const site = state.sites.find((s) => s.siteId === t.siteId)
    const hc = state.targetHealthCheck.find((h) => h.targetId === t.targetId)
    return {
      targetId: t.targetId,
      resourceId: t.resourceId,
      siteId: t.siteId,
      ip: t.ip,
      port: t.port,
      enabled: t.enabled,
      healthStatus: hc?.hcHealth ?? null,
      hcEnabled: hc?.hcEnabled ?? false,
      siteName: site?.name ?? null,
      siteNiceId: site?.niceId ?? null,
      siteOnline: site?.online ?? null,
      siteType: site?.type ?? null
    }
  })
  const sites = [...new Set(targets.map((t) => t.siteId))].flatMap((siteId) => {
    const site = state.sites.find((s) => s.siteId === siteId)
    if (site === undefined) return []
    const online = site.type === 'local' ? {} : { online: site.online }
    return [{ siteId, siteName: site.name, siteNiceId: site.niceId, ...online }]
  })
  const protocolFields = row.mode !== undefined ? { mode: row.mode } : { http: row.http, protocol: row.protocol }
  return {
    resourceId: row.resourceId,
    niceId: row.niceId,
    name: row.name,
    ssl: row.ssl,
    fullDomain: row.fullDomain,
    passwordId: null,
    sso: row.sso,
    pincodeId: null,
    whitelist: row.emailWhitelistEnabled,
    proxyPort: row.proxyPort,
    wildcard: row.wildcard,
    ...protocolFields,
    enabled: row.enabled,
    domainId: row.domainId,
    headerAuthId: null,
    health: row.health,
    labels: [],
    targets,
    sites
  }
}

function listResources (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const q = parse(listResourcesQuery, ctx.query)
  requireOrg(ctx.state, orgId)
  const onSite = q.siteId === undefined
    ? undefined
    : new Set(ctx.state.targets.filter((t) => t.siteId === q.siteId).map((t) => t.resourceId))
  const rows = ctx.state.resources
    .filter((r) => r.orgId === orgId && matches(q.query, r.name, r.niceId, r.fullDomain))
    .filter((r) => onSite === undefined || onSite.has(r.resourceId))
    .filter((r) => q.enabled === undefined || String(r.enabled) === q.enabled)
    .filter((r) => q.status === undefined || r.status === q.status)
    .filter((r) => q.authState === undefined || (q.authState === 'protected') === r.sso)
    .filter((r) => protocolMatches(r, q.protocol))
    .sort(byName(q.order))
  const page = Math.max(q.page, 1)
  return answer(200, 'Resources retrieved successfully', {
    resources: paginate(rows, page, q.pageSize).map((r) => listItem(ctx.state, r)),
    pagination: { total: rows.length, pageSize: q.pageSize, page: q.page }
  })
}

const header = z.strictObject({ name: z.string(), value: z.string() })
const AT_LEAST_ONE = { message: 'At least one field must be provided for update' }
const notEmpty = (body: object): boolean => Object.keys(body).length > 0

const httpUpdateFields = {
  name: z.string().min(1).max(255).optional(),
  niceId: z.string().min(1).max(255)
    .regex(/^[a-zA-Z0-9-]+$/, 'niceId can only contain letters, numbers, and dashes').optional(),
  subdomain: z.string().nullable().optional(),
  ssl: z.boolean().optional(),
  sso: z.boolean().optional(),
  blockAccess: z.boolean().optional(),
  emailWhitelistEnabled: z.boolean().optional(),
  applyRules: z.boolean().optional(),
  enabled: z.boolean().optional(),
  stickySession: z.boolean().optional(),
  domainId: z.string().optional(),
  tlsServerName: z.string().nullable().optional(),
  setHostHeader: z.string().nullable().optional(),
  skipToIdpId: z.number().int().positive().nullable().optional(),
  headers: z.array(header).nullable().optional(),
  postAuthPath: z.string().nullable().optional()
}
const modeHttpUpdate = z.strictObject({
  ...httpUpdateFields,
  requestHeaders: z.array(header).nullable().optional(),
  responseHeaders: z.array(header).nullable().optional(),
  maintenanceModeEnabled: z.boolean().optional(),
  pamMode: z.enum(['passthrough', 'push']).optional(),
  authDaemonMode: z.enum(['site', 'remote', 'native']).optional(),
  authDaemonPort: z.number().int().min(1).max(65535).nullable().optional(),
  resourcePolicyId: z.number().nullable().optional()
}).refine(subdomainRefine, { message: 'Invalid subdomain' }).refine(notEmpty, AT_LEAST_ONE)
const legacyHttpUpdate = z.strictObject(httpUpdateFields)
  .refine(subdomainRefine, { message: 'Invalid subdomain' }).refine(notEmpty, AT_LEAST_ONE)
const rawUpdate = z.strictObject({
  name: z.string().min(1).max(255).optional(),
  niceId: z.string().min(1).max(255).optional(),
  proxyPort: z.number().int().min(1).max(65535).optional(),
  stickySession: z.boolean().optional(),
  enabled: z.boolean().optional(),
  proxyProtocol: z.boolean().optional(),
  proxyProtocolVersion: z.number().int().min(1).optional()
}).refine(notEmpty, AT_LEAST_ONE)

function updateResource (ctx: Context) {
  const { resourceId } = parse(resourceParams, ctx.params)
  const row = requireResource(ctx.state, resourceId, `Resource with ID ${resourceId} not found`)
  const isHttp = row.mode !== undefined ? ['http', 'ssh', 'rdp', 'vnc'].includes(row.mode) : row.http === true
  const schema = !isHttp ? rawUpdate : row.mode !== undefined ? modeHttpUpdate : legacyHttpUpdate
  const body = parseBody(schema, ctx.body) as Record<string, unknown>
  const { niceId, domainId, headers, requestHeaders, responseHeaders, ...rest } = body
  const clash = (r: ResourceRow): boolean => r.orgId === row.orgId && r.niceId === niceId && r !== row
  if (typeof niceId === 'string' && ctx.state.resources.some(clash)) {
    throw new HttpError(409, `A resource with niceId "${niceId}" already exists`)
  }
  if (rest.resourcePolicyId !== undefined && rest.resourcePolicyId !== null) {
    throw new HttpError(403,
      'Resource policies are not supported on your current plan. Please upgrade to access this feature.')
  }
  delete rest.maintenanceModeEnabled
  if (typeof domainId === 'string') {
    const subdomain = (rest.subdomain ?? row.subdomain) as string | null
    if (subdomain?.includes('*') === true) throw new HttpError(403, WILDCARD_LICENCE_MESSAGE)
    const built = validateAndConstructDomain(ctx, domainId, row.orgId, subdomain)
    assertFullDomainFree(ctx, ctx.state.resources.filter((r) => r !== row), built.fullDomain, resourceProtocol(row))
    Object.assign(row, built, { domainId })
  }
  if (typeof niceId === 'string') row.niceId = niceId
  const headerJson = (value: unknown): string | null => value === null ? null : JSON.stringify(value)
  const request = requestHeaders ?? headers
  if (request !== undefined && row.mode !== undefined) row.requestHeaders = headerJson(request)
  if (request !== undefined && row.mode === undefined) row.headers = headerJson(request)
  if (responseHeaders !== undefined) row.responseHeaders = headerJson(responseHeaders)
  Object.assign(row, rest)
  const message = isHttp ? 'HTTP resource updated successfully' : 'Non-http Resource updated successfully'
  return answer(200, message, resourceView(row))
}

export function deleteResourceCascade (state: EmulatorState, resourceId: number): void {
  const targetIds = new Set(state.targets.filter((t) => t.resourceId === resourceId).map((t) => t.targetId))
  removeWhere(state.resources, (r) => r.resourceId === resourceId)
  removeWhere(state.targets, (t) => targetIds.has(t.targetId))
  removeWhere(state.targetHealthCheck, (h) => targetIds.has(h.targetId))
  removeWhere(state.roleResources, (g) => g.resourceId === resourceId)
  removeWhere(state.userResources, (g) => g.resourceId === resourceId)
}

function deleteResource (ctx: Context) {
  const { resourceId } = parse(resourceParams, ctx.params)
  requireResource(ctx.state, resourceId, `Resource with ID ${resourceId} not found`)
  deleteResourceCascade(ctx.state, resourceId)
  return answer(200, 'Resource deleted successfully', null)
}

/** The site-scoped aliases are routed, but their handlers' strict params refuse `siteId`. */
function brokenCreate (ctx: Context) {
  parse(orgParams, ctx.params)
  return answer(500, 'unreachable', null)
}

export const resourceRoutes: RouteDef[] = [
  {
    method: 'PUT',
    path: '/org/:orgId/resource',
    aliases: ['/org/:orgId/public-resource'],
    scope: 'org',
    action: 'createResource',
    handler: createResource
  },
  {
    method: 'PUT',
    path: '/org/:orgId/site/:siteId/resource',
    aliases: ['/org/:orgId/site/:siteId/public-resource'],
    scope: 'org',
    action: 'createResource',
    handler: brokenCreate
  },
  {
    method: 'GET',
    path: '/resource/:resourceId',
    aliases: ['/public-resource/:resourceId'],
    scope: 'resource',
    action: 'getResource',
    handler: getResource
  },
  {
    method: 'GET',
    path: '/org/:orgId/resources',
    aliases: ['/org/:orgId/public-resources'],
    scope: 'org',
    action: 'listResources',
    handler: listResources
  },
  {
    method: 'GET',
    path: '/site/:siteId/resources',
    aliases: ['/site/:siteId/public-resources'],
    scope: 'site',
    action: 'listResources',
    handler: listResources
  },
  {
    method: 'POST',
    path: '/resource/:resourceId',
    aliases: ['/public-resource/:resourceId'],
    scope: 'resource',
    action: 'updateResource',
    handler: updateResource
  },
  {
    method: 'DELETE',
    path: '/resource/:resourceId',
    aliases: ['/public-resource/:resourceId'],
    scope: 'resource',
    action: 'deleteResource',
    handler: deleteResource
  }
]
