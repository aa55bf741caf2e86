import { loadConfig } from '../config/index.js'
import { openDatabase } from '../store/database.js'

export async function runMigrate (): Promise<number> {
  const config = loadConfig(process.env)
  const database = await openDatabase(config.databaseUrl, { poolMax: config.databasePoolMax })
  try {
    const applied = await database.migrate()
    process.stdout.write(applied.length === 0 ? 'store is up to date\n' : `applied: ${applied.join(', ')}\n`)
    return 0
  } finally {
    await database.close()
  }
}
