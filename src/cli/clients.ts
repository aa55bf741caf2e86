import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config/index.js'
import { createLogger } from '../observability/logger.js'
import { AuditLog } from '../services/audit.js'
import { ClientService } from '../services/clients.js'
import { AuditRepo } from '../store/audit-repo.js'
import { ClientsRepo } from '../store/clients-repo.js'
import { openDatabase } from '../store/database.js'
import { GatewayError } from '../errors.js'

/** `clients create|list|revoke`: the operator's way in, audited like the admin API. */
export async function runClients (argv: string[]): Promise<number> {
  const [verb, ...rest] = argv
  const config = loadConfig(process.env)
  const logger = createLogger({ level: 'warn' })
  const database = await openDatabase(config.databaseUrl, { poolMax: config.databasePoolMax, logger })
  try {
    await database.migrate()
    const service = new ClientService(new ClientsRepo(database.db), config.tokenSecret ?? '')
    const audit = new AuditLog(new AuditRepo(database.db), logger)

    if (verb === 'create') {
      if (config.tokenSecret === undefined) {
        throw new ConfigError('GATEWAY_TOKEN_SECRET is required to create a client: at least 32 random characters.')
      }
      const { values } = parseArgs({
        args: rest,
        options: { name: { type: 'string' }, orgs: { type: 'string' }, scopes: { type: 'string' } }
      })
      const input = {
        name: values.name,
        orgs: values.orgs === '*' ? '*' : splitList(values.orgs),
        scopes: splitList(values.scopes)
      }
      const { client, token } = await service.create(input)
      await audit.record({ principal: null, orgId: null, kind: 'cli:createClient', input, outcome: 'succeeded', pangolinIds: { clientId: client.id } })
      process.stdout.write(`created client ${client.id} (${client.name})\n`)
      process.stdout.write(`token (shown once, store it now): ${token}\n`)
      return 0
    }

    if (verb === 'list') {
      const clients = await service.list()
      for (const c of clients) {
        const orgs = c.orgs === '*' ? '*' : c.orgs.join(',')
        const state = c.revokedAt === null ? 'active' : `revoked ${c.revokedAt}`
        process.stdout.write(`${c.id}\t${c.name}\torgs=${orgs}\tscopes=${c.scopes.join(',')}\t${state}\tlast-used=${c.lastUsedAt ?? 'never'}\n`)
      }
      if (clients.length === 0) process.stdout.write('no clients\n')
      return 0
    }

    if (verb === 'revoke' && rest[0] !== undefined) {
      const client = await service.revoke(rest[0])
      await audit.record({ principal: null, orgId: null, kind: 'cli:revokeClient', input: { id: rest[0] }, outcome: 'succeeded', pangolinIds: { clientId: client.id } })
      process.stdout.write(`revoked client ${client.id} (${client.name})\n`)
      return 0
    }

    process.stderr.write('usage: pangolin-gateway clients create --name NAME --orgs a,b|\'*\' --scopes read,provision | list | revoke ID\n')
    return 2
  } catch (err) {
    if (err instanceof GatewayError) {
      process.stderr.write(`pangolin-gateway: ${err.message}\n`)
      return 1
    }
    throw err
  } finally {
    await database.close()
  }
}

function splitList (value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '')
}
