import type { Logger } from 'pino'
import { z } from 'zod'
import { GatewayError } from '../errors.js'
import { Caller, type CallRecord, type CallSpec, type SharedLimiter } from './caller.js'
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js'
import { Limiter } from './concurrency.js'
import { Transport } from './http.js'
import type { KeyRing } from './key-ring.js'
import { RetryBudget } from './retry-budget.js'
import { isAbsentGrant, isGone, isPresentGrant } from './retry-policy.js'
import * as s from './schemas.js'
import type {
  CallContext, CreateResourceBody, CreateSiteBody, CreateSiteResourceBody,
  CreateTargetBody, GrantKind, ListQuery, Page, PangolinClient
} from './types.js'

export interface PangolinClientOptions {
  /** `PANGOLIN_URL`, e.g. `http://127.0.0.1:3003/v1`. */
  baseUrl: string
  keys: KeyRing
  logger: Logger
  /** Headers and body timeout of each attempt. Default 10000. */
  timeoutMs?: number
  /** Default 5000. */
  connectTimeoutMs?: number
  /** Requests in flight toward Pangolin. Default 16. */
  maxInFlight?: number
  /** How long a call waits for a slot. Default 5000. */
  queueTimeoutMs?: number
  /** Calls allowed to wait for a slot. Default 10000. */
  maxQueued?: number
  /** A cap on calls in flight shared with other replicas, on top of `maxInFlight`. */
  sharedLimiter?: SharedLimiter
  retry?: { attempts?: number, baseDelayMs?: number, maxDelayMs?: number }
  budget?: { ratio?: number, windowMs?: number, minRetriesPerWindow?: number }
  breaker?: { failureThreshold?: number, resetMs?: number }
  onCall?: (record: CallRecord) => void
}

export interface PangolinClientStats {
  inFlight: number
  queued: number
  breakerState: BreakerState
}

export interface ManagedPangolinClient extends PangolinClient {
  stats (): PangolinClientStats
  /** Fails waiting calls and closes the sockets once calls in flight end. */
  close (): Promise<void>
}

/** Lists that the product treats as whole are read in pages of this size. */
const PAGE = 1000
/** A guard against an upstream whose `total` never adds up. */
const MAX_PAGES = 50

const noData = s.ignoredSchema as z.ZodType<void>

function grantBody (kind: GrantKind, id: number | string): Record<string, unknown> {
  if (kind === 'user') return { userId: String(id) }
  const roleId = typeof id === 'number' ? id : Number(id)
  if (!Number.isInteger(roleId) || roleId <= 0) {
    throw new GatewayError('BAD_USER_INPUT', 'roleId: must be a positive integer', { extensions: { field: 'roleId' } })
  }
  return { roleId }
}

function pageOf<T> (items: T[], p: { total: number, page?: number | undefined, pageSize?: number | undefined }, q: ListQuery): Page<T> {
  return { items, total: p.total, page: p.page ?? q.page ?? 1, pageSize: p.pageSize ?? q.pageSize ?? 20 }
}

async function collect<T> (fetch: (index: number) => Promise<{ items: T[], total: number | undefined }>): Promise<T[]> {
  const all: T[] = []
  for (let i = 0; i < MAX_PAGES; i++) {
    const { items, total } = await fetch(i)
    all.push(...items)
    if (items.length === 0 || total === undefined || all.length >= total) break
  }
  return all
}

