/**
 * The Apollo contender: Apollo Server 4 standalone with a RESTDataSource created per request in
 * the context, serving the benchmark's subset of the gateway's schema. A bearer token is checked
 * in the context, as Apollo's authentication guide does, so that it, like the gateway, refuses
 * anonymous callers; the check itself is a constant-time compare, cheaper than the gateway's.
 */
import { timingSafeEqual } from 'node:crypto'
import { ApolloServer } from '@apollo/server'
import { startStandaloneServer } from '@apollo/server/standalone'
import { GraphQLError } from 'graphql'
import { PangolinAPI, type ResourceRow } from './pangolin-api.js'

const typeDefs = `#graphql
  type Query {
    org(orgId: ID!): Org
    resource(resourceId: Int!): Resource
  }
  type Org {
    orgId: ID!
    resources(page: Int = 1, pageSize: Int = 20): ResourcePage!
  }
  type ResourcePage {
    items: [Resource!]!
    total: Int!
  }
  type Resource {
    resourceId: Int!
    name: String!
    fullDomain: String
    targets: [Target!]!
  }
  type Target {
    targetId: Int!
    ip: String!
    port: Int!
    siteId: Int!
  }
`

interface Context {
  dataSources: { pangolin: PangolinAPI }
}

const resolvers = {
  Query: {
    org: (_: unknown, { orgId }: { orgId: string }) => ({ orgId }),
    resource: (_: unknown, { resourceId }: { resourceId: number }, { dataSources }: Context) =>
      dataSources.pangolin.getResource(resourceId)
  },
  Org: {
    resources: async ({ orgId }: { orgId: string }, { pageSize }: { pageSize: number }, { dataSources }: Context) => {
      const page = await dataSources.pangolin.getResources(orgId, pageSize)
      return { items: page.resources, total: page.pagination.total }
    }
  },
  Resource: {
    // Pangolin's list already carries the targets; a resource fetched alone asks for them.
    targets: (resource: ResourceRow, _: unknown, { dataSources }: Context) =>
      resource.targets ?? dataSources.pangolin.getTargets(resource.resourceId)
  }
}

async function main (): Promise<void> {
  const token = Buffer.from(`Bearer ${process.env.APOLLO_TOKEN!}`)
  const server = new ApolloServer<Context>({ typeDefs, resolvers })
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => {
      const given = Buffer.from(req.headers.authorization ?? '')
      if (given.length !== token.length || !timingSafeEqual(given, token)) {
        throw new GraphQLError('A token is required.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } })
      }
      const { cache } = server
      return {
        dataSources: {
          pangolin: new PangolinAPI({ baseURL: process.env.UPSTREAM_URL!, key: process.env.UPSTREAM_KEY!, cache })
        }
      }
    }
  })
  process.once('disconnect', () => { server.stop().finally(() => process.exit(0)) })
  process.send!({ type: 'ready', url: url.replace(/\/$/, '') })
}

main().catch((err: unknown) => {
  process.stderr.write(`bench apollo: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
