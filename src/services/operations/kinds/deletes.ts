import type { CallContext, PangolinClient } from '../../../upstream/types.js'
import { parseInput } from '../../validate.js'
import { byIdInput, withoutKey } from '../inputs.js'
import type { OperationKind } from '../kind.js'
import { allOrFirstError } from '../resolve.js'
import { orgOf } from '../../org-of.js'

export interface DeleteResult { id: number, alreadyGone: boolean, removedTargets: number }

/**
 * Removes a public resource: its targets first, then the resource. A resource that is already
 * gone counts as done. Deletes cannot be undone, so a failure half-way is reported and a retry
 * (or recovery) finishes the job: every delete treats 404 as done.
 */
export const decommissionHttpService: OperationKind<{ resourceId: number }, { targetIds: number[] }, DeleteResult> = {
  name: 'decommissionHttpService',
  scope: 'delete',
  parse: (raw) => withoutKey(parseInput(byIdInput('resourceId'), raw)) as { resourceId: number },
  subject: (input) => ({ kind: 'resource', id: input.resourceId }),
  org: (input, p, call) => orgOf.resource(p, input.resourceId, call),
  gone: (input) => ({ id: input.resourceId, alreadyGone: true, removedTargets: 0 }),

  async resolve (ctx, input) {
    const targets = await ctx.pangolin.listTargets(input.resourceId, ctx.call)
    return { targetIds: targets.map((t) => t.targetId) }
  },

  async forward (ctx, plan, input) {
    const { journal, pangolin, call } = ctx
    await allOrFirstError(plan.targetIds.map((targetId) => journal.effect(
      { name: `deleteTarget:${targetId}`, action: 'deleteTarget', key: { targetId } },
      async () => { await pangolin.deleteTarget(targetId, call); return String(targetId) }
    )))
    await journal.effect({ name: 'deleteResource', action: 'deleteResource', key: { resourceId: input.resourceId } },
      async () => { await pangolin.deleteResource(input.resourceId, call); return String(input.resourceId) })
    return { id: input.resourceId, alreadyGone: false, removedTargets: plan.targetIds.length }
  },
  touched: (r) => ({ resourceId: r.id })
}

/**
 * A delete of one object by id: a single journaled step, and an object already gone counts as
 * done (the upstream client treats the delete's 404 as done too).
 */
function deleteOne<F extends 'siteResourceId' | 'siteId'> (spec: {
  name: string
  /** The journal step's name and action. */
  step: string
  field: F
  kind: 'siteResource' | 'site'
  remove: (p: PangolinClient, id: number, call: CallContext) => Promise<void>
}): OperationKind<Record<F, number>, Record<string, never>, DeleteResult> {
  const idOf = (input: Record<F, number>) => input[spec.field]
  return {
    name: spec.name,
    scope: 'delete',
    parse: (raw) => withoutKey(parseInput(byIdInput(spec.field), raw)) as Record<F, number>,
    subject: (input) => ({ kind: spec.kind, id: idOf(input) }),
    org: (input, p, call) => orgOf[spec.kind](p, idOf(input), call),
    gone: (input) => ({ id: idOf(input), alreadyGone: true, removedTargets: 0 }),
    resolve: async () => ({}),
    async forward (ctx, _plan, input) {
      const id = idOf(input)
      await ctx.journal.effect({ name: spec.step, action: spec.step, key: { [spec.field]: id } },
        async () => { await spec.remove(ctx.pangolin, id, ctx.call); return String(id) })
      return { id, alreadyGone: false, removedTargets: 0 }
    },
    touched: (r) => ({ [spec.field]: r.id })
  }
}

/** Removes a private resource; Pangolin removes its grants. */
export const deletePrivateResource = deleteOne({
  name: 'deletePrivateResource',
  step: 'deleteSiteResource',
  field: 'siteResourceId',
  kind: 'siteResource',
  remove: (p, id, call) => p.deleteSiteResource(id, call)
})

/** Removes a site; Pangolin removes the targets on it. */
export const deleteSite = deleteOne({
  name: 'deleteSite',
  step: 'deleteSite',
  field: 'siteId',
  kind: 'site',
  remove: (p, id, call) => p.deleteSite(id, call)
})