export function createPangolinClient (options: PangolinClientOptions): ManagedPangolinClient {
  const maxInFlight = options.maxInFlight ?? 16
  const transport = new Transport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    connections: maxInFlight
  })
  const limiter = new Limiter({
    maxInFlight,
    queueTimeoutMs: options.queueTimeoutMs ?? 5_000,
    ...(options.maxQueued === undefined ? {} : { maxQueued: options.maxQueued })
  })
  const breaker = new CircuitBreaker(options.breaker)
  const caller = new Caller({
    transport,
    keys: options.keys,
    limiter,
    sharedLimiter: options.sharedLimiter,
    budget: new RetryBudget(options.budget),
    breaker,
    logger: options.logger,
    attempts: options.retry?.attempts ?? 3,
    backoff: { baseDelayMs: options.retry?.baseDelayMs ?? 100, maxDelayMs: options.retry?.maxDelayMs ?? 2_000 },
    onCall: options.onCall
  })
  const call = <T>(spec: CallSpec<T>): Promise<T> => caller.call(spec)

  const read = <T>(route: string, schema: z.ZodType<T>, ctx: CallContext | undefined,
    params: Record<string, string | number>, query?: CallSpec<T>['query']): Promise<T> =>
      call({ method: 'GET', route, params, query, routeClass: 'read', schema, ctx })

  const remove = (route: string, params: Record<string, string | number>, ctx: CallContext | undefined): Promise<void> =>
    call({ method: 'DELETE', route, params, routeClass: 'delete', schema: noData, ctx, done: isGone })

  const grant = (base: string, op: 'add' | 'remove', idName: string, idValue: number,
    kind: GrantKind, id: number | string, ctx: CallContext | undefined): Promise<boolean> =>
    call<unknown>({
      method: 'POST',
      route: `${base}/${kind === 'role' ? 'roles' : 'users'}/${op}`,
      params: { [idName]: idValue },
      body: grantBody(kind, id),
      routeClass: 'grant',
      schema: noData,
      ctx,
      done: op === 'add' ? isPresentGrant : isAbsentGrant,
      doneValue: false
    }).then((value) => value !== false)

  const client: ManagedPangolinClient = {
    async health (ctx) {
      await call({ method: 'GET', route: '/', routeClass: 'read', schema: noData, ctx, authenticated: false })
    },

    pickSiteDefaults: (orgId, ctx) =>
      read('/org/:orgId/pick-site-defaults', s.siteDefaultsSchema, { ...ctx, orgId }, { orgId }),

    createSite: (orgId, body: CreateSiteBody, ctx) => call({
      method: 'PUT',
      route: '/org/:orgId/site',
      params: { orgId },
      body: {
        name: body.name,
        type: body.type,
        niceId: body.niceId,
        newtId: body.newtId,
        secret: body.secret,
        address: body.address
      },
      routeClass: 'create',
      schema: s.createdSiteSchema,
      ctx: { ...ctx, orgId },
      reconcile: ctx?.reconcile
    }),

    async listSites (orgId, query = {}, ctx) {
      const q = { query: query.query, page: query.page, pageSize: query.pageSize }
      const data = await read('/org/:orgId/sites', s.sitePageSchema, { ...ctx, orgId }, { orgId }, q)
      return pageOf(data.sites, data.pagination, query)
    },

    getSite: (siteId, ctx) => read('/site/:siteId', s.siteSchema, ctx, { siteId }),

    getSiteByNiceId: (orgId, niceId, ctx) =>
      read('/org/:orgId/site/:niceId', s.siteSchema, { ...ctx, orgId }, { orgId, niceId }),

    deleteSite: (siteId, ctx) => remove('/site/:siteId', { siteId }, ctx),

    listDomains: (orgId, ctx) => collect(async (i) => {
      const data = await read('/org/:orgId/domains', s.domainPageSchema, { ...ctx, orgId }, { orgId },
        { limit: PAGE, offset: i * PAGE })
      return { items: data.domains, total: data.pagination.total }
    }),

    createResource: (orgId, body: CreateResourceBody, ctx) => call({
      method: 'PUT',
      route: '/org/:orgId/resource',
      params: { orgId },
      // The body both generations accept: `mode` would be a 400 on the older one.
      body: {
        name: body.name,
        domainId: body.domainId,
        subdomain: body.subdomain,
        http: true,
        protocol: 'tcp',
        stickySession: body.stickySession
      },
      routeClass: 'create',
      schema: s.resourceSchema,
      ctx: { ...ctx, orgId },
      reconcile: ctx?.reconcile
    }),

    getResource: (resourceId, ctx) => read('/resource/:resourceId', s.resourceSchema, ctx, { resourceId }),

    async listResources (orgId, query = {}, ctx) {
      const q = { query: query.query, page: query.page, pageSize: query.pageSize, siteId: query.siteId }
      const data = await read('/org/:orgId/resources', s.resourcePageSchema, { ...ctx, orgId }, { orgId }, q)
      return pageOf(data.resources, data.pagination, query)
    },

    updateResource: (resourceId, body, ctx) => call({
      method: 'POST',
      route: '/resource/:resourceId',
      params: { resourceId },
      body,
      routeClass: 'update',
      schema: s.resourceSchema,
      ctx
    }),

    deleteResource: (resourceId, ctx) => remove('/resource/:resourceId', { resourceId }, ctx),

    createTarget: (resourceId, body: CreateTargetBody, ctx) => call({
      method: 'PUT',
      route: '/resource/:resourceId/target',
      params: { resourceId },
      body: { siteId: body.siteId, ip: body.ip, port: body.port, method: body.method, enabled: body.enabled },
      routeClass: 'create',
      schema: s.targetSchema,
      ctx,
      reconcile: ctx?.reconcile
    }),

    listTargets: (resourceId, ctx) => collect(async (i) => {
      const data = await read('/resource/:resourceId/targets', s.targetPageSchema, ctx, { resourceId },
        { limit: PAGE, offset: i * PAGE })
      return { items: data.targets, total: data.pagination?.total }
    }),

    getTarget: (targetId, ctx) => read('/target/:targetId', s.targetSchema, ctx, { targetId }),

    deleteTarget: (targetId, ctx) => remove('/target/:targetId', { targetId }, ctx),

    createSiteResource: (orgId, body: CreateSiteResourceBody, ctx) => call({
      method: 'PUT',
      route: '/org/:orgId/site-resource',
      params: { orgId },
      body: {
        name: body.name,
        mode: body.mode,
        siteIds: body.siteIds,
        destination: body.destination,
        alias: body.alias,
        tcpPortRangeString: body.tcpPortRangeString,
        udpPortRangeString: body.udpPortRangeString,
        disableIcmp: body.disableIcmp,
        // Pangolin requires all three arrays, even empty.
        roleIds: body.roleIds ?? [],
        userIds: body.userIds ?? [],
        clientIds: body.clientIds ?? []
      },
      routeClass: 'create',
      schema: s.siteResourceSchema,
      ctx: { ...ctx, orgId },
      reconcile: ctx?.reconcile
    }),

    getSiteResource: (siteResourceId, ctx) =>
      read('/site-resource/:siteResourceId', s.siteResourceSchema, ctx, { siteResourceId }),

    async listSiteResources (orgId, query = {}, ctx) {
      const q = { query: query.query, page: query.page, pageSize: query.pageSize, siteId: query.siteId }
      const data = await read('/org/:orgId/site-resources', s.siteResourcePageSchema, { ...ctx, orgId }, { orgId }, q)
      return pageOf(data.siteResources, data.pagination, query)
    },

    deleteSiteResource: (siteResourceId, ctx) =>
      remove('/site-resource/:siteResourceId', { siteResourceId }, ctx),

    listRoles: (orgId, ctx) => collect(async (i) => {
      const data = await read('/org/:orgId/roles', s.rolePageSchema, { ...ctx, orgId }, { orgId },
        { pageSize: PAGE, page: i + 1 })
      return { items: data.roles, total: data.pagination?.total }
    }),

    listUsers: (orgId, query = {}, ctx) => collect(async (i) => {
      const data = await read('/org/:orgId/users', s.userPageSchema, { ...ctx, orgId }, { orgId },
        { query: query.query, pageSize: PAGE, page: i + 1 })
      return { items: data.users, total: data.pagination?.total }
    }),

    addResourceGrant: (resourceId, kind, id, ctx) =>
      grant('/resource/:resourceId', 'add', 'resourceId', resourceId, kind, id, ctx),
    removeResourceGrant: (resourceId, kind, id, ctx) =>
      grant('/resource/:resourceId', 'remove', 'resourceId', resourceId, kind, id, ctx),
    addSiteResourceGrant: (siteResourceId, kind, id, ctx) =>
      grant('/site-resource/:siteResourceId', 'add', 'siteResourceId', siteResourceId, kind, id, ctx),
    removeSiteResourceGrant: (siteResourceId, kind, id, ctx) =>
      grant('/site-resource/:siteResourceId', 'remove', 'siteResourceId', siteResourceId, kind, id, ctx),

    stats: () => ({ inFlight: limiter.inFlight, queued: limiter.queued, breakerState: breaker.state }),

    async close () {
      limiter.close()
      await transport.close()
    }
  }
  return client
}
