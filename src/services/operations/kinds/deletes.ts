import { GatewayError } from '../../../errors.js'
import { parseInput } from '../../validate.js'
import { byIdInput, withoutKey } from '../inputs.js'
import type { OperationKind } from '../kind.js'
import { allOrFirstError } from '../resolve.js'
import { orgOfResource } from './targets.js'

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
  org: (input, p, call) => orgOfResource(p, input.resourceId, call),
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

export const deletePrivateResource: OperationKind<{ siteResourceId: number }, Record<string, never>, DeleteResult> = {
  name: 'deletePrivateResource',
  scope: 'delete',
  parse: (raw) => withoutKey(parseInput(byIdInput('siteResourceId'), raw)) as { siteResourceId: number },
  subject: (input) => ({ kind: 'siteResource', id: input.siteResourceId }),
  async org (input, p, call) {
    const found = await p.getSiteResource(input.siteResourceId, call)
    if (found.orgId === undefined) throw new GatewayError('INTERNAL_SERVER_ERROR', 'Pangolin answered without the org.')
    return found.orgId
  },
  gone: (input) => ({ id: input.siteResourceId, alreadyGone: true, removedTargets: 0 }),
  resolve: async () => ({}),
  async forward (ctx, _plan, input) {
    await ctx.journal.effect({ name: 'deleteSiteResource', action: 'deleteSiteResource', key: { siteResourceId: input.siteResourceId } },
      async () => { await ctx.pangolin.deleteSiteResource(input.siteResourceId, ctx.call); return String(input.siteResourceId) })
    return { id: input.siteResourceId, alreadyGone: false, removedTargets: 0 }
  },
  touched: (r) => ({ siteResourceId: r.id })
}

export const deleteSite: OperationKind<{ siteId: number }, Record<string, never>, DeleteResult> = {
  name: 'deleteSite',
  scope: 'delete',
  parse: (raw) => withoutKey(parseInput(byIdInput('siteId'), raw)) as { siteId: number },
  subject: (input) => ({ kind: 'site', id: input.siteId }),
  async org (input, p, call) {
    const site = await p.getSite(input.siteId, call)
    if (site.orgId === undefined) throw new GatewayError('INTERNAL_SERVER_ERROR', 'Pangolin answered without the org.')
    return site.orgId
  },
  gone: (input) => ({ id: input.siteId, alreadyGone: true, removedTargets: 0 }),
  resolve: async () => ({}),
  async forward (ctx, _plan, input) {
    await ctx.journal.effect({ name: 'deleteSite', action: 'deleteSite', key: { siteId: input.siteId } },
      async () => { await ctx.pangolin.deleteSite(input.siteId, ctx.call); return String(input.siteId) })
    return { id: input.siteId, alreadyGone: false, removedTargets: 0 }
  },
  touched: (r) => ({ siteId: r.id })
}
