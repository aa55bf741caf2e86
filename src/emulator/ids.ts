/**
 * Identifier generators in Pangolin's formats. They draw from a seeded generator so a run of the
 * emulator is reproducible.
 */
import { createHash } from 'node:crypto'

const DESCRIPTORS = [
  'brave', 'calm', 'clever', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'kind', 'lively',
  'mighty', 'nimble', 'polite', 'proud', 'quick', 'quiet', 'rapid', 'shiny', 'silly', 'swift',
  'tidy', 'vast', 'witty', 'zealous'
]
const ANIMALS = [
  'otter', 'badger', 'beaver', 'bison', 'cobra', 'crane', 'dingo', 'eagle', 'ferret', 'gecko',
  'heron', 'ibis', 'jackal', 'koala', 'lemur', 'lynx', 'marmot', 'newt', 'ocelot', 'panda',
  'quail', 'raven', 'salmon', 'tapir', 'walrus', 'yak', 'zebra'
]

export interface Random {
  next (): number
  pick<T> (items: readonly T[]): T
  string (length: number, alphabet: string): string
}

/** mulberry32: small, fast and good enough for test identifiers. */
export function createRandom (seed: number): Random {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const string = (length: number, alphabet: string): string => {
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(next() * alphabet.length)]
    return out
  }
  return { next, pick, string }
}

export const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'
export const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/** `<descriptor>-<animal>`, at most 100 tries, then a numbered fallback. */
export function generateNiceId (random: Random, taken: (niceId: string) => boolean): string {
  for (let i = 0; i < 100; i++) {
    const candidate = `${random.pick(DESCRIPTORS)}-${random.pick(ANIMALS)}`
    if (!taken(candidate)) return candidate
  }
  let n = 2
  while (taken(`swift-otter-${n}`)) n++
  return `swift-otter-${n}`
}

export function newtId (random: Random): string {
  return random.string(15, ALPHANUMERIC)
}

export function newtSecret (random: Random): string {
  return random.string(48, ALPHANUMERIC)
}

export function uuid (random: Random): string {
  const hex = random.string(32, '0123456789abcdef')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-` +
    hex.slice(20, 32)
}

export function hashSecret (secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
