import { randomBytes } from 'node:crypto'
import { GatewayError } from '../../../errors.js'
import type { CreatedSite, Site } from '../../../upstream/types.js'
import { parseInput } from '../../validate.js'
import { createSiteInput, withoutKey } from '../inputs.js'
import type { OperationKind } from '../kind.js'
import { findSiteByNiceId } from '../undo.js'

type Input = { orgId: string, name: string, niceId?: string | null }
interface Plan { name: string, niceId: string, newtId: string }

export interface CreateSiteResult {
  site: Site & { orgId: string }
  newtCredentials: { newtId: string, secret: string }
}

function slug (name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'site'
}

/**
 * A Newt site. The gateway chooses the niceId (its natural key) and the Newt secret, derived from
 * the operation id, so a retry after a crash can finish and still hand out working credentials
 * without the secret ever being stored.
 */
export const createSite: OperationKind<Input, Plan, CreateSiteResult> = {
  name: 'createSite',
  scope: 'provision',

  parse: (raw) => withoutKey(parseInput(createSiteInput, raw)),
  org: (input) => input.orgId,

  async resolve (ctx, input) {
    const defaults = await ctx.pangolin.pickSiteDefaults(ctx.orgId, ctx.call)
    let niceId = input.niceId ?? undefined
    if (niceId !== undefined) {
      const taken = await findSiteByNiceId(ctx.pangolin, ctx.orgId, niceId, ctx.call)
      if (taken !== undefined) {
        throw new GatewayError('CONFLICT', `niceId: the site ${niceId} already exists in this org.`, {
          extensions: { field: 'niceId', existingSiteId: taken.siteId }
        })
      }
    } else {
      niceId = `${slug(input.name)}-${randomBytes(3).toString('hex')}`
    }
    return { name: input.name, niceId, newtId: defaults.newtId }
  },

  async forward (ctx, plan) {
    const { journal, pangolin, call, orgId } = ctx
    const secret = ctx.newtSecret(journal.op.id)
    const step = await journal.step<Site | CreatedSite>({ name: 'site', action: 'createSite', key: { orgId, niceId: plan.niceId } }, {
      run: (reconcile) => pangolin.createSite(orgId, { name: plan.name, type: 'newt', niceId: plan.niceId, newtId: plan.newtId, secret }, { ...call, reconcile }),
      find: () => findSiteByNiceId(pangolin, orgId, plan.niceId, call),
      id: (s) => String(s.siteId)
    })
    const site = step.value ?? await pangolin.getSite(Number(step.id), call)
    const { newtId: _n, secret: _s, ...plain } = site as CreatedSite
    return { site: { ...plain, orgId }, newtCredentials: { newtId: plan.newtId, secret } }
  },

  // The secret never reaches the store: a replay derives it again from the operation id.
  store: (r) => ({ site: r.site, newtId: r.newtCredentials.newtId }),
  present: (stored, { operationId, newtSecret }) => {
    const s = stored as { site: CreateSiteResult['site'], newtId: string }
    return { site: s.site, newtCredentials: { newtId: s.newtId, secret: newtSecret(operationId) } }
  },
  touched: (r) => ({ siteId: r.site.siteId })
}
