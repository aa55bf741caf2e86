import { GatewayError, badInput } from '../../errors.js'
import type { Domain, Role, Site, User } from '../../upstream/types.js'
import type { KindContext } from './kind.js'
import type { GrantsInput, TargetInput } from './inputs.js'

export interface PlannedTarget {
  siteId: number
  ip: string
  port: number
  method: string
  enabled: boolean
}

export interface PlannedGrants {
  roles: Array<{ roleId: number, name: string, description: string | null, isAdmin: boolean }>
  users: Array<{ userId: string, email: string | null, username: string, name: string | null }>
}

/** The org's sites, roles and users, each read at most once per operation. */
export class OrgDirectory {
  readonly #ctx: KindContext
  #sites?: Promise<Site[]>
  #roles?: Promise<Role[]>
  #users?: Promise<User[]>
  #domains?: Promise<Domain[]>

  constructor (ctx: KindContext) {
    this.#ctx = ctx
  }

  sites (): Promise<Site[]> {
    this.#sites ??= this.#ctx.pangolin.listSites(this.#ctx.orgId, { pageSize: 1000 }, this.#ctx.call).then((p) => p.items)
    return this.#sites
  }

  roles (): Promise<Role[]> {
    this.#roles ??= this.#ctx.pangolin.listRoles(this.#ctx.orgId, this.#ctx.call)
    return this.#roles
  }

  users (): Promise<User[]> {
    this.#users ??= this.#ctx.pangolin.listUsers(this.#ctx.orgId, {}, this.#ctx.call)
    return this.#users
  }

  domains (): Promise<Domain[]> {
    this.#domains ??= this.#ctx.pangolin.listDomains(this.#ctx.orgId, this.#ctx.call)
    return this.#domains
  }
}

/** A site named by id or niceId, which must be in the operation's org. */
export async function resolveSite (dir: OrgDirectory, ref: { siteId?: number | null, siteNiceId?: string | null }, path: string): Promise<Site> {
  const sites = await dir.sites()
  const site = ref.siteId != null
    ? sites.find((s) => s.siteId === ref.siteId)
    : sites.find((s) => s.niceId === ref.siteNiceId)
  if (site === undefined) {
    const field = ref.siteId != null ? `${path}.siteId` : `${path}.siteNiceId`
    throw new GatewayError('NOT_FOUND', `${field}: no site ${JSON.stringify(ref.siteId ?? ref.siteNiceId)} in this org`, {
      extensions: { field }
    })
  }
  return site
}

export async function resolveTargets (dir: OrgDirectory, targets: TargetInput[], path = 'targets'): Promise<PlannedTarget[]> {
  return await Promise.all(targets.map(async (t, i) => {
    const site = await resolveSite(dir, t, `${path}[${i}]`)
    return { siteId: site.siteId, ip: t.ip, port: t.port, method: t.method, enabled: t.enabled }
  }))
}

/** Roles by id or name and users by id or email, all in the org; the admin role is refused. */
export async function resolveGrants (dir: OrgDirectory, access: GrantsInput | null | undefined, path: string): Promise<PlannedGrants> {
  const prefix = path === '' ? '' : `${path}.`
  const roleRefs = [
    ...(access?.roleIds ?? []).map((id, i) => ({ field: `${prefix}roleIds[${i}]`, match: (r: Role) => r.roleId === id, label: String(id) })),
    ...(access?.roleNames ?? []).map((name, i) => ({ field: `${prefix}roleNames[${i}]`, match: (r: Role) => r.name.toLowerCase() === name.toLowerCase(), label: name }))
  ]
  const userRefs = [
    ...(access?.userIds ?? []).map((id, i) => ({ field: `${prefix}userIds[${i}]`, match: (u: User) => u.userId === id, label: id })),
    ...(access?.userEmails ?? []).map((email, i) => ({ field: `${prefix}userEmails[${i}]`, match: (u: User) => u.email?.toLowerCase() === email.toLowerCase(), label: email }))
  ]
  const [roles, users] = await Promise.all([
    roleRefs.length === 0 ? [] : dir.roles(),
    userRefs.length === 0 ? [] : dir.users()
  ])

  const plannedRoles = new Map<number, PlannedGrants['roles'][number]>()
  for (const ref of roleRefs) {
    const role = roles.find(ref.match)
    if (role === undefined) throw new GatewayError('NOT_FOUND', `${ref.field}: no role ${JSON.stringify(ref.label)} in this org`, { extensions: { field: ref.field } })
    if (role.isAdmin) throw badInput(ref.field, 'the admin role always has access; Pangolin refuses to grant it')
    plannedRoles.set(role.roleId, { roleId: role.roleId, name: role.name, description: role.description, isAdmin: false })
  }
  const plannedUsers = new Map<string, PlannedGrants['users'][number]>()
  for (const ref of userRefs) {
    const user = users.find(ref.match)
    if (user === undefined) throw new GatewayError('NOT_FOUND', `${ref.field}: no user ${JSON.stringify(ref.label)} in this org`, { extensions: { field: ref.field } })
    plannedUsers.set(user.userId, { userId: user.userId, email: user.email, username: user.username, name: user.name })
  }
  return { roles: [...plannedRoles.values()], users: [...plannedUsers.values()] }
}

/** Settles every task, then throws the first failure: the journal is consistent before compensation. */
export async function allOrFirstError<T> (tasks: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(tasks)
  const failed = settled.find((s) => s.status === 'rejected')
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
}
