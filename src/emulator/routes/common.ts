/** Lookups and guards that several route modules share. */
import { HttpError } from '../envelope.js'
import type { Context } from '../route.js'
import type { EmulatorState, Org, RoleRow } from '../state.js'

export function requireOrg (state: EmulatorState, orgId: string): Org {
  const org = state.orgs.find((o) => o.orgId === orgId)
  if (org === undefined) throw new HttpError(404, `Organization with ID ${orgId} not found`)
  return org
}

export function adminRole (state: EmulatorState, orgId: string): RoleRow {
  const role = state.roles.find((r) => r.orgId === orgId && r.isAdmin)
  if (role === undefined) throw new HttpError(404, 'Admin role not found')
  return role
}

/** Resources and site resources share one niceId namespace per org. */
export function niceIdTaken (state: EmulatorState, orgId: string) {
  return (niceId: string): boolean =>
    state.resources.some((r) => r.orgId === orgId && r.niceId === niceId) ||
    state.siteResources.some((r) => r.orgId === orgId && r.niceId === niceId)
}

export function isModeGeneration (ctx: Context): boolean {
  return ctx.settings.generation === 'mode'
}
