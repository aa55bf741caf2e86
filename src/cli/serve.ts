import closeWithGrace from 'close-with-grace'
import { loadConfig } from '../config/index.js'
import { createLogger } from '../observability/logger.js'
import { startGateway } from '../server.js'

/** Past the operations' deadline, how long closing the server, client and store may take. */
const CLOSE_MARGIN_MS = 5_000

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

  // On SIGTERM or SIGINT: stop accepting, drain requests, give running operations until
  // SHUTDOWN_DEADLINE_MS and then hand them to recovery, close the store; exit 0. A second
  // signal, a crash while closing or the overall deadline exit 1 at once.
  closeWithGrace({
    delay: config.operations.shutdownDeadlineMs + CLOSE_MARGIN_MS,
    skip: ['SIGHUP'],
    logger: false,
    onTimeout: (delay) => logger.error({ delayMs: delay }, 'shutdown took too long; exiting'),
    onSecondSignal: (signal) => logger.error({ signal }, 'second signal; exiting')
  }, async ({ signal, err }) => {
    if (err !== undefined) logger.fatal({ err }, 'uncaught error; shutting down')
    else logger.info({ signal }, 'shutting down')
    await gateway.close()
    logger.info('shut down')
  })
  return -1
}
