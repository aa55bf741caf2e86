import { GatewayError } from '../errors.js'
import type { Principal } from '../auth/scopes.js'
import type { AuditLog } from './audit.js'
import type { ClientService, ClientView } from './clients.js'
import { authorize } from './policy.js'

/** Admin actions over the API: the same client service as the CLI, behind the `admin` scope, audited. */
export class AdminService {
  readonly #clients: ClientService
  readonly #audit: AuditLog

  constructor (clients: ClientService, audit: AuditLog) {
    this.#clients = clients
    this.#audit = audit
  }

  async createClient (principal: Principal, input: unknown, requestId: string): Promise<{ client: ClientView, token: string }> {
    authorize(principal, 'admin')
    return await this.#audited(principal, 'createClient', input, requestId, async () => {
      const created = await this.#clients.create(input)
      return { result: created, ids: { clientId: created.client.id } }
    })
  }

  async revokeClient (principal: Principal, id: string, requestId: string): Promise<ClientView> {
    authorize(principal, 'admin')
    return await this.#audited(principal, 'revokeClient', { id }, requestId, async () => {
      const client = await this.#clients.revoke(id)
      return { result: client, ids: { clientId: client.id } }
    })
  }

  async #audited<T> (principal: Principal, kind: string, input: unknown, requestId: string,
    run: () => Promise<{ result: T, ids: Record<string, unknown> }>): Promise<T> {
    try {
      const { result, ids } = await run()
      await this.#audit.record({ principal, orgId: null, kind, input, outcome: 'succeeded', requestId, pangolinIds: ids })
      return result
    } catch (err) {
      const errorCode = err instanceof GatewayError ? err.code : 'INTERNAL_SERVER_ERROR'
      await this.#audit.record({ principal, orgId: null, kind, input, outcome: 'failed', errorCode, requestId })
      throw err
    }
  }
}
