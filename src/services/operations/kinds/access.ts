import type { CallContext, PangolinClient } from '../../../upstream/types.js'
import { parseInput } from '../../validate.js'
import { accessInput, withoutKey, type AccessInput } from '../inputs.js'
import type { KindContext, OperationKind } from '../kind.js'
import { OrgDirectory, allOrFirstError, resolveGrants, type PlannedGrants } from '../resolve.js'
import { changeGrants } from '../steps.js'
import { orgOf } from '../../org-of.js'

type Input = Omit<AccessInput, 'idempotencyKey'>
interface Plan { on: { resourceId: number } | { siteResourceId: number }, grants: PlannedGrants }
export interface AccessResult extends PlannedGrants { resourceId: number | null, siteResourceId: number | null }

function org (input: Input, p: PangolinClient, call: CallContext): Promise<string> {
  return input.resourceId != null
    ? orgOf.resource(p, input.resourceId, call)
    : orgOf.siteResource(p, input.siteResourceId!, call)
}

function subject (input: Input) {
  return input.resourceId != null
    ? { kind: 'resource' as const, id: input.resourceId }
    : { kind: 'siteResource' as const, id: input.siteResourceId! }
}

async function resolve (ctx: KindContext, input: Input): Promise<Plan> {
  const grants = await resolveGrants(new OrgDirectory(ctx), input, '')
  const on = input.resourceId != null ? { resourceId: input.resourceId } : { siteResourceId: input.siteResourceId! }
  return { on, grants }
}

function result (plan: Plan): AccessResult {
  return {
    resourceId: 'resourceId' in plan.on ? plan.on.resourceId : null,
    siteResourceId: 'siteResourceId' in plan.on ? plan.on.siteResourceId : null,
    ...plan.grants
  }
}

/** One kind per direction; both are idempotent, and both name the same grants the same way. */
function accessKind (name: 'grantAccess' | 'revokeAccess', mode: 'add' | 'remove'): OperationKind<Input, Plan, AccessResult> {
  return {
    name,
    scope: 'grant',
    parse: (raw) => withoutKey(parseInput(accessInput, raw)),
    subject,
    org,
    resolve,
    async forward (ctx, plan) {
      await allOrFirstError(changeGrants(ctx, plan.on, plan.grants, mode))
      return result(plan)
    }
  }
}

/** Grants roles and users access; granting what is granted succeeds. Undone only where it added. */
export const grantAccess = accessKind('grantAccess', 'add')

/** Revokes access; revoking what is absent succeeds. A revoke is not re-granted on failure. */
export const revokeAccess = accessKind('revokeAccess', 'remove')
