export const SCOPES = ['read', 'provision', 'grant', 'delete', 'admin'] as const
export type Scope = typeof SCOPES[number]

export function isScope (value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value)
}

/** What a client may touch: the orgs (or all) and the capabilities. */
export interface Principal {
  readonly clientId: string
  readonly name: string
  readonly orgs: '*' | readonly string[]
  readonly scopes: readonly Scope[]
}

export function servesOrg (principal: Principal, orgId: string): boolean {
  return principal.orgs === '*' || principal.orgs.includes(orgId)
}
