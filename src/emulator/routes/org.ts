/** Sections 9 and 13: domains, roles and users of an org. */
import { z } from 'zod'
import { answer } from '../envelope.js'
import type { Context, RouteDef } from '../route.js'
import { byName, lenientEnum, lenientInt, matches, orgParams, paginate, parse } from '../validation.js'
import { requireOrg } from './common.js'

const nonNegativeIntString = z.string().regex(/^\d+$/).transform(Number)

const listDomainsQuery = z.strictObject({
  limit: nonNegativeIntString.optional().default(1000),
  offset: nonNegativeIntString.optional().default(0)
})

function listDomains (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const { limit, offset } = parse(listDomainsQuery, ctx.query)
  const linked = new Set(ctx.state.orgDomains.filter((d) => d.orgId === orgId).map((d) => d.domainId))
  const rows = ctx.state.domains.filter((d) => linked.has(d.domainId))
  return answer(200, 'Domains retrieved successfully', {
    domains: rows.slice(offset, offset + limit).map((d) => ({ ...d })),
    pagination: { total: rows.length, limit, offset }
  })
}

// Not strict: Pangolin's listRoles query is a plain z.object, so unknown keys are dropped.
const listRolesQuery = z.object({
  pageSize: lenientInt(20),
  page: lenientInt(1),
  query: z.string().optional(),
  sort_by: lenientEnum(['name'] as const),
  order: lenientEnum(['asc', 'desc'] as const)
})

function listRoles (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const q = parse(listRolesQuery, ctx.query)
  const org = requireOrg(ctx.state, orgId)
  const rows = ctx.state.roles
    .filter((r) => r.orgId === orgId && matches(q.query, r.name))
    .sort(byName(q.order))
  const roles = paginate(rows, q.page, q.pageSize).map((r) => ({
    roleId: r.roleId,
    orgId: r.orgId,
    isAdmin: r.isAdmin,
    name: r.name,
    description: r.description,
    orgName: org.name,
    requireDeviceApproval: false,
    sshSudoMode: null,
    sshSudoCommands: null,
    sshCreateHomeDir: null,
    sshUnixGroups: null,
    allowSsh: null
  }))
  return answer(200, 'Roles retrieved successfully', {
    roles, pagination: { total: rows.length, page: q.page, pageSize: q.pageSize }
  })
}

const listUsersQuery = z.strictObject({
  pageSize: lenientInt(20),
  page: lenientInt(1),
  query: z.string().optional(),
  sort_by: lenientEnum(['username'] as const),
  order: lenientEnum(['asc', 'desc'] as const),
  idp_id: z.string().optional(),
  role_id: z.union([z.string(), z.array(z.string())]).optional()
})

function listUsers (ctx: Context) {
  const { orgId } = parse(orgParams, ctx.params)
  const q = parse(listUsersQuery, ctx.query)
  requireOrg(ctx.state, orgId)
  const sign = q.order === 'desc' ? -1 : 1
  const members = ctx.state.userOrgs.filter((m) => m.orgId === orgId)
  const rows = members.flatMap((m) => {
    const user = ctx.state.users.find((u) => u.id === m.userId)
    if (user === undefined || !matches(q.query, user.name, user.username, user.email)) return []
    const role = ctx.state.roles.find((r) => r.roleId === m.roleId)
    return [{
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerified,
      dateCreated: user.dateCreated,
      orgId,
      username: user.username,
      name: user.name,
      type: user.type,
      isOwner: m.isOwner,
      idpName: null,
      idpId: null,
      idpType: null,
      idpVariant: null,
      twoFactorEnabled: user.twoFactorEnabled,
      roles: role === undefined ? [] : [{ roleId: role.roleId, roleName: role.name }]
    }]
  }).sort((a, b) => sign * a.username.localeCompare(b.username))
  return answer(200, 'Users retrieved successfully', {
    users: paginate(rows, q.page, q.pageSize), pagination: { total: rows.length, page: q.page, pageSize: q.pageSize }
  })
}

export const orgRoutes: RouteDef[] = [
  { method: 'GET', path: '/org/:orgId/domains', scope: 'org', action: 'listOrgDomains', handler: listDomains },
  { method: 'GET', path: '/org/:orgId/roles', scope: 'org', action: 'listRoles', handler: listRoles },
  { method: 'GET', path: '/org/:orgId/users', scope: 'org', action: 'listUsers', handler: listUsers }
]
