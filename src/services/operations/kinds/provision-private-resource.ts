import { GatewayError } from '../../../errors.js'
import type { SiteResource } from '../../../upstream/types.js'
import { parseInput } from '../../validate.js'
import { provisionPrivateResourceInput, withoutKey, type ProvisionPrivateResourceInput } from '../inputs.js'
import type { OperationKind } from '../kind.js'
import { OrgDirectory, resolveGrants, resolveSite, type PlannedGrants } from '../resolve.js'
import { findSiteResource } from '../undo.js'

type Input = Omit<ProvisionPrivateResourceInput, 'idempotencyKey'>

interface Plan {
  name: string
  mode: 'host' | 'cidr'
  siteId: number
  destination: string
  alias: string | null
  tcpPortRangeString: string
  udpPortRangeString: string
  disableIcmp: boolean | null
  grants: PlannedGrants
}

export interface PrivateResourceResult { privateResource: SiteResource & { orgId: string } }

/**
 * A private resource (Pangolin's site resource) with its grants. Both port strings are sent
 * explicitly: Pangolin reads an omitted one as "all ports". The grants go in the create body, which
 * Pangolin inserts in the same transaction, so there is one write to journal and to undo.
 */
export const provisionPrivateResource: OperationKind<Input, Plan, PrivateResourceResult> = {
  name: 'provisionPrivateResource',
  scope: 'provision',

  parse: (raw) => withoutKey(parseInput(provisionPrivateResourceInput, raw)),
  org: (input) => input.orgId,

  async resolve (ctx, input) {
    const dir = new OrgDirectory(ctx)
    const [site, grants, clash] = await Promise.all([
      resolveSite(dir, input, ''),
      resolveGrants(dir, input.access, 'access'),
      // The natural key must be free, or a lookup after a lost answer could claim someone else's.
      findSiteResource(ctx.pangolin, ctx.orgId, { alias: input.alias ?? null, name: input.name, destination: input.destination }, ctx.call)
    ])
    if (clash !== undefined) {
      const what = input.alias == null ? `name ${input.name} and destination ${input.destination} are` : `alias ${input.alias} is`
      throw new GatewayError('CONFLICT', `The ${what} already used by a private resource in this org.`, {
        extensions: { field: input.alias == null ? 'name' : 'alias', existingSiteResourceId: clash.siteResourceId }
      })
    }
    return {
      name: input.name,
      mode: input.mode,
      siteId: site.siteId,
      destination: input.destination,
      alias: input.alias ?? null,
      tcpPortRangeString: input.tcpPortRangeString,
      udpPortRangeString: input.udpPortRangeString,
      disableIcmp: input.disableIcmp ?? null,
      grants
    }
  },

  async forward (ctx, plan) {
    const { journal, pangolin, call, orgId } = ctx
    const key = { orgId, alias: plan.alias, name: plan.name, destination: plan.destination }
    const step = await journal.step<SiteResource>({ name: 'siteResource', action: 'createSiteResource', key }, {
      run: (reconcile) => pangolin.createSiteResource(orgId, {
        name: plan.name,
        mode: plan.mode,
        siteIds: [plan.siteId],
        destination: plan.destination,
        ...(plan.alias === null ? {} : { alias: plan.alias }),
        tcpPortRangeString: plan.tcpPortRangeString,
        udpPortRangeString: plan.udpPortRangeString,
        ...(plan.disableIcmp === null ? {} : { disableIcmp: plan.disableIcmp }),
        roleIds: plan.grants.roles.map((r) => r.roleId),
        userIds: plan.grants.users.map((u) => u.userId),
        clientIds: []
      }, { ...call, reconcile }),
      find: () => findSiteResource(pangolin, orgId, key, call),
      id: (r) => String(r.siteResourceId)
    })
    const created = step.value ?? await pangolin.getSiteResource(Number(step.id), call)
    return { privateResource: { ...created, siteIds: created.siteIds ?? [plan.siteId], orgId } }
  },

  touched: (r) => ({ siteResourceId: r.privateResource.siteResourceId })
}
