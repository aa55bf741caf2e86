import { GatewayError } from '../errors.js'
import type { CallContext, PangolinClient } from '../upstream/types.js'

/**
 * The org of an object that an input names only by id. Only Pangolin knows it: one read before
 * anything is written (skipped when the org index already knows the id).
 */
export const orgOf = {
  resource: async (p: PangolinClient, id: number, call: CallContext) => reported((await p.getResource(id, call)).orgId),
  siteResource: async (p: PangolinClient, id: number, call: CallContext) => reported((await p.getSiteResource(id, call)).orgId),
  site: async (p: PangolinClient, id: number, call: CallContext) => reported((await p.getSite(id, call)).orgId),
  target: async (p: PangolinClient, id: number, call: CallContext) =>
    await orgOf.resource(p, (await p.getTarget(id, call)).resourceId, call)
}

/** An answer without the org would make every authorization decision a guess: refuse it. */
export function reported (orgId: string | undefined): string {
  if (orgId === undefined) throw new GatewayError('INTERNAL_SERVER_ERROR', 'Pangolin answered without the object\'s org.')
  return orgId
}
