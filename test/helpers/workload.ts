/** The mixed composite workload of the fault and crash suites: operation i is always the same. */
const SITES = ['acme-hq', 'acme-edge']

export function plan (i: number) {
  const targets = Array.from({ length: 1 + (i % 5) }, (_, n) => ({
    siteNiceId: SITES[n % 2], ip: `10.${i % 250}.${n}.${(i * 7) % 250 + 1}`, port: 8000 + n
  }))
  const access = i % 3 === 0 ? { roleNames: ['Developers'], userEmails: ['bob@acme.test'] } : { roleNames: ['Member'] }
  switch (i % 10) {
    case 7: return { kind: 'createSite', input: { orgId: 'acme', name: `Site ${i}`, niceId: `fault-site-${i}` } }
    case 8: return { kind: 'provisionPrivateResource', input: { orgId: 'acme', name: `db ${i}`, siteNiceId: 'acme-hq', mode: 'HOST', destination: `10.9.${i % 250}.${(i % 200) + 1}`, alias: `db-${i}.fault.internal`, tcpPortRangeString: '5432', udpPortRangeString: '', access: { roleNames: ['Developers'] } } }
    default: return { kind: 'provisionHttpService', input: { orgId: 'acme', name: `svc ${i}`, domainId: 'domain1', subdomain: `svc-${i}`, targets, access } }
  }
}

export const MUTATION: Record<string, string> = {
  provisionHttpService: 'mutation ($input: ProvisionHttpServiceInput!) { provisionHttpService(input: $input) { resource { resourceId } operation { id status } } }',
  createSite: 'mutation ($input: CreateSiteInput!) { createSite(input: $input) { site { siteId } operation { id status } } }',
  provisionPrivateResource: 'mutation ($input: ProvisionPrivateResourceInput!) { provisionPrivateResource(input: $input) { privateResource { siteResourceId } operation { id status } } }'
}

/** A valid provisionHttpService input for org acme, without the org: two targets, a role and a user. */
export function serviceInput (overrides: Record<string, unknown> = {}) {
  return {
    name: 'Billing',
    domainId: 'domain1',
    subdomain: 'billing',
    targets: [
      { siteNiceId: 'acme-hq', ip: '10.0.0.10', port: 8080 },
      { siteNiceId: 'acme-edge', ip: 'billing.internal', port: 8443, method: 'https' }
    ],
    access: { roleNames: ['Developers'], userEmails: ['alice@acme.test'] },
    ...overrides
  }
}
