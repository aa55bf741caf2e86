#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { ConfigError } from '../config/index.js'

const USAGE = `usage: pangolin-gateway [command]

commands:
  serve                 serve the gateway against PANGOLIN_URL (the default)
  demo                  start a seeded Pangolin emulator and a gateway in front of it
  emulator              start the Pangolin emulator alone (PORT, default 3003)
  migrate               apply the store's migrations and exit
  clients create --name NAME --orgs acme,globex|'*' --scopes read,provision
  clients list
  clients revoke ID
  operations list [--status NEEDS_ATTENTION] [--first N]
  operations show ID
  operations retry ID   retry an unfinished compensation at the next recovery pass
`

// Each command is imported when it runs, so `clients` and `migrate` do not pay for loading the
// GraphQL server and the emulator.
async function main (argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv
  switch (command) {
    case 'serve': return await (await import('./serve.js')).runServe()
    case 'demo': return await (await import('./demo.js')).runDemo()
    case 'emulator': return await (await import('./emulator.js')).runEmulator()
    case 'migrate': return await (await import('./migrate.js')).runMigrate()
    case 'clients': return await (await import('./clients.js')).runClients(rest)
    case 'operations': return await (await import('./operations.js')).runOperations(rest)
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE)
      return 0
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then((code) => {
  if (code !== -1) process.exitCode = code
}, (err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`pangolin-gateway: ${err.message}\n`)
    process.exitCode = 78 // EX_CONFIG
    return
  }
  process.stderr.write(`pangolin-gateway: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})

export { parseArgs }
