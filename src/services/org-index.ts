export type ObjectKind = 'site' | 'resource' | 'siteResource' | 'target'

/**
 * Which org a Pangolin object belongs to, learnt from every answer the gateway sees. Pangolin's
 * id routes do not name the org, so without this a by-id call from a client of another org would
 * have to ask Pangolin before it could be refused. A miss costs one upstream read, never a wrong
 * answer: the index only ever shortens the path to FORBIDDEN or to the right key.
 */
export class OrgIndex {
  readonly #orgs = new Map<string, string>()
  readonly #max: number

  constructor (max = 100_000) {
    this.#max = max
  }

  get (kind: ObjectKind, id: number): string | undefined {
    return this.#orgs.get(`${kind}:${id}`)
  }

  set (kind: ObjectKind, id: number, orgId: string | undefined): void {
    if (orgId === undefined) return
    const key = `${kind}:${id}`
    this.#orgs.delete(key)
    this.#orgs.set(key, orgId)
    if (this.#orgs.size > this.#max) this.#orgs.delete(this.#orgs.keys().next().value!)
  }

  forget (kind: ObjectKind, id: number): void {
    this.#orgs.delete(`${kind}:${id}`)
  }
}
