/**
 * The integration middleware of section 4: the key check, the scope checks and the action check,
 * with Pangolin's order and messages.
 */
import { HttpError } from './envelope.js'
import type { Context, RouteDef } from './route.js'
import type { ApiKey, EmulatorState } from './state.js'

/** `verifyApiKey`: the exact, case-sensitive `Bearer ` prefix, then id and secret. */
export function verifyApiKey (state: EmulatorState, header: string | undefined): ApiKey {
  if (header === undefined || !header.startsWith('Bearer ')) {
    throw new HttpError(401, 'API key required')
  }
  const token = header.slice('Bearer '.length)
  const dot = token.indexOf('.')
  const id = dot === -1 ? token : token.slice(0, dot)
  const secret = dot === -1 ? '' : token.slice(dot + 1)
  const key = state.keys.find((k) => k.apiKeyId === id)
  if (key === undefined || key.secret !== secret) throw new HttpError(401, 'Invalid API key')
  return key
}

export function keyHasOrg (key: ApiKey, orgId: string): boolean {
  return key.orgIds === '*' || key.orgIds.includes(orgId)
}

const NO_ORG_ACCESS = 'Key does not have access to this organization'

function requireOrg (key: ApiKey, orgId: string): void {
  if (!key.isRoot && !keyHasOrg(key, orgId)) throw new HttpError(403, NO_ORG_ACCESS)
}

function integerParam (value: string | undefined): number {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN
}

function checkOrg (ctx: Context): void {
  const orgId = ctx.params.orgId ?? ''
  requireOrg(ctx.key, orgId)
  ctx.orgId = orgId
}

function checkSite (ctx: Context): void {
  const siteId = integerParam(ctx.params.siteId)
  if (Number.isNaN(siteId)) throw new HttpError(400, 'Invalid site ID')
  if (ctx.key.isRoot) return
  const site = ctx.state.sites.find((s) => s.siteId === siteId)
  if (site === undefined) throw new HttpError(404, `Site with ID ${siteId} not found`)
  requireOrg(ctx.key, site.orgId)
  ctx.orgId = site.orgId
}

function checkResource (ctx: Context): void {
  // The id is not parsed: a non-numeric id finds nothing (the SQLite behaviour).
  const raw = ctx.params.resourceId ?? ''
  const resource = ctx.state.resources.find((r) => String(r.resourceId) === raw)
  if (resource === undefined) throw new HttpError(404, `Resource with ID ${raw} not found`)
  ctx.orgId = resource.orgId
  requireOrg(ctx.key, resource.orgId)
}

function checkTarget (ctx: Context): void {
  const targetId = integerParam(ctx.params.targetId)
  if (Number.isNaN(targetId)) throw new HttpError(400, 'Invalid target ID')
  const target = ctx.state.targets.find((t) => t.targetId === targetId)
  if (target === undefined) throw new HttpError(404, `Target with ID ${targetId} not found`)
  const resource = ctx.state.resources.find((r) => r.resourceId === target.resourceId)
  if (resource === undefined) throw new HttpError(404, `Resource with ID ${target.resourceId} not found`)
  ctx.orgId = resource.orgId
  requireOrg(ctx.key, resource.orgId)
}

function checkSiteResource (ctx: Context): void {
  const id = integerParam(ctx.params.siteResourceId)
  if (Number.isNaN(id)) throw new HttpError(400, 'Missing siteResourceId parameter')
  if (ctx.key.isRoot) return
  const row = ctx.state.siteResources.find((r) => r.siteResourceId === id)
  if (row === undefined) throw new HttpError(404, 'Site resource not found')
  requireOrg(ctx.key, row.orgId)
  ctx.orgId = row.orgId
}

function bodyField (body: unknown, field: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined
}

/** `verifyApiKeyRoleAccess`: the lookup runs for every key, the org check for org keys only. */
function checkRoles (ctx: Context): void {
  const single = bodyField(ctx.body, 'roleId')
  const many = bodyField(ctx.body, 'roleIds')
  const ids = Array.isArray(many) ? many : single !== undefined ? [single] : []
  if (ids.length === 0 || !ids.every((id) => Number.isInteger(id))) return
  const roles = ctx.state.roles.filter((r) => ids.includes(r.roleId))
  if (roles.length !== ids.length) throw new HttpError(404, 'One or more roles not found')
  if (ctx.key.isRoot) return
  for (const role of roles) {
    if (!keyHasOrg(ctx.key, role.orgId)) {
      throw new HttpError(403, `Key does not have access to organization for role ID ${role.roleId}`)
    }
  }
  if (new Set(roles.map((r) => r.orgId)).size > 1) {
    throw new HttpError(403, 'Roles must belong to the same organization')
  }
}

/** `verifyApiKeySetResourceUsers`: every user must be a member of the key's org. */
function checkUsers (ctx: Context): void {
  if (ctx.key.isRoot) return
  const single = bodyField(ctx.body, 'userId')
  const many = bodyField(ctx.body, 'userIds')
  const ids = Array.isArray(many) ? many : single !== undefined ? [single] : []
  if (ids.length === 0) return
  const orgId = ctx.orgId
  const members = ctx.state.userOrgs.filter((m) => m.orgId === orgId && ids.includes(m.userId))
  if (members.length !== ids.length) {
    throw new HttpError(403, 'Key does not have access to one or more specified users')
  }
}

/** Runs the route's middleware chain; the first failure throws. */
export function authorise (ctx: Context, route: RouteDef): void {
  switch (route.scope) {
    case 'org': checkOrg(ctx); break
    case 'org+site': checkOrg(ctx); checkSite(ctx); break
    case 'site': checkSite(ctx); break
    case 'resource': checkResource(ctx); break
    case 'target': checkTarget(ctx); break
    case 'siteResource': checkSiteResource(ctx); break
  }
  if (route.grantCheck === 'role') checkRoles(ctx)
  if (route.grantCheck === 'users') checkUsers(ctx)

  const { actions } = ctx.key
  if (actions !== '*' && !actions.includes(route.action)) {
    throw new HttpError(403, 'Key does not have permission perform this action')
  }
}
