import DataLoader from 'dataloader'
import { z } from 'zod'
import type { Logger } from 'pino'
import { GatewayError } from '../errors.js'
import type { Principal } from '../auth/scopes.js'
import type {
  Domain, Page, PangolinClient, Resource, Role, Site, SiteResource, Target, User
} from '../upstream/types.js'
import type { ObjectKind, OrgIndex } from './org-index.js'
import { reported } from './org-of.js'
import { authorize, keyHint } from './policy.js'
import { parseInput } from './validate.js'

const pageArgs = z.object({
  query: z.string().max(255, { error: 'must be at most 255 characters' }).nullish(),
  page: z.number().int().min(1, { error: 'must be 1 or more' }).default(1),
  pageSize: z.number().int().min(1, { error: 'must be between 1 and 1000' })
    .max(1000, { error: 'must be between 1 and 1000' }).default(20),
  siteId: z.number().int().positive({ error: 'must be a positive integer' }).nullish()
})
export type PageArgs = z.input<typeof pageArgs>

/** A page big enough to hold every site of an org in one call. */
const ALL = 1000

export type OrgResource = Resource & { orgId: string }
export type OrgSite = Site & { orgId: string }
export type OrgTarget = Target & { orgId: string }

/**
 * The read side. A Reader lives for one request: it carries the caller and the DataLoaders that
 * collapse repeated and sibling lookups into as few upstream calls as Pangolin's routes allow.
 */
export class Catalog {
  readonly #client: PangolinClient
  readonly #index: OrgIndex

  constructor (client: PangolinClient, index: OrgIndex) {
    this.#client = client
    this.#index = index
  }

  reader (principal: Principal, log: Logger, signal?: AbortSignal): Reader {
    return new Reader(this.#client, this.#index, principal, log, signal)
  }
}

export class Reader {
  readonly principal: Principal
  readonly #client: PangolinClient
  readonly #index: OrgIndex
  readonly #log: Logger
  readonly #signal: AbortSignal | undefined
  readonly #domains: DataLoader<string, Domain[]>
  readonly #orgSites: DataLoader<string, Site[]>
  readonly #resources: DataLoader<number, Resource | null>
  readonly #targets: DataLoader<number, Target[]>
  readonly #sites: DataLoader<number, Site | null>

