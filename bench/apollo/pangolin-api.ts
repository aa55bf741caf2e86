import { RESTDataSource, type AugmentedRequest } from '@apollo/datasource-rest'
import type { KeyValueCache } from '@apollo/utils.keyvaluecache'

interface Envelope<T> { data: T }

export interface ResourceRow {
  resourceId: number
  name: string
  fullDomain: string | null
  targets?: TargetRow[]
}

export interface TargetRow {
  targetId: number
  ip: string
  port: number
  siteId: number
}

/**
 * The Pangolin Integration API as Apollo's documentation has a team write it: one RESTDataSource
 * subclass for the upstream, a method per route, the key added in willSendRequest.
 */
export class PangolinAPI extends RESTDataSource {
  override baseURL: string
  readonly #key: string

  constructor (options: { baseURL: string, key: string, cache: KeyValueCache }) {
    super({ cache: options.cache })
    this.baseURL = options.baseURL.endsWith('/') ? options.baseURL : `${options.baseURL}/`
    this.#key = options.key
  }

  protected override willSendRequest (_path: string, request: AugmentedRequest): void {
    request.headers.authorization = `Bearer ${this.#key}`
  }

  async getResource (resourceId: number): Promise<ResourceRow> {
    return (await this.get<Envelope<ResourceRow>>(`resource/${encodeURIComponent(resourceId)}`)).data
  }

  async getResources (orgId: string, pageSize: number): Promise<{ resources: ResourceRow[], pagination: { total: number } }> {
    const params = { pageSize: String(pageSize) }
    return (await this.get<Envelope<{ resources: ResourceRow[], pagination: { total: number } }>>(
      `org/${encodeURIComponent(orgId)}/resources`, { params })).data
  }

  async getTargets (resourceId: number): Promise<TargetRow[]> {
    return (await this.get<Envelope<{ targets: TargetRow[] }>>(`resource/${encodeURIComponent(resourceId)}/targets`)).data.targets
  }
}
