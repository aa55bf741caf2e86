import type { Test } from 'tap'
import { createLogger } from '../../../src/observability/logger.js'
import { createPangolinClient, type ManagedPangolinClient, type PangolinClientOptions } from '../../../src/upstream/client.js'
import { KeyRing } from '../../../src/upstream/key-ring.js'
import type { UpstreamKey } from '../../../src/config/keys.js'

/** A key whose secret must never show up in a log line or an error message. */
export const CANARY = 'canaryid0000001.canarysecretzz2345canarysecretzz2345canary'
export const CANARY_SECRET = CANARY.split('.')[1]!
export const SECONDARY = 'secondid0000002.secondsecretzz2345secondsecretzz2345second'

export interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

export interface Built {
  client: ManagedPangolinClient
  keys: KeyRing
  /** Every log line so far, parsed. */
  logs: () => LogLine[]
  /** Every log line so far, as written. */
  rawLogs: () => string
}

export function buildClient (
  t: Test, baseUrl: string, options: Partial<PangolinClientOptions> & { upstreamKeys?: UpstreamKey[] } = {}
): Built {
  let raw = ''
  const destination = { write (line: string) { raw += line } }
  const logger = createLogger({ level: 'debug', destination })
  const keys = new KeyRing(options.upstreamKeys ?? [{ primary: CANARY, orgs: '*' }])
  const client = createPangolinClient({
    baseUrl,
    keys,
    logger,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...options
  })
  t.teardown(() => client.close())
  return {
    client,
    keys,
    rawLogs: () => raw,
    logs: () => raw.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine)
  }
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const
