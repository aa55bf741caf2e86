import { GatewayError, badInput } from '../../../errors.js'
import type { Resource, Target } from '../../../upstream/types.js'
import { parseInput } from '../../validate.js'
import { provisionHttpServiceInput, withoutKey, type ProvisionHttpServiceInput } from '../inputs.js'
import type { OperationKind } from '../kind.js'
import { OrgDirectory, allOrFirstError, resolveGrants, resolveTargets, type PlannedGrants, type PlannedTarget } from '../resolve.js'
import { changeGrants, createTargets, removeExtraTargets } from '../steps.js'
import { findResourceByDomain } from '../undo.js'

type Input = Omit<ProvisionHttpServiceInput, 'idempotencyKey'>

interface Plan {
  name: string
  domainId: string
  subdomain: string | null
  fullDomain: string
  stickySession: boolean | null
  targets: PlannedTarget[]
  grants: PlannedGrants
}

export interface ProvisionResult {
  resource: Resource & { orgId: string }
  targets: Target[]
}

/**
 * A public HTTP resource, its targets and its grants. Order: resolve every name to an id and check
 * the domain is free (reads only), create the resource, then targets and grants side by side.
 */
export const provisionHttpService: OperationKind<Input, Plan, ProvisionResult> = {
  name: 'provisionHttpService',
  scope: 'provision',

  parse: (raw) => withoutKey(parseInput(provisionHttpServiceInput, raw)),
  org: (input) => input.orgId,

  async resolve (ctx, input) {
    const dir = new OrgDirectory(ctx)
    const [domains, targets, grants] = await Promise.all([
      dir.domains(),
      resolveTargets(dir, input.targets),
      resolveGrants(dir, input.access, 'access')
    ])
    const domain = input.domainId != null
      ? domains.find((d) => d.domainId === input.domainId)
      : domains.find((d) => d.baseDomain.toLowerCase() === input.baseDomain)
    const field = input.domainId != null ? 'domainId' : 'baseDomain'
    if (domain === undefined) {
      throw new GatewayError('NOT_FOUND', `${field}: no domain ${JSON.stringify(input.domainId ?? input.baseDomain)} in this org`, { extensions: { field } })
    }
    if (!domain.verified) throw badInput(field, `the domain ${domain.baseDomain} is not verified in Pangolin`)
    const subdomain = input.subdomain == null || input.subdomain === '' ? null : input.subdomain
    if (subdomain !== null && domain.type === 'cname') {
      throw badInput('subdomain', `${domain.baseDomain} is a CNAME domain: Pangolin would ignore the subdomain; omit it`)
    }
    const fullDomain = (subdomain === null ? domain.baseDomain : `${subdomain}.${domain.baseDomain}`).toLowerCase()

    const existing = await findResourceByDomain(ctx.pangolin, ctx.orgId, fullDomain, ctx.call)
    if (existing !== undefined) {
      throw new GatewayError('CONFLICT', `A resource already serves ${fullDomain}.`, {
        extensions: { existingResourceId: existing.resourceId, field: 'subdomain' }
      })
    }
    return { name: input.name, domainId: domain.domainId, subdomain, fullDomain, stickySession: input.stickySession ?? null, targets, grants }
  },

  async forward (ctx, plan) {
    const { journal, pangolin, call, orgId } = ctx
    const created = await journal.step<Resource>({ name: 'resource', action: 'createResource', key: { orgId, fullDomain: plan.fullDomain } }, {
      run: (reconcile) => pangolin.createResource(orgId, {
        name: plan.name,
        domainId: plan.domainId,
        ...(plan.subdomain === null ? {} : { subdomain: plan.subdomain }),
        ...(plan.stickySession === null ? {} : { stickySession: plan.stickySession })
      }, { ...call, reconcile }),
      find: () => findResourceByDomain(pangolin, orgId, plan.fullDomain, call),
      id: (r) => String(r.resourceId)
    })
    const resourceId = Number(created.id)

    const [targets] = await Promise.all([
      allOrFirstError(createTargets(ctx, resourceId, plan.targets, 'resource')),
      allOrFirstError(changeGrants(ctx, { resourceId }, plan.grants, 'add', 'resource'))
    ])

    let finalTargets = targets.filter((t): t is Target => typeof t !== 'number')
    if (journal.ambiguous || finalTargets.length !== targets.length) {
      finalTargets = await removeExtraTargets(ctx, resourceId, plan.targets)
    }
    const resource = created.value ?? await pangolin.getResource(resourceId, call)
    return { resource: { ...resource, orgId, targets: finalTargets }, targets: finalTargets }
  },

  touched: (r) => ({ resourceId: r.resource.resourceId, targetIds: r.targets.map((t) => t.targetId) })
}
