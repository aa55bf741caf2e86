/** The create schema of section 12.1 with its refines, the alias regex (12.2) and port ranges (12.3). */
import { isIPv4 } from 'node:net'
import { z } from 'zod'
import { isValidCidr } from './ip.js'

const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?'
const WILD_LABEL = '[a-zA-Z0-9*?](?:[a-zA-Z0-9*?-]{0,61}[a-zA-Z0-9*?])?'
const ALIAS = new RegExp(`^(?:${WILD_LABEL}\\.)+${LABEL}$`)
const ALIAS_MESSAGE = 'Alias must be a fully qualified domain name with optional wildcards ' +
  '(e.g., example.com, *.example.com, host-0?.example.internal)'
const HOSTNAME = new RegExp(`^(?=.{1,253}$)(?:${LABEL}\\.)*${LABEL}$`)
const PORT_RANGE_MESSAGE = 'Port range must be "*" for all ports, or a comma-separated list of ports and ' +
  'ranges (e.g., "80,443,8000-9000"). Ports must be between 1 and 65535, and ranges must have start <= end.'

const validPort = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535

/** Lenient like upstream: `80abc` reads as 80 and `1-2-3` as 1-2; empty parts fail. */
export function isValidPortRange (value: string): boolean {
  if (value === '' || value.trim() === '*') return true
  return value.split(',').every((raw) => {
    const part = raw.trim()
    if (part === '') return false
    if (!part.includes('-')) return validPort(parseInt(part, 10))
    const [a = '', b = ''] = part.split('-')
    const start = parseInt(a.trim(), 10)
    const end = parseInt(b.trim(), 10)
    return validPort(start) && validPort(end) && start <= end
  })
}

const portRange = z.string().refine(isValidPortRange, { message: PORT_RANGE_MESSAGE })

export const SITE_RESOURCE_MODES = ['host', 'cidr', 'http', 'ssh', 'inference'] as const

const baseBody = z.strictObject({
  name: z.string().min(1).max(255),
  mode: z.enum(SITE_RESOURCE_MODES),
  userIds: z.array(z.string()),
  roleIds: z.array(z.number().int().positive()),
  clientIds: z.array(z.number().int().positive()),
  siteIds: z.array(z.number().int().positive()).optional(),
  siteId: z.number().int().positive().optional(),
  destination: z.string().min(1).nullable().optional(),
  alias: z.string().regex(ALIAS, ALIAS_MESSAGE).optional(),
  niceId: z.string().optional(),
  tcpPortRangeString: portRange.optional(),
  udpPortRangeString: portRange.optional(),
  disableIcmp: z.boolean().optional(),
  ssl: z.boolean().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  destinationPort: z.number().int().positive().optional(),
  authDaemonPort: z.number().int().positive().optional(),
  authDaemonMode: z.enum(['site', 'remote', 'native']).optional(),
  pamMode: z.enum(['passthrough', 'push']).optional(),
  domainId: z.string().optional(),
  subdomain: z.string().optional(),
  aiProviders: z.array(z.unknown()).optional()
})

type Body = z.infer<typeof baseBody>

function destinationValid (b: Body): boolean {
  const d = b.destination
  if (b.mode === 'http') return b.domainId !== undefined
  if (b.mode === 'cidr') return d === undefined || d === null || isValidCidr(d)
  if ((b.mode === 'host' || b.mode === 'ssh') && d !== undefined && d !== null) {
    return isIPv4(d) || (HOSTNAME.test(d) && !/^[\d.]+$/.test(d) && b.alias !== undefined)
  }
  return true
}

function portsValid (b: Body): boolean {
  const inRange = b.destinationPort !== undefined && b.destinationPort <= 65535
  if (b.mode === 'http') return b.scheme !== undefined && inRange
  if (b.mode === 'ssh') return b.destinationPort === undefined || inRange
  return true
}

function destinationPresent (b: Body): boolean {
  if (b.mode === 'inference' || (b.mode === 'ssh' && b.authDaemonMode === 'native')) return true
  return b.destination !== undefined && b.destination !== null
}

function sitesPresent (b: Body): boolean {
  return b.mode === 'inference' || (b.siteIds !== undefined && b.siteIds.length > 0) || b.siteId !== undefined
}

function singleSiteForSsh (b: Body): boolean {
  if (b.mode !== 'ssh' || b.authDaemonMode === 'remote') return true
  return new Set([...(b.siteIds ?? []), ...(b.siteId === undefined ? [] : [b.siteId])]).size <= 1
}

export const createSiteResourceBody = baseBody
  .refine(destinationValid, {
    message: 'Destination must be a valid IPV4 address or valid domain AND alias is required'
  })
  .refine(portsValid, { message: 'HTTP mode requires scheme (http or https) and a valid destination port' })
  .refine(destinationPresent, {
    message: 'Destination is required unless mode is ssh with authDaemonMode native or inference'
  })
  .refine(sitesPresent, { message: 'At least one of siteIds or siteId must be provided' })
  .refine(singleSiteForSsh, { message: 'Only one site is allowed for this SSH daemon mode' })

export type CreateSiteResourceBody = z.infer<typeof createSiteResourceBody>
