import type { Target } from '../../upstream/types.js'
import type { KindContext } from './kind.js'
import type { PlannedGrants, PlannedTarget } from './resolve.js'
import { findTarget, sameTarget } from './undo.js'

/** Creates the planned targets of a resource in parallel, each a journaled step named `target:<i>`. */
export function createTargets (ctx: KindContext, resourceId: number, targets: PlannedTarget[], parent?: string): Array<Promise<Target | number>> {
  const { journal, pangolin, call } = ctx
  return targets.map(async (t, i) => {
    const key = { resourceId, siteId: t.siteId, ip: t.ip, port: t.port, method: t.method }
    const claimed = () => new Set(journal.steps()
      .filter((s) => s.action === 'createTarget' && s.status === 'DONE' && s.upstreamId !== null)
      .map((s) => Number(s.upstreamId)))
    const step = await journal.step<Target>({ name: `target:${i}`, action: 'createTarget', key, ...(parent === undefined ? {} : { parent }) }, {
      run: (reconcile) => pangolin.createTarget(resourceId, t, { ...call, reconcile }),
      find: () => findTarget(pangolin, key, call, claimed()),
      id: (target) => String(target.targetId)
    })
    return step.value ?? Number(step.id)
  })
}

type GrantTarget = { resourceId: number } | { siteResourceId: number }

/**
 * Adds (or removes) role and user grants in parallel, each a journaled step. What Pangolin
 * reports is journaled too: `added` or `present` (already there, so never undone), `removed` or
 * `absent`.
 */
export function changeGrants (ctx: KindContext, on: GrantTarget, grants: PlannedGrants, mode: 'add' | 'remove', parent?: string): Array<Promise<void>> {
  const { journal, pangolin, call } = ctx
  const isResource = 'resourceId' in on
  const target = isResource ? on.resourceId : on.siteResourceId
  const entries = [
    ...grants.roles.map((r) => ({ kind: 'role' as const, id: r.roleId as number | string })),
    ...grants.users.map((u) => ({ kind: 'user' as const, id: u.userId as number | string }))
  ]
  return entries.map(({ kind, id }) => journal.effect({
    name: `${mode === 'add' ? 'grant' : 'revoke'}:${kind}:${id}`,
    action: mode === 'remove' ? 'removeGrant' : isResource ? 'addResourceGrant' : 'addSiteResourceGrant',
    key: { ...on, kind, id },
    ...(parent === undefined ? {} : { parent })
  }, async () => {
    const request = mode === 'add'
      ? (isResource ? pangolin.addResourceGrant(target, kind, id, call) : pangolin.addSiteResourceGrant(target, kind, id, call))
      : (isResource ? pangolin.removeResourceGrant(target, kind, id, call) : pangolin.removeSiteResourceGrant(target, kind, id, call))
    const changed = await request
    if (mode === 'add') return changed ? 'added' : 'present'
    return changed ? 'removed' : 'absent'
  }))
}

/**
 * After an ambiguous create, a timed-out request may still land next to the retry that replaced
 * it. Once such stragglers have had time to arrive, every target on the resource that matches a
 * planned key but is not the journaled one is removed. Returns the targets that remain ours.
 */
export async function removeExtraTargets (ctx: KindContext, resourceId: number, planned: PlannedTarget[]): Promise<Target[]> {
  const { journal, pangolin, call, log } = ctx
  await journal.settle()
  const ours = new Set(journal.steps()
    .filter((s) => s.action === 'createTarget' && s.status === 'DONE' && s.naturalKey.resourceId === resourceId)
    .map((s) => Number(s.upstreamId)))
  const existing = await pangolin.listTargets(resourceId, call)
  const extras = existing.filter((t) => !ours.has(t.targetId) && planned.some((p) => sameTarget(t, p)))
  for (const extra of extras) {
    log.info({ targetId: extra.targetId }, 'removing a duplicate target left by an ambiguous create')
    await pangolin.deleteTarget(extra.targetId, call)
  }
  return existing.filter((t) => ours.has(t.targetId))
}
