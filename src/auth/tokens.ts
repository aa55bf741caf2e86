import { createHmac, randomInt, timingSafeEqual } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const TOKEN_BODY_LENGTH = 43 // about 256 bits
const TOKEN_PATTERN = /^pgw_[0-9A-Za-z]{32,128}$/

/** A new client token: `pgw_` and 43 base62 characters from the CSPRNG. Shown once, never stored. */
export function generateToken (): string {
  let body = ''
  for (let i = 0; i < TOKEN_BODY_LENGTH; i++) body += BASE62[randomInt(62)]
  return `pgw_${body}`
}

export function looksLikeToken (value: string): boolean {
  return TOKEN_PATTERN.test(value)
}

/** The only form in which a token is kept: HMAC-SHA-256 under GATEWAY_TOKEN_SECRET, hex. */
export function hashToken (token: string, secret: string): string {
  return createHmac('sha256', secret).update(token).digest('hex')
}

export function sameHash (a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex')
  const right = Buffer.from(b, 'hex')
  return left.length === right.length && timingSafeEqual(left, right)
}
