/** Sections 14 and 15: granting roles and users access to public and private resources. */
import { z } from 'zod'
import { answer, HttpError } from '../envelope.js'
import type { Context, RouteDef } from '../route.js'
import { removeWhere } from '../state.js'
import type { EmulatorState, RoleRow } from '../state.js'
import { parse, parseBody, pathId } from '../validation.js'

const roleBody = z.strictObject({ roleId: z.number().int().positive() })
const rolesBody = z.strictObject({ roleIds: z.array(z.number().int().positive()) })
const userBody = z.strictObject({ userId: z.string() })
const usersBody = z.strictObject({ userIds: z.array(z.string()) })

/** A link table seen through its key (role or user id) and the id of the granted object. */
interface Grants<K> {
  has (key: K, id: number): boolean
  add (key: K, id: number): void
  remove (key: K, id: number): number
  clear (id: number, keep: (key: K) => boolean): void
}

function grants<R, K> (
  rows: R[], keyOf: (row: R) => K, idOf: (row: R) => number, make: (key: K, id: number) => R
): Grants<K> {
  return {
    has: (key, id) => rows.some((r) => keyOf(r) === key && idOf(r) === id),
    add: (key, id) => { rows.push(make(key, id)) },
    remove: (key, id) => removeWhere(rows, (r) => keyOf(r) === key && idOf(r) === id),
    clear: (id, keep) => { removeWhere(rows, (r) => idOf(r) === id && !keep(keyOf(r))) }
  }
}

/** The two families differ only in their tables, their id and their words. */
interface Target {
  noun: 'resource' | 'site resource'
  link: 'resourceId' | 'siteResourceId'
  find (state: EmulatorState, id: number): { orgId: string } | undefined
  roles (state: EmulatorState): Grants<number>
  users (state: EmulatorState): Grants<string>
  /** Site-resource writes are refused while ten rebuilds run for the org. */
  rebuilds: boolean
}

const publicTarget: Target = {
  noun: 'resource',
  link: 'resourceId',
  find: (state, id) => state.resources.find((r) => r.resourceId === id),
  roles: (state) => grants(state.roleResources, (r) => r.roleId, (r) => r.resourceId,
    (roleId, resourceId) => ({ roleId, resourceId })),
  users: (state) => grants(state.userResources, (r) => r.userId, (r) => r.resourceId,
    (userId, resourceId) => ({ userId, resourceId })),
  rebuilds: false
}

const privateTarget: Target = {
  noun: 'site resource',
  link: 'siteResourceId',
  find: (state, id) => state.siteResources.find((r) => r.siteResourceId === id),
  roles: (state) => grants(state.roleSiteResources, (r) => r.roleId, (r) => r.siteResourceId,
    (roleId, siteResourceId) => ({ roleId, siteResourceId })),
  users: (state) => grants(state.userSiteResources, (r) => r.userId, (r) => r.siteResourceId,
    (userId, siteResourceId) => ({ userId, siteResourceId })),
  rebuilds: true
}

function load (ctx: Context, target: Target, missingStatus: number) {
  const params = parse(z.strictObject({ [target.link]: pathId }), ctx.params)
  const id = params[target.link] as number
  const row = target.find(ctx.state, id)
  const missing = target.noun === 'resource' ? 'Resource not found' : 'Site resource not found'
  if (row === undefined) throw new HttpError(missingStatus, missing)
  if (target.rebuilds && ctx.settings.generation === 'mode') ctx.rebuilds.check(row.orgId)
  return { id, orgId: row.orgId }
}

function done (ctx: Context, target: Target, orgId: string, status: number, message: string) {
  if (target.rebuilds && ctx.settings.generation === 'mode') ctx.rebuilds.start(orgId)
  return answer(status, message, {})
}

function sameOrgRole (state: EmulatorState, roleId: number, orgId: string): RoleRow {
  const role = state.roles.find((r) => r.roleId === roleId && r.orgId === orgId)
  if (role === undefined) throw new HttpError(404, 'Role not found or does not belong to the same organization')
  return role
}

function userMustExist (state: EmulatorState, userId: string): void {
  if (!state.users.some((u) => u.id === userId)) throw new Error('insert violates foreign key constraint')
}

