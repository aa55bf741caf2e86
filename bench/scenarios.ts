/** The two read scenarios, as each contender is asked them, and a check that every answer is right. */
import type { ApolloRunning, Running, Upstream } from './contenders.js'
import { UPSTREAM_KEY } from './contenders.js'
import type { LoadRequest } from './load.js'

export type ContenderName = 'direct' | 'passthrough' | 'gateway' | 'apollo'
export type ScenarioName = 'single' | 'nested'

export interface Scenario {
  name: ScenarioName
  title: string
  requests: Record<ContenderName, LoadRequest>
  /** Throws unless the body is the full, correct answer for this contender. */
  check (contender: ContenderName, body: any): void
}

export const PAGE_SIZE = 50

export interface Contenders {
  upstream: Upstream
  passthrough: Running
  gateway: Running
  gatewayToken: string
  apollo: ApolloRunning
}

function graphql (url: string, token: string, query: string): LoadRequest {
  return {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query })
  }
}

function get (url: string, headers: Record<string, string> = {}): LoadRequest {
  return { url, method: 'GET', headers }
}

function expect (condition: boolean, what: string): void {
  if (!condition) throw new Error(`wrong answer: ${what}`)
}

export function scenarios (c: Contenders): Scenario[] {
  const upstreamAuth = { authorization: `Bearer ${UPSTREAM_KEY}` }
  const resourceId = c.upstream.ready.resourceIds[0]!
  const singleQuery = `{ resource(resourceId: ${resourceId}) { name fullDomain } }`
  const nestedQuery = `{ org(orgId: "acme") { resources(pageSize: ${PAGE_SIZE}) { items { name targets { ip port siteId } } } } }`
  const isGraphql = (name: ContenderName) => name === 'gateway' || name === 'apollo'

  return [
    {
      name: 'single',
      title: `resource(resourceId) { name fullDomain } vs GET /resource/${resourceId}`,
      requests: {
        direct: get(`${c.upstream.url}/resource/${resourceId}`, upstreamAuth),
        passthrough: get(`${c.passthrough.url}/resource/${resourceId}`),
        gateway: graphql(`${c.gateway.url}/graphql`, c.gatewayToken, singleQuery),
        apollo: graphql(`${c.apollo.url}/`, c.apollo.token, singleQuery)
      },
      check (name, body) {
        const resource = isGraphql(name) ? body.data?.resource : name === 'direct' ? body.data : body
        expect(body.errors === undefined, JSON.stringify(body.errors))
        expect(typeof resource?.name === 'string' && typeof resource?.fullDomain === 'string', `${name}: ${JSON.stringify(body)}`)
      }
    },
    {
      name: 'nested',
      title: `org { resources(pageSize: ${PAGE_SIZE}) { items { name targets { ip port siteId } } } } vs GET /org/acme/resources`,
      requests: {
        direct: get(`${c.upstream.url}/org/acme/resources?pageSize=${PAGE_SIZE}`, upstreamAuth),
        passthrough: get(`${c.passthrough.url}/org/acme/resources?pageSize=${PAGE_SIZE}`),
        gateway: graphql(`${c.gateway.url}/graphql`, c.gatewayToken, nestedQuery),
        apollo: graphql(`${c.apollo.url}/`, c.apollo.token, nestedQuery)
      },
      check (name, body) {
        expect(body.errors === undefined, JSON.stringify(body.errors))
        const items = isGraphql(name) ? body.data?.org?.resources?.items : name === 'direct' ? body.data?.resources : body.resources
        expect(Array.isArray(items) && items.length === PAGE_SIZE, `${name}: ${PAGE_SIZE} resources`)
        const targets = items.reduce((n: number, r: any) => n + r.targets.length, 0)
        expect(targets >= PAGE_SIZE * 2 && items.every((r: any) => r.targets.every((t: any) =>
          typeof t.ip === 'string' && typeof t.port === 'number' && typeof t.siteId === 'number')), `${name}: targets`)
      }
    }
  ]
}

/** One request outside the load generator, to see the answer. */
export async function send (request: LoadRequest): Promise<{ status: number, body: any }> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body })
  })
  return { status: response.status, body: await response.json() }
}
