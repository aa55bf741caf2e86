import { randomBytes } from 'node:crypto'
import { SCOPES } from '../auth/scopes.js'
import { loadConfig } from '../config/index.js'
import { SEED_KEYS, startEmulator } from '../emulator/index.js'
import { createLogger } from '../observability/logger.js'
import { startGateway } from '../server.js'

/**
 * `demo`: a seeded emulator and a gateway in front of it, on an in-memory store, with a client
 * that has every scope, created through the same service as the CLI and the admin API.
 */
export async function runDemo (): Promise<number> {
  const emulator = await startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0) })
  const config = loadConfig({
    ...process.env,
    PANGOLIN_URL: emulator.url,
    PANGOLIN_API_KEY: SEED_KEYS.root,
    PANGOLIN_API_KEY_FILE: undefined,
    PANGOLIN_KEYS_FILE: undefined,
    DATABASE_URL: ':memory:',
    GATEWAY_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    HOST: process.env.HOST ?? '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    GRAPHIQL: 'true',
    INTROSPECTION: 'true'
  }, { requireUpstream: true })

  const logger = createLogger({ level: config.logLevel })
  const gateway = await startGateway(config, logger)
  const { token } = await gateway.services.clients.create({ name: 'demo', orgs: '*', scopes: [...SCOPES] })

  const query = '{ org(orgId: \\"acme\\") { sites { items { niceId name online } } resources { items { name fullDomain targets { ip port } } } } }'
  process.stdout.write([
    '',
    'pangolin-gateway demo is running (Ctrl-C to stop)',
    '',
    `  Pangolin emulator  ${emulator.url}   (seeded orgs: acme, globex)`,
    `  GraphQL            ${gateway.url}/graphql`,
    `  GraphiQL           ${gateway.url}/graphiql   (add the header {"Authorization": "Bearer <token>"})`,
    `  token              ${token}`,
    '',
    'try:',
    `  curl -s ${gateway.url}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${token}' \\`,
    `    -d '{"query":"${query}"}'`,
    '',
    ''
  ].join('\n'))

  const stop = () => {
    gateway.close().then(() => emulator.close()).finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return -1
}