function addRole (target: Target) {
  return (ctx: Context) => {
    const { roleId } = parseBody(roleBody, ctx.body)
    const { id, orgId } = load(ctx, target, 404)
    const role = sameOrgRole(ctx.state, roleId, orgId)
    if (role.isAdmin) throw new HttpError(400, `Admin role cannot be assigned to ${target.noun}s`)
    const rows = target.roles(ctx.state)
    if (rows.has(roleId, id)) throw new HttpError(409, `Role already assigned to ${target.noun}`)
    rows.add(roleId, id)
    return done(ctx, target, orgId, 201, `Role added to ${target.noun} successfully`)
  }
}

function removeRole (target: Target) {
  return (ctx: Context) => {
    const { roleId } = parseBody(roleBody, ctx.body)
    const { id, orgId } = load(ctx, target, 404)
    const role = sameOrgRole(ctx.state, roleId, orgId)
    if (role.isAdmin) throw new HttpError(400, `Admin role cannot be removed from ${target.noun}s`)
    if (target.roles(ctx.state).remove(roleId, id) === 0) throw new HttpError(404, `Role not found in ${target.noun}`)
    return done(ctx, target, orgId, 200, `Role removed from ${target.noun} successfully`)
  }
}

function addUser (target: Target) {
  return (ctx: Context) => {
    const { userId } = parseBody(userBody, ctx.body)
    const { id, orgId } = load(ctx, target, 404)
    const rows = target.users(ctx.state)
    if (rows.has(userId, id)) throw new HttpError(409, `User already assigned to ${target.noun}`)
    userMustExist(ctx.state, userId)
    rows.add(userId, id)
    return done(ctx, target, orgId, 201, `User added to ${target.noun} successfully`)
  }
}

function removeUser (target: Target) {
  return (ctx: Context) => {
    const { userId } = parseBody(userBody, ctx.body)
    const { id, orgId } = load(ctx, target, 404)
    if (target.users(ctx.state).remove(userId, id) === 0) throw new HttpError(404, `User not found in ${target.noun}`)
    return done(ctx, target, orgId, 200, `User removed from ${target.noun} successfully`)
  }
}

function setRoles (target: Target) {
  return (ctx: Context) => {
    const { roleIds } = parseBody(rolesBody, ctx.body)
    const { id, orgId } = load(ctx, target, 500)
    const admins = new Set(ctx.state.roles.filter((r) => r.isAdmin).map((r) => r.roleId))
    if (roleIds.some((roleId) => admins.has(roleId))) {
      throw new HttpError(400, `Admin role cannot be assigned to ${target.noun}s`)
    }
    const rows = target.roles(ctx.state)
    rows.clear(id, (roleId) => admins.has(roleId))
    for (const roleId of roleIds) rows.add(roleId, id)
    return done(ctx, target, orgId, 201, `Roles set for ${target.noun} successfully`)
  }
}

function setUsers (target: Target) {
  return (ctx: Context) => {
    const { userIds } = parseBody(usersBody, ctx.body)
    const { id, orgId } = load(ctx, target, target.noun === 'resource' ? 404 : 500)
    for (const userId of userIds) userMustExist(ctx.state, userId)
    const rows = target.users(ctx.state)
    rows.clear(id, () => false)
    for (const userId of userIds) rows.add(userId, id)
    return done(ctx, target, orgId, 201, `Users set for ${target.noun} successfully`)
  }
}

function routesFor (target: Target, base: string, alias: string): RouteDef[] {
  const scope = target.noun === 'resource' ? 'resource' : 'siteResource'
  const route = (suffix: string, grantCheck: 'role' | 'users', handler: RouteDef['handler']): RouteDef => ({
    method: 'POST',
    path: `${base}${suffix}`,
    aliases: [`${alias}${suffix}`],
    scope,
    grantCheck,
    action: grantCheck === 'role' ? 'setResourceRoles' : 'setResourceUsers',
    handler
  })
  return [
    route('/roles/add', 'role', addRole(target)),
    route('/roles/remove', 'role', removeRole(target)),
    route('/users/add', 'users', addUser(target)),
    route('/users/remove', 'users', removeUser(target)),
    route('/roles', 'role', setRoles(target)),
    route('/users', 'users', setUsers(target))
  ]
}

export const accessRoutes: RouteDef[] = [
  ...routesFor(publicTarget, '/resource/:resourceId', '/public-resource/:resourceId'),
  ...routesFor(privateTarget, '/site-resource/:siteResourceId', '/private-resource/:siteResourceId')
]
