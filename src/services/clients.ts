import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { GatewayError } from '../errors.js'
import { SCOPES, type Principal, type Scope } from '../auth/scopes.js'
import { generateToken, hashToken, looksLikeToken, sameHash } from '../auth/tokens.js'
import type { ClientRow, ClientsRepo } from '../store/clients-repo.js'
import { parseInput } from './validate.js'

export const createClientInput = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }),
  orgs: z.union([
    z.literal('*'),
    z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be an org id' }))
      .min(1, { error: 'must name at least one org, or be "*"' })
  ]),
  scopes: z.array(z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` }))
    .min(1, { error: 'must name at least one scope' })
})
export type CreateClientInput = z.infer<typeof createClientInput>

export interface ClientView {
  id: string
  name: string
  orgs: '*' | string[]
  scopes: Scope[]
  createdAt: string
  revokedAt: string | null
  lastUsedAt: string | null
}

const TOUCH_INTERVAL_MS = 60_000

/** Client tokens: issued once, kept as an HMAC, checked on every request so revocation is immediate. */
export class ClientService {
  readonly #repo: ClientsRepo
  readonly #secret: string
  readonly #touched = new Map<string, number>()

  constructor (repo: ClientsRepo, tokenSecret: string) {
    this.#repo = repo
    this.#secret = tokenSecret
  }

  async create (raw: unknown): Promise<{ client: ClientView, token: string }> {
    const input = parseInput(createClientInput, raw)
    const token = generateToken()
    const row = {
      id: `cl_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
      name: input.name,
      tokenHash: hashToken(token, this.#secret),
      orgs: input.orgs === '*' ? '*' as const : [...new Set(input.orgs)],
      scopes: [...new Set(input.scopes)],
      createdAt: new Date().toISOString()
    }
    await this.#repo.insert(row)
    return { client: toView({ ...row, revokedAt: null, lastUsedAt: null }), token }
  }

  async list (): Promise<ClientView[]> {
    return (await this.#repo.list()).map(toView)
  }

  async revoke (id: string): Promise<ClientView> {
    const revoked = await this.#repo.revoke(id, new Date().toISOString())
    const row = await this.#repo.get(id)
    if (row === undefined) throw new GatewayError('NOT_FOUND', `No client has the id ${JSON.stringify(id)}.`)
    if (!revoked && row.revokedAt === null) throw new GatewayError('NOT_FOUND', 'The client could not be revoked.')
    return toView(row)
  }

  /** Resolves an `Authorization` header to the calling client, or UNAUTHENTICATED. */
  async authenticate (header: string | undefined): Promise<Principal> {
    const token = header?.startsWith('Bearer ') === true ? header.slice(7).trim() : undefined
    if (token === undefined || !looksLikeToken(token)) {
      throw new GatewayError('UNAUTHENTICATED', 'A gateway token is required: Authorization: Bearer pgw_…')
    }
    const hash = hashToken(token, this.#secret)
    const row = await this.#repo.findByHash(hash)
    if (row === undefined || !sameHash(row.tokenHash, hash) || row.revokedAt !== null) {
      throw new GatewayError('UNAUTHENTICATED', 'The gateway token is unknown or revoked.')
    }
    this.#touch(row.id)
    return { clientId: row.id, name: row.name, orgs: row.orgs, scopes: row.scopes as Scope[] }
  }

  /** Last-used time, written at most once a minute per client so reads stay cheap. */
  #touch (id: string): void {
    const now = Date.now()
    if (now - (this.#touched.get(id) ?? 0) < TOUCH_INTERVAL_MS) return
    this.#touched.set(id, now)
    this.#repo.touch(id, new Date(now).toISOString()).catch(() => this.#touched.delete(id))
  }
}

function toView (row: ClientRow): ClientView {
  return {
    id: row.id,
    name: row.name,
    orgs: row.orgs,
    scopes: row.scopes as Scope[],
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt
  }
}
