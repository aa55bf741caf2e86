import pino, { type Logger, type LoggerOptions } from 'pino'

/**
 * Every place a key, token or Newt secret could sit in a log object. Request headers are the usual
 * leak; the rest covers upstream call records and the bodies we might log while debugging.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  'authorization',
  'apiKey',
  'key',
  'token',
  'secret',
  'newtSecret',
  '*.apiKey',
  '*.key',
  '*.token',
  '*.secret',
  '*.newtSecret',
  '*.authorization',
  'input.secret',
  'input.token'
]

export interface LoggerSettings {
  level?: string
  destination?: pino.DestinationStream
}

export function createLogger (settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'pangolin-gateway' }
  }
  return settings.destination === undefined ? pino(options) : pino(options, settings.destination)
}

export type { Logger }
