import { loadConfig } from '../config/index.js'
import { createLogger } from '../observability/logger.js'
import { startGateway } from '../server.js'

/** `serve`: the gateway in front of a real Pangolin. Returns -1: the process lives until a signal. */
export async function runServe (): Promise<number> {
  const config = loadConfig(process.env, { requireUpstream: true })
  const logger = createLogger({ level: config.logLevel })
  const gateway = await startGateway(config, logger)
  logger.info({ url: gateway.url }, 'gateway listening')

  process.on('SIGHUP', () => {
    try {
      gateway.reloadKeys()
    } catch (err) {
      logger.error({ err }, 'upstream keys not reloaded; the old keys stay in use')
    }
  })
  let closing = false
  const stop = (signal: string) => {
    if (closing) return
    closing = true
    logger.info({ signal }, 'shutting down')
    const deadline = setTimeout(() => process.exit(1), 15_000)
    deadline.unref()
    gateway.close().then(() => { process.exitCode = 0 }, (err: unknown) => {
      logger.error({ err }, 'shutdown failed')
      process.exitCode = 1
    })
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  return -1
}
