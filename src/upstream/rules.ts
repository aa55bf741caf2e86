/**
 * Pangolin's own input rules (pangolin-api.md sections 10-12), so the gateway can refuse what
 * Pangolin would refuse (or, worse, silently accept) before any upstream call.
 */
import { isIP, isIPv4 } from 'node:net'

/** Hostname labels separated by dots; alphanumeric with inner dashes (section 10.1 subdomainSchema). */
export const SUBDOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/

/** A fully qualified name with optional `*` and `?` in all but the last label (section 12.2). */
export const ALIAS = /^(?:[a-zA-Z0-9*?](?:[a-zA-Z0-9*?-]{0,61}[a-zA-Z0-9*?])?\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

/** Target hosts: labels of 1-63 characters, underscores allowed (createTarget's hostname pattern). */
const TARGET_HOST = /^(?=.{1,253}$)(?:[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?\.)*[a-zA-Z0-9_](?:[a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?$/

/** Destination hostnames of private resources. */
const HOSTNAME = /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

export function isValidSubdomain (value: string): boolean {
  return value.length <= 253 && SUBDOMAIN.test(value)
}

export function isValidAlias (value: string): boolean {
  return value.length <= 253 && ALIAS.test(value)
}

export function isTargetHost (value: string): boolean {
  return isIP(value) !== 0 || (TARGET_HOST.test(value) && !/^[\d.]+$/.test(value))
}

export function isHostname (value: string): boolean {
  return HOSTNAME.test(value) && !/^[\d.]+$/.test(value)
}

export function isPort (n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535
}

export function isCidr (value: string): boolean {
  const [ip, bits, extra] = value.split('/')
  if (ip === undefined || bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits)) return false
  const family = isIP(ip)
  const prefix = Number(bits)
  return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128)
}

export function isIPv4Address (value: string): boolean {
  return isIPv4(value)
}

/**
 * Pangolin's port-range grammar: `*`, `""` (no ports) or a comma list of `N` and `A-B`. Stricter
 * than Pangolin on purpose: it reads `80abc` as 80 and `1-2-3` as 1-2; the gateway refuses both
 * rather than pass on a value that means something else than it says.
 */
export function isPortRange (value: string): boolean {
  if (value === '' || value === '*') return true
  return value.split(',').every((raw) => {
    const part = raw.trim()
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part)
    if (match === null) return false
    const start = Number(match[1])
    const end = match[2] === undefined ? start : Number(match[2])
    return isPort(start) && isPort(end) && start <= end
  })
}