  constructor (client: PangolinClient, index: OrgIndex, principal: Principal, log: Logger, signal?: AbortSignal) {
    this.#client = client
    this.#index = index
    this.principal = principal
    this.#log = log
    this.#signal = signal
    const one = { batch: false }
    this.#domains = new DataLoader((orgs) => settle(orgs, (orgId) => client.listDomains(orgId, this.#ctx(orgId))), one)
    this.#orgSites = new DataLoader((orgs) => settle(orgs, async (orgId) =>
      (await client.listSites(orgId, { pageSize: ALL }, this.#ctx(orgId))).items), one)
    this.#resources = new DataLoader((ids) => settle(ids, (id) =>
      orNull(client.getResource(id, this.#ctx(this.#orgFor('resource', id))))), one)
    this.#targets = new DataLoader((ids) => settle(ids, (id) => client.listTargets(id, this.#ctx(this.#orgFor('resource', id)))), one)
    this.#sites = new DataLoader((ids) => settle(ids, (id) =>
      orNull(client.getSite(id, this.#ctx(this.#orgFor('site', id))))), one)
  }

  /** The org an id is known to be in, else the caller's only org: it picks the upstream key. */
  #orgFor (kind: ObjectKind, id: number): string | undefined {
    return this.#index.get(kind, id) ?? keyHint(this.principal)
  }

  /** Refuses an id already known to be in another org, before any upstream call. */
  #precheck (kind: ObjectKind, id: number): void {
    authorize(this.principal, 'read', this.#index.get(kind, id))
  }

  #learn<T> (kind: ObjectKind, items: T[], id: (item: T) => number, orgId: string): T[] {
    for (const item of items) this.#index.set(kind, id(item), orgId)
    return items
  }

  #ctx (orgId: string | undefined) {
    return { orgId, log: this.#log, signal: this.#signal }
  }

  org (orgId: string): { orgId: string } {
    authorize(this.principal, 'read', orgId)
    return { orgId }
  }

  async sites (orgId: string, args: PageArgs): Promise<Page<OrgSite>> {
    const a = parseInput(pageArgs, args)
    const page = await this.#client.listSites(orgId, listQuery(a), this.#ctx(orgId))
    this.#learn('site', page.items, (s) => s.siteId, orgId)
    return { ...page, items: page.items.map((s) => ({ ...s, orgId })) }
  }

  async siteByNiceId (orgId: string, niceId: string): Promise<OrgSite | null> {
    const site = await orNull(this.#client.getSiteByNiceId(orgId, niceId, this.#ctx(orgId)))
    return site === null ? null : { ...site, orgId }
  }

  /** A site by id: the org is learnt from Pangolin's answer, which is withheld if it is not the caller's. */
  async site (siteId: number): Promise<OrgSite | null> {
    this.#precheck('site', siteId)
    const site = await this.#sites.load(siteId)
    if (site === null) return null
    this.#index.set('site', siteId, site.orgId)
    const orgId = this.#owned(site.orgId)
    return { ...site, orgId }
  }

  domains (orgId: string): Promise<Domain[]> {
    return this.#domains.load(orgId)
  }

  async resources (orgId: string, args: PageArgs): Promise<Page<OrgResource>> {
    const a = parseInput(pageArgs, args)
    const query = { ...listQuery(a), ...(a.siteId == null ? {} : { siteId: a.siteId }) }
    const page = await this.#client.listResources(orgId, query, this.#ctx(orgId))
    this.#learn('resource', page.items, (r) => r.resourceId, orgId)
    this.#learn('target', page.items.flatMap((r) => r.targets ?? []), (x) => x.targetId, orgId)
    return { ...page, items: page.items.map((r) => ({ ...r, orgId })) }
  }

  /** Pangolin has no lookup by domain: its list search matches substrings, so filter for the exact one. */
  async resourceByDomain (orgId: string, fullDomain: string): Promise<OrgResource | null> {
    const wanted = fullDomain.trim().toLowerCase()
    const page = await this.#client.listResources(orgId, { query: wanted, pageSize: ALL }, this.#ctx(orgId))
    const found = page.items.find((r) => r.fullDomain?.toLowerCase() === wanted)
    return found === undefined ? null : { ...found, orgId }
  }

  async resource (resourceId: number): Promise<OrgResource | null> {
    this.#precheck('resource', resourceId)
    const resource = await this.#resources.load(resourceId)
    if (resource === null) return null
    this.#index.set('resource', resourceId, resource.orgId)
    return { ...resource, orgId: this.#owned(resource.orgId) }
  }

  /** A list already carries the targets; only a resource fetched alone needs the targets route. */
  async targets (resource: OrgResource): Promise<OrgTarget[]> {
    const targets = resource.targets ?? await this.#targets.load(resource.resourceId)
    return targets.map((t) => ({ ...t, orgId: resource.orgId }))
  }

  /** The list's targets lack `method`; asking for it costs one targets call per resource. */
  async targetMethod (target: OrgTarget): Promise<string | null> {
    if (target.method !== undefined) return target.method
    const full = await this.#targets.load(target.resourceId)
    return full.find((t) => t.targetId === target.targetId)?.method ?? null
  }

  async targetSite (target: OrgTarget): Promise<OrgSite | null> {
    const sites = await this.#orgSites.load(target.orgId)
    const site = sites.find((s) => s.siteId === target.siteId)
    return site === undefined ? null : { ...site, orgId: target.orgId }
  }

  async siteResources (site: OrgSite): Promise<OrgResource[]> {
    const page = await this.#client.listResources(site.orgId, { siteId: site.siteId, pageSize: ALL }, this.#ctx(site.orgId))
    return page.items.map((r) => ({ ...r, orgId: site.orgId }))
  }

  async domainOf (resource: OrgResource): Promise<Domain | null> {
    if (resource.domainId === null) return null
    const domains = await this.#domains.load(resource.orgId)
    return domains.find((d) => d.domainId === resource.domainId) ?? null
  }

  /** Lists do not carry the subdomain; it is what the full domain adds to the base domain. */
  async subdomainOf (resource: OrgResource): Promise<string | null> {
    if (resource.subdomain !== undefined) return resource.subdomain
    const domain = await this.domainOf(resource)
    if (domain === null || resource.fullDomain === null) return null
    const suffix = `.${domain.baseDomain.toLowerCase()}`
    return resource.fullDomain.endsWith(suffix) ? resource.fullDomain.slice(0, -suffix.length) : null
  }

  async privateResources (orgId: string, args: PageArgs): Promise<Page<SiteResource>> {
    const a = parseInput(pageArgs, args)
    const page = await this.#client.listSiteResources(orgId, listQuery(a), this.#ctx(orgId))
    this.#learn('siteResource', page.items, (r) => r.siteResourceId, orgId)
    return page
  }

  async privateResource (siteResourceId: number): Promise<SiteResource | null> {
    this.#precheck('siteResource', siteResourceId)
    const found = await orNull(this.#client.getSiteResource(siteResourceId, this.#ctx(this.#orgFor('siteResource', siteResourceId))))
    if (found === null) return null
    this.#index.set('siteResource', siteResourceId, found.orgId)
    this.#owned(found.orgId)
    return found
  }

  roles (orgId: string): Promise<Role[]> {
    return this.#client.listRoles(orgId, this.#ctx(orgId))
  }

  users (orgId: string, query: string | null | undefined): Promise<User[]> {
    return this.#client.listUsers(orgId, query == null ? {} : { query }, this.#ctx(orgId))
  }

  #owned (orgId: string | undefined): string {
    const known = reported(orgId)
    authorize(this.principal, 'read', known)
    return known
  }
}

function listQuery (a: z.infer<typeof pageArgs>) {
  return { page: a.page, pageSize: a.pageSize, ...(a.query == null || a.query === '' ? {} : { query: a.query }) }
}

async function orNull<T> (promise: Promise<T>): Promise<T | null> {
  try {
    return await promise
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'NOT_FOUND') return null
    throw err
  }
}

/** DataLoader wants errors as values, one per key. */
async function settle<K, V> (keys: readonly K[], load: (key: K) => Promise<V>): Promise<Array<V | Error>> {
  return await Promise.all(keys.map(async (key) => {
    try {
      return await load(key)
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err))
    }
  }))
}
