/** Section 11: targets and their health-check rows. */
import { z } from 'zod'
import { answer, HttpError } from '../envelope.js'
import { isIpAddress } from '../ip.js'
import type { Context, RouteDef } from '../route.js'
import { nextId, removeWhere } from '../state.js'
import type { EmulatorState, TargetHealthCheck, TargetRow } from '../state.js'
import { parse, parseBody, pathId } from '../validation.js'
import { resourceProtocol } from './resources.js'

const LABEL = '[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?'
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`)

/** `isTargetValid`: an IP, a hostname, or (leniently) an empty string. */
function isTargetValid (value: string): boolean {
  return value === '' || isIpAddress(value) || HOSTNAME.test(value)
}

const positiveOrNull = z.number().int().positive().nullable().optional()
const healthCheckFields = {
  hcEnabled: z.boolean().optional(),
  hcPath: z.string().min(1).nullable().optional(),
  hcMethod: z.string().min(1).nullable().optional(),
  hcScheme: z.string().nullable().optional(),
  hcMode: z.string().nullable().optional(),
  hcHostname: z.string().nullable().optional(),
  hcTlsServerName: z.string().nullable().optional(),
  hcPort: positiveOrNull,
  hcInterval: positiveOrNull,
  hcUnhealthyInterval: positiveOrNull,
  hcTimeout: positiveOrNull,
  hcHealthyThreshold: positiveOrNull,
  hcUnhealthyThreshold: positiveOrNull,
  hcStatus: z.number().int().nullable().optional(),
  hcHeaders: z.array(z.strictObject({ name: z.string(), value: z.string() })).nullable().optional(),
  hcFollowRedirects: z.boolean().nullable().optional()
}
const targetFields = {
  siteId: z.number().int().positive(),
  ip: z.string().refine(isTargetValid),
  port: z.number().int().min(1).max(65535),
  enabled: z.boolean().default(true),
  method: z.string().nullable().optional(),
  path: z.string().nullable().optional(),
  pathMatchType: z.enum(['exact', 'prefix', 'regex']).nullable().optional(),
  rewritePath: z.string().nullable().optional(),
  rewritePathType: z.enum(['exact', 'prefix', 'regex', 'stripPrefix']).nullable().optional(),
  priority: z.number().int().min(1).max(1000).nullable().optional(),
  ...healthCheckFields
}
const legacyCreateBody = z.strictObject(targetFields)
const modeCreateBody = z.strictObject({
  ...targetFields,
  mode: z.enum(['http', 'tcp', 'udp', 'ssh', 'rdp', 'vnc']).optional()
}).superRefine((body, ctx) => {
  if (body.hcEnabled === true && (body.hcHostname ?? '').trim() === '') {
    ctx.addIssue({ code: 'custom', message: 'hcHostname is required when hcEnabled is true', path: ['hcHostname'] })
  }
})

type CreateBody = z.infer<typeof modeCreateBody>

function nextInternalPort (state: EmulatorState): number {
  const used = new Set(state.targets.map((t) => t.internalPort))
  let port = 21000
  while (used.has(port)) port++
  return port
}

function healthRow (target: TargetRow, orgId: string, name: string, body: Partial<CreateBody>): TargetHealthCheck {
  return {
    targetHealthCheckId: target.targetId,
    targetId: target.targetId,
    orgId,
    siteId: target.siteId,
    name,
    hcEnabled: body.hcEnabled ?? false,
    hcPath: body.hcPath ?? null,
    hcScheme: body.hcScheme ?? null,
    hcMode: body.hcMode ?? null,
    hcHostname: body.hcHostname ?? null,
    hcPort: body.hcPort ?? null,
    hcInterval: body.hcInterval ?? null,
    hcUnhealthyInterval: body.hcUnhealthyInterval ?? null,
    hcTimeout: body.hcTimeout ?? null,
    hcHeaders: body.hcHeaders === undefined || body.hcHeaders === null ? null : JSON.stringify(body.hcHeaders),
    hcFollowRedirects: body.hcFollowRedirects ?? null,
    hcMethod: body.hcMethod ?? null,
    hcStatus: body.hcStatus ?? null,
    hcHealth: body.hcEnabled === true ? 'unhealthy' : 'unknown',
    hcTlsServerName: body.hcTlsServerName ?? null,
    hcHealthyThreshold: body.hcHealthyThreshold ?? null,
    hcUnhealthyThreshold: body.hcUnhealthyThreshold ?? null
  }
}

const resourceParams = z.strictObject({ resourceId: pathId })
const targetParams = z.strictObject({ targetId: pathId })

function createTarget (ctx: Context) {
  const { resourceId } = parse(resourceParams, ctx.params)
  const isMode = ctx.settings.generation === 'mode'
  const body: CreateBody = parseBody(isMode ? modeCreateBody : legacyCreateBody, ctx.body)
  const { state } = ctx
  const resource = state.resources.find((r) => r.resourceId === resourceId)
  if (resource === undefined) throw new HttpError(404, `Resource with ID ${resourceId} not found`)
  // The site is deliberately not checked against the resource's org, and duplicates are allowed.
  const site = state.sites.find((s) => s.siteId === body.siteId)
  if (site === undefined) throw new HttpError(404, `Site with ID ${body.siteId} not found`)

  const target: TargetRow = {
    targetId: nextId(state, 'targets'),
    resourceId,
    siteId: body.siteId,
    ip: body.ip,
    method: body.method ?? null,
    port: body.port,
    internalPort: site.type === 'local' ? null : nextInternalPort(state),
    enabled: body.enabled,
    path: body.path ?? null,
    pathMatchType: body.pathMatchType ?? null,
    rewritePath: body.rewritePath ?? null,
    rewritePathType: body.rewritePathType ?? null,
    priority: body.priority ?? 100,
    ...(isMode ? { providerId: null, mode: body.mode ?? resourceProtocol(resource) } : {})
  }
  const health = healthRow(target, resource.orgId, `Resource ${resource.name} - ${body.ip}:${body.port}`, body)
  state.targets.push(target)
  state.targetHealthCheck.push(health)
  return answer(201, 'Target created successfully', { ...health, ...target })
}

function targetView (state: EmulatorState, target: TargetRow) {
  const health = state.targetHealthCheck.find((h) => h.targetId === target.targetId)
  const hcHeaders = health?.hcHeaders === null || health === undefined ? null : JSON.parse(health.hcHeaders)
  return { ...health, ...target, hcHeaders }
}

const listTargetsQuery = z.strictObject({
  limit: z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().positive()).optional().default(1000),
  offset: z.string().regex(/^\d+$/).transform(Number).optional().default(0)
})

function listTargets (ctx: Context) {
  const { resourceId } = parse(resourceParams, ctx.params)
  const { limit, offset } = parse(listTargetsQuery, ctx.query)
  const rows = ctx.state.targets.filter((t) => t.resourceId === resourceId)
  const targets = rows.slice(offset, offset + limit).map((t) => {
    const site = ctx.state.sites.find((s) => s.siteId === t.siteId)
    return { ...targetView(ctx.state, t), siteType: site?.type ?? null, siteName: site?.name ?? null }
  })
  return answer(200, 'Targets retrieved successfully', { targets, pagination: { total: rows.length, limit, offset } })
}

function getTarget (ctx: Context) {
  const { targetId } = parse(targetParams, ctx.params)
  const target = ctx.state.targets.find((t) => t.targetId === targetId)
  if (target === undefined) throw new HttpError(404, `Target with ID ${targetId} not found`)
  return answer(200, 'Target retrieved successfully', targetView(ctx.state, target))
}

const updateBody = z.strictObject({
  ...targetFields,
  port: targetFields.port.optional(),
  enabled: z.boolean().optional(),
  method: z.string().min(1).max(10).nullable().optional(),
  priority: z.number().int().min(1).max(1000).optional(),
  hcEnabled: z.boolean().nullable().optional(),
  mode: z.enum(['http', 'tcp', 'udp', 'ssh', 'rdp', 'vnc']).nullable().optional()
})

/** updateTarget is almost a replace: omitted hcEnabled turns checks off, omitted hcHeaders clears. */
function updateTarget (ctx: Context) {
  const { targetId } = parse(targetParams, ctx.params)
  const body = parseBody(updateBody, ctx.body)
  const { state } = ctx
  const target = state.targets.find((t) => t.targetId === targetId)
  if (target === undefined) throw new HttpError(404, `Target with ID ${targetId} not found`)
  const site = state.sites.find((s) => s.siteId === body.siteId)
  if (site === undefined) throw new HttpError(404, `Site with ID ${body.siteId} not found`)
  if (ctx.settings.generation === 'mode' && body.hcEnabled === true && (body.hcHostname ?? '').trim() === '') {
    throw new HttpError(400, 'hcHostname is required when hcEnabled is true')
  }
  const health = state.targetHealthCheck.find((h) => h.targetId === targetId)
  if (health === undefined) throw new HttpError(404, `Health check for target with ID ${targetId} not found`)

  const { hcEnabled, hcHeaders, mode, ...fields } = body
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    if (key in target) Object.assign(target, { [key]: value })
    else Object.assign(health, { [key]: value })
  }
  if (ctx.settings.generation === 'mode' && mode !== undefined) target.mode = mode
  target.internalPort = site.type === 'local' ? null : nextInternalPort(state)
  health.siteId = target.siteId
  health.hcEnabled = hcEnabled ?? false
  health.hcHeaders = hcHeaders === undefined || hcHeaders === null ? null : JSON.stringify(hcHeaders)
  health.hcHealth = health.hcEnabled && site.type === 'newt' ? 'unhealthy' : 'unknown'
  return answer(200, 'Target updated successfully', { ...target, ...health })
}

function deleteTarget (ctx: Context) {
  const { targetId } = parse(targetParams, ctx.params)
  const { state } = ctx
  const target = state.targets.find((t) => t.targetId === targetId)
  if (target === undefined) throw new HttpError(404, `Target with ID ${targetId} not found`)
  removeWhere(state.targets, (t) => t.targetId === targetId)
  removeWhere(state.targetHealthCheck, (h) => h.targetId === targetId)
  if (!state.targets.some((t) => t.resourceId === target.resourceId)) {
    const resource = state.resources.find((r) => r.resourceId === target.resourceId)
    if (resource !== undefined) resource.health = 'unknown'
  }
  return answer(200, 'Target deleted successfully', null)
}

export const targetRoutes: RouteDef[] = [
  {
    method: 'PUT',
    path: '/resource/:resourceId/target',
    aliases: ['/public-resource/:resourceId/target'],
    scope: 'resource',
    action: 'createTarget',
    handler: createTarget
  },
  {
    method: 'GET',
    path: '/resource/:resourceId/targets',
    aliases: ['/public-resource/:resourceId/targets'],
    scope: 'resource',
    action: 'listTargets',
    handler: listTargets
  },
  { method: 'GET', path: '/target/:targetId', scope: 'target', action: 'getTarget', handler: getTarget },
  { method: 'POST', path: '/target/:targetId', scope: 'target', action: 'updateTarget', handler: updateTarget },
  { method: 'DELETE', path: '/target/:targetId', scope: 'target', action: 'deleteTarget', handler: deleteTarget }
]
