/** IPv4 helpers for address allocation inside an org's subnet. */
import { isIP, isIPv4 } from 'node:net'

export interface Cidr {
  base: number
  prefix: number
}

export function ipToInt (ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)
}

export function intToIp (n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

export function parseCidr (cidr: string): Cidr | undefined {
  const [ip, bits] = cidr.split('/')
  const prefix = Number(bits)
  if (ip === undefined || !isIPv4(ip) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    return undefined
  }
  const size = 2 ** (32 - prefix)
  return { base: Math.floor(ipToInt(ip) / size) * size, prefix }
}

export function cidrContains (cidr: string, ip: string): boolean {
  const range = parseCidr(cidr)
  if (range === undefined || !isIPv4(ip)) return false
  const n = ipToInt(ip)
  return n >= range.base && n < range.base + 2 ** (32 - range.prefix)
}

/** The first address after `skip` host addresses in `cidr` that `taken` does not hold. */
export function nextFreeAddress (cidr: string, taken: Set<string>, skip = 1): string | undefined {
  const range = parseCidr(cidr)
  if (range === undefined) return undefined
  const last = range.base + 2 ** (32 - range.prefix) - 1
  for (let n = range.base + skip; n < last; n++) {
    const ip = intToIp(n)
    if (!taken.has(ip)) return ip
  }
  return undefined
}

export function stripPrefix (address: string): string {
  return address.split('/')[0] ?? address
}

export function isIpAddress (value: string): boolean {
  return isIP(value) !== 0
}

export function isValidCidr (value: string): boolean {
  const [ip, bits] = value.split('/')
  if (ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false
  const version = isIP(ip)
  const prefix = Number(bits)
  return (version === 4 && prefix <= 32) || (version === 6 && prefix <= 128)
}
