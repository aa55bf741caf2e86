import { GatewayError } from '../errors.js'
import { servesOrg, type Principal, type Scope } from '../auth/scopes.js'

/**
 * The one place that says yes or no. It runs before any upstream call, and an org outside the
 * client's set is FORBIDDEN (not an empty answer), so a client can tell "none" from "not yours".
 */
export function authorize (principal: Principal, scope: Scope, orgId?: string): void {
  if (!principal.scopes.includes(scope)) {
    throw new GatewayError('FORBIDDEN', `This client lacks the "${scope}" scope.`, {
      extensions: { requiredScope: scope }
    })
  }
  if (orgId !== undefined && !servesOrg(principal, orgId)) {
    throw new GatewayError('FORBIDDEN', `This client may not act in org "${orgId}".`)
  }
}

/** The org whose upstream key to use when a call names no org: the client's only org, if it has one. */
export function keyHint (principal: Principal): string | undefined {
  return principal.orgs !== '*' && principal.orgs.length === 1 ? principal.orgs[0] : undefined
}
