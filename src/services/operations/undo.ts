import { isGatewayError } from '../../errors.js'
import type { StepRow } from '../../store/operations-repo.js'
import type { CallContext, PangolinClient } from '../../upstream/types.js'
import type { Journal } from './journal.js'

type Key = Record<string, any>

interface Undo {
  /** Finds the object a step may have created when its answer was never recorded. */
  find?: (p: PangolinClient, key: Key, call: CallContext) => Promise<string | undefined>
  remove: (p: PangolinClient, id: string, key: Key, call: CallContext) => Promise<void>
  /** Removing this also removes the children (Pangolin cascades), so they need no call of their own. */
  cascades?: boolean
}

export async function findResourceByDomain (p: PangolinClient, orgId: string, fullDomain: string, call: CallContext) {
  const page = await p.listResources(orgId, { query: fullDomain, pageSize: 1000 }, call)
  return page.items.find((r) => r.fullDomain?.toLowerCase() === fullDomain.toLowerCase())
}

export async function findSiteResource (p: PangolinClient, orgId: string, key: Key, call: CallContext) {
  const query = (key.alias as string | undefined) ?? (key.name as string)
  const page = await p.listSiteResources(orgId, { query, pageSize: 1000 }, call)
  return page.items.find((r) => key.alias !== undefined && key.alias !== null
    ? r.alias === key.alias
    : r.name === key.name && r.destination === key.destination)
}

/** A site's natural key is the niceId the gateway chose; Pangolin looks it up directly. */
export async function findSiteByNiceId (p: PangolinClient, orgId: string, niceId: string, call: CallContext) {
  try {
    return await p.getSiteByNiceId(orgId, niceId, call)
  } catch (err) {
    if (isGatewayError(err) && err.code === 'NOT_FOUND') return undefined
    throw err
  }
}

/** A target's natural key: (resourceId, siteId, ip, port, method). */
export async function findTarget (p: PangolinClient, key: Key, call: CallContext, skip: ReadonlySet<number> = new Set()) {
  const targets = await p.listTargets(key.resourceId, call)
  return targets.find((t) => !skip.has(t.targetId) && sameTarget(t, key))
}

export function sameTarget (t: { siteId: number, ip: string, port: number, method?: string | null }, key: Key): boolean {
  return t.siteId === key.siteId && t.ip === key.ip && t.port === key.port && (t.method ?? null) === (key.method ?? null)
}

async function tolerate404 (work: Promise<void>): Promise<void> {
  try {
    await work
  } catch (err) {
    if (!(isGatewayError(err) && err.code === 'NOT_FOUND')) throw err
  }
}

/**
 * How each kind of step is taken back. Deletes tolerate 404 (the upstream client already treats
 * a delete's 404 as done). Grants are removed only when this operation added them: a grant that
 * was already there is journaled as `present` and left alone.
 */
const UNDO: Record<string, Undo> = {
  createResource: {
    find: async (p, key, call) => (await findResourceByDomain(p, key.orgId, key.fullDomain, call))?.resourceId.toString(),
    remove: (p, id, _key, call) => tolerate404(p.deleteResource(Number(id), call)),
    cascades: true
  },
  createTarget: {
    find: async (p, key, call) => (await findTarget(p, key, call))?.targetId.toString(),
    remove: (p, id, _key, call) => tolerate404(p.deleteTarget(Number(id), call))
  },
  createSite: {
    find: async (p, key, call) => (await findSiteByNiceId(p, key.orgId, key.niceId, call))?.siteId.toString(),
    remove: (p, id, _key, call) => tolerate404(p.deleteSite(Number(id), call)),
    cascades: true
  },
  createSiteResource: {
    find: async (p, key, call) => (await findSiteResource(p, key.orgId, key, call))?.siteResourceId.toString(),
    remove: (p, id, _key, call) => tolerate404(p.deleteSiteResource(Number(id), call)),
    cascades: true
  },
  addResourceGrant: {
    remove: async (p, _id, key, call) => { await p.removeResourceGrant(key.resourceId, key.kind, key.id, call) }
  },
  addSiteResourceGrant: {
    remove: async (p, _id, key, call) => { await p.removeSiteResourceGrant(key.siteResourceId, key.kind, key.id, call) }
  }
}

/**
 * Takes back what the journal says was (or may have been) done, newest first. Steps under a
 * parent that is itself taken back go with it. Throws if any undo fails; what was undone stays
 * marked, so the next attempt continues where this one stopped.
 */
export async function compensate (journal: Journal, pangolin: PangolinClient, call: CallContext): Promise<void> {
  const steps = journal.steps().reverse()
  const undone = new Set(steps.filter((s) => willUndo(s)).map((s) => s.name))

  for (const step of steps) {
    if (!undone.has(step.name)) continue
    const undo = UNDO[step.action]!
    const parent = step.parent === null ? undefined : steps.find((s) => s.name === step.parent)
    if (parent !== undefined && undone.has(parent.name) && UNDO[parent.action]?.cascades === true) {
      await journal.markUndone(step.name)
      continue
    }
    let id = step.status === 'DONE' ? step.upstreamId ?? undefined : undefined
    if (id === undefined && undo.find !== undefined) {
      await journal.settle()
      id = await undo.find(pangolin, step.naturalKey, call)
    }
    if (id !== undefined && !(step.status === 'DONE' && step.upstreamId === 'present')) {
      await undo.remove(pangolin, id, step.naturalKey, call)
    }
    await journal.markUndone(step.name)
  }
}

function willUndo (step: StepRow): boolean {
  if (step.status === 'UNDONE' || UNDO[step.action] === undefined) return false
  if (step.status === 'DONE') return step.upstreamId !== 'present'
  // PENDING or FAILED: sent, answer unknown. Only creates can be looked up; an unknown grant is left.
  return UNDO[step.action]!.find !== undefined
}
