import type { Kysely } from 'kysely'
import type { EmulatorState } from '../../src/emulator/index.js'
import type { Tables } from '../../src/store/tables.js'

export interface OpRecord {
  i: number
  kind: string
  input: any
  status: number
  body: any
}

export interface Seeded { resources: number[], sites: number[], siteResources: number[] }
interface Assert { equal: (...args: any[]) => unknown, ok: (...args: any[]) => unknown }

/**
 * Checks the emulator's state against the journal: every operation final, nothing Pangolin holds
 * that no succeeded operation accounts for, no duplicates, every succeeded operation complete.
 */
export async function audit (t: Assert, where: { db: Kysely<Tables>, state: EmulatorState }, records: OpRecord[], seeded: Seeded) {
  const { db, state } = where
  const ops = await db.selectFrom('operations').selectAll().execute()
  const byStatus: Record<string, number> = {}
  for (const op of ops) byStatus[op.status] = (byStatus[op.status] ?? 0) + 1
  const unfinished = ops.filter((o) => o.status !== 'SUCCEEDED' && o.status !== 'ROLLED_BACK').length

  const succeeded = ops.filter((o) => o.status === 'SUCCEEDED')
  const result = (o: { result: string | null }) => JSON.parse(o.result ?? 'null')
  const ownedResources = new Set(succeeded.filter((o) => o.kind === 'provisionHttpService').map((o) => result(o).resource.resourceId))
  const ownedSites = new Set(succeeded.filter((o) => o.kind === 'createSite').map((o) => result(o).site.siteId))
  const ownedPrivate = new Set(succeeded.filter((o) => o.kind === 'provisionPrivateResource').map((o) => result(o).privateResource.siteResourceId))

  const orphanResources = state.resources.filter((r) => !seeded.resources.includes(r.resourceId) && !ownedResources.has(r.resourceId))
  const orphanSites = state.sites.filter((s) => !seeded.sites.includes(s.siteId) && !ownedSites.has(s.siteId))
  const orphanPrivate = state.siteResources.filter((s) => !seeded.siteResources.includes(s.siteResourceId) && !ownedPrivate.has(s.siteResourceId))
  const orphanTargets = state.targets.filter((x) => !state.resources.some((r) => r.resourceId === x.resourceId))

  const domains = new Map<string, number>()
  for (const r of state.resources) if (r.fullDomain !== null) domains.set(r.fullDomain, (domains.get(r.fullDomain) ?? 0) + 1)
  const duplicateResources = [...domains.values()].filter((n) => n > 1).length
  const targetKeys = new Map<string, number>()
  for (const x of state.targets) {
    const key = `${x.resourceId}|${x.siteId}|${x.ip}|${x.port}|${x.method}`
    targetKeys.set(key, (targetKeys.get(key) ?? 0) + 1)
  }
  const duplicateTargets = [...targetKeys.values()].filter((n) => n > 1).length

  let missingTargets = 0
  let missingGrants = 0
  for (const op of succeeded.filter((o) => o.kind === 'provisionHttpService')) {
    const input = JSON.parse(op.input)
    const resourceId = result(op).resource.resourceId
    missingTargets += Math.abs(input.targets.length - state.targets.filter((x) => x.resourceId === resourceId).length)
    for (const name of input.access?.roleNames ?? []) {
      const role = state.roles.find((r) => r.orgId === op.org_id && r.name === name)
      if (role === undefined || !state.roleResources.some((g) => g.resourceId === resourceId && g.roleId === role.roleId)) missingGrants++
    }
    for (const email of input.access?.userEmails ?? []) {
      const user = state.users.find((u) => u.email === email)
      if (user === undefined || !state.userResources.some((g) => g.resourceId === resourceId && g.userId === user.id)) missingGrants++
    }
  }

  const figures = {
    operations: ops.length,
    byStatus,
    orphans: orphanResources.length + orphanSites.length + orphanPrivate.length + orphanTargets.length,
    duplicateResources,
    duplicateTargets,
    missingTargets,
    missingGrants,
    answered: records.length
  }
  t.equal(ops.length, records.length, 'one operation per request')
  t.equal(unfinished, 0, 'every operation SUCCEEDED or ROLLED_BACK')
  t.equal(figures.orphans, 0, `orphans: ${JSON.stringify({ resources: orphanResources.map((r) => r.fullDomain), sites: orphanSites.map((s) => s.niceId), private: orphanPrivate.map((s) => s.alias), targets: orphanTargets.length })}`)
  t.equal(duplicateResources, 0, 'duplicate resources')
  t.equal(duplicateTargets, 0, 'duplicate targets')
  t.equal(missingTargets, 0, 'targets missing or extra on succeeded operations')
  t.equal(missingGrants, 0, 'grants missing on succeeded operations')
  t.ok(succeeded.length > 0, 'some operations succeeded')
  return figures
}

export function seededIds (state: EmulatorState): Seeded {
  return {
    resources: state.resources.map((r) => r.resourceId),
    sites: state.sites.map((s) => s.siteId),
    siteResources: state.siteResources.map((s) => s.siteResourceId)
  }
}
