import type { IResolvers, MercuriusContext } from 'mercurius'
import type { Principal } from '../../auth/scopes.js'
import type { OrgResource, OrgSite, OrgTarget, PageArgs, Reader } from '../../services/catalog.js'
import type { ClientView } from '../../services/clients.js'
import type { Services } from '../../services/index.js'
import type { AuditRow } from '../../store/audit-repo.js'
import type { SiteResource } from '../../upstream/types.js'
import { authorize } from '../../services/policy.js'

declare module 'mercurius' {
  interface MercuriusContext {
    principal: Principal
    reader: Reader
    services: Services
    requestId: string
  }
}

type Ctx = MercuriusContext
type Args = Record<string, any>

const upper = (s: string) => s.toUpperCase()

export function buildResolvers (): IResolvers {
  return {
    Query: {
      viewer: (_: unknown, __: Args, ctx: Ctx) => ctx.principal,
      org: (_: unknown, { orgId }: Args, ctx: Ctx) => ctx.reader.org(orgId),
      site: (_: unknown, { siteId }: Args, ctx: Ctx) => ctx.reader.site(siteId),
      resource: (_: unknown, { resourceId }: Args, ctx: Ctx) => ctx.reader.resource(resourceId),
      privateResource: (_: unknown, { siteResourceId }: Args, ctx: Ctx) => ctx.reader.privateResource(siteResourceId),
      clients: (_: unknown, __: Args, ctx: Ctx) => {
        authorize(ctx.principal, 'admin')
        return ctx.services.clients.list()
      },
      auditEvents: (_: unknown, args: Args, ctx: Ctx) => {
        authorize(ctx.principal, 'admin')
        return ctx.services.audit.list(args)
      },
      operation: (_: unknown, { id }: Args, ctx: Ctx) => ctx.services.operations.get(ctx.principal, id)
    },

    Mutation: {
      createClient: (_: unknown, { input }: Args, ctx: Ctx) => ctx.services.admin.createClient(ctx.principal, {
        name: input.name,
        orgs: input.orgs.length === 1 && input.orgs[0] === '*' ? '*' : input.orgs,
        scopes: input.scopes.map((s: string) => s.toLowerCase())
      }, ctx.requestId),
      revokeClient: (_: unknown, { id }: Args, ctx: Ctx) => ctx.services.admin.revokeClient(ctx.principal, id, ctx.requestId)
    },

    Viewer: {
      orgs: (p: Principal) => p.orgs === '*' ? [] : p.orgs,
      allOrgs: (p: Principal) => p.orgs === '*',
      scopes: (p: Principal) => p.scopes.map(upper)
    },

    Client: {
      orgs: (c: ClientView) => c.orgs === '*' ? [] : c.orgs,
      allOrgs: (c: ClientView) => c.orgs === '*',
      scopes: (c: ClientView) => c.scopes.map(upper)
    },

    AuditEvent: {
      input: (e: AuditRow) => e.input,
      pangolinIds: (e: AuditRow) => e.pangolinIds
    },

    Org: {
      sites: ({ orgId }: { orgId: string }, args: PageArgs, ctx: Ctx) => ctx.reader.sites(orgId, args),
      site: ({ orgId }: { orgId: string }, { niceId }: Args, ctx: Ctx) => ctx.reader.siteByNiceId(orgId, niceId),
      domains: ({ orgId }: { orgId: string }, _: Args, ctx: Ctx) => ctx.reader.domains(orgId),
      resources: ({ orgId }: { orgId: string }, args: PageArgs, ctx: Ctx) => ctx.reader.resources(orgId, args),
      resourceByDomain: ({ orgId }: { orgId: string }, { fullDomain }: Args, ctx: Ctx) =>
        ctx.reader.resourceByDomain(orgId, fullDomain),
      privateResources: ({ orgId }: { orgId: string }, args: PageArgs, ctx: Ctx) => ctx.reader.privateResources(orgId, args),
      roles: ({ orgId }: { orgId: string }, _: Args, ctx: Ctx) => ctx.reader.roles(orgId),
      users: ({ orgId }: { orgId: string }, { query }: Args, ctx: Ctx) => ctx.reader.users(orgId, query),
      operations: ({ orgId }: { orgId: string }, args: Args, ctx: Ctx) => ctx.services.operations.list(ctx.principal, orgId, args)
    },

    Site: {
      resources: (site: OrgSite, _: Args, ctx: Ctx) => ctx.reader.siteResources(site)
    },

    Domain: {
      type: (d: { type: string | null }) => d.type === null ? null : upper(d.type)
    },

    Resource: {
      subdomain: (r: OrgResource, _: Args, ctx: Ctx) => ctx.reader.subdomainOf(r),
      domain: (r: OrgResource, _: Args, ctx: Ctx) => ctx.reader.domainOf(r),
      targets: (r: OrgResource, _: Args, ctx: Ctx) => ctx.reader.targets(r)
    },

    Target: {
      method: (t: OrgTarget, _: Args, ctx: Ctx) => ctx.reader.targetMethod(t),
      site: (t: OrgTarget, _: Args, ctx: Ctx) => ctx.reader.targetSite(t)
    },

    PrivateResource: {
      siteId: (r: SiteResource) => r.siteIds?.[0] ?? null
    }
  }
}
