import { GatewayError } from '../../../errors.js'
import { orgOf } from '../../org-of.js'
import type { Target } from '../../../upstream/types.js'
import { parseInput } from '../../validate.js'
import { addTargetsInput, byIdInput, withoutKey, type AddTargetsInput } from '../inputs.js'
import type { OperationKind } from '../kind.js'
import { OrgDirectory, allOrFirstError, resolveTargets, type PlannedTarget } from '../resolve.js'
import { createTargets, removeExtraTargets } from '../steps.js'
import { sameTarget } from '../undo.js'

type AddInput = Omit<AddTargetsInput, 'idempotencyKey'>
interface AddPlan { resourceId: number, targets: PlannedTarget[] }
export interface AddTargetsResult { resourceId: number, targets: Target[] }

/** More targets on an existing resource; one that is already there is a CONFLICT, not a duplicate. */
export const addTargets: OperationKind<AddInput, AddPlan, AddTargetsResult> = {
  name: 'addTargets',
  scope: 'provision',
  parse: (raw) => withoutKey(parseInput(addTargetsInput, raw)),
  subject: (input) => ({ kind: 'resource', id: input.resourceId }),
  org: (input, p, call) => orgOf.resource(p, input.resourceId, call),

  async resolve (ctx, input) {
    const [targets, existing] = await Promise.all([
      resolveTargets(new OrgDirectory(ctx), input.targets),
      ctx.pangolin.listTargets(input.resourceId, ctx.call)
    ])
    targets.forEach((t, i) => {
      const same = existing.find((e) => sameTarget(e, t))
      if (same !== undefined) {
        throw new GatewayError('CONFLICT', `targets[${i}]: the resource already has this target.`, {
          extensions: { field: `targets[${i}]`, existingTargetId: same.targetId }
        })
      }
    })
    return { resourceId: input.resourceId, targets }
  },

  async forward (ctx, plan) {
    const created = await allOrFirstError(createTargets(ctx, plan.resourceId, plan.targets))
    let targets = created.filter((t): t is Target => typeof t !== 'number')
    if (ctx.journal.ambiguous || targets.length !== created.length) {
      targets = await removeExtraTargets(ctx, plan.resourceId, plan.targets)
    }
    return { resourceId: plan.resourceId, targets }
  },
  touched: (r) => ({ resourceId: r.resourceId, targetIds: r.targets.map((t) => t.targetId) })
}

type RemoveInput = { targetId: number }
export interface RemoveTargetResult { targetId: number, resourceId: number }

export const removeTarget: OperationKind<RemoveInput, { resourceId: number }, RemoveTargetResult> = {
  name: 'removeTarget',
  scope: 'delete',
  parse: (raw) => withoutKey(parseInput(byIdInput('targetId'), raw)) as RemoveInput,
  subject: (input) => ({ kind: 'target', id: input.targetId }),
  org: (input, p, call) => orgOf.target(p, input.targetId, call),
  async resolve (ctx, input) {
    return { resourceId: (await ctx.pangolin.getTarget(input.targetId, ctx.call)).resourceId }
  },
  async forward (ctx, plan, input) {
    await ctx.journal.effect({ name: 'deleteTarget', action: 'deleteTarget', key: { targetId: input.targetId } }, async () => {
      await ctx.pangolin.deleteTarget(input.targetId, ctx.call)
      return String(input.targetId)
    })
    return { targetId: input.targetId, resourceId: plan.resourceId }
  },
  touched: (r) => ({ targetId: r.targetId, resourceId: r.resourceId })
}
