import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import t from 'tap'
import { openDatabase } from '../../src/store/database.js'
import { buildMigrations } from '../../src/store/migrations.js'
import { createSqliteFile, freshStore, storeTest } from '../helpers/store.js'

const run = promisify(execFile)
const databaseModule = new URL('../../src/store/database.js', import.meta.url).href

storeTest('migrations apply once and a second run finds nothing to do', async (t, database) => {
  const all = Object.keys(buildMigrations(database.dialect))
  t.same(await database.migrate(), all)
  t.same(await database.migrate(), [])
  await database.ping()
  const tables = await database.db.introspection.getTables()
  t.ok(tables.some((table) => table.name === 'clients'))
}, { migrate: false })

storeTest('two concurrent migrate calls on one handle both succeed', async (t, database) => {
  const all = Object.keys(buildMigrations(database.dialect))
  const [first, second] = await Promise.all([database.migrate(), database.migrate()])
  t.same([...first!, ...second!].sort(), all, 'each migration applied exactly once')
}, { migrate: false })

t.test('three replicas migrating one fresh PostgreSQL database all succeed', async (t) => {
  const { url } = await freshStore(t, 'postgres')
  const replicas = await Promise.all([0, 1, 2].map(() => openDatabase(url, { poolMax: 2 })))
  t.teardown(() => Promise.all(replicas.map((r) => r.close())))
  const applied = await Promise.all(replicas.map((r) => r.migrate()))
  t.same(applied.flat().sort(), Object.keys(buildMigrations('postgres')), 'each migration applied exactly once')
})

storeTest('a pool of one connection migrates without waiting on itself', async (t, _database, url) => {
  const single = await openDatabase(url, { poolMax: 1 })
  t.teardown(() => single.close())
  t.same(await single.migrate(), Object.keys(buildMigrations(single.dialect)))
}, { migrate: false })

t.test('the migration connection goes back to the pool with its statement timeout', async (t) => {
  const { url } = await freshStore(t, 'postgres')
  const single = await openDatabase(url, { poolMax: 1 })
  t.teardown(() => single.close())
  await single.migrate()
  const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(single.db)
  t.equal(rows[0]?.statement_timeout, '15s')
})

t.test('two processes migrating one fresh SQLite file both succeed', async (t) => {
  const url = createSqliteFile(t)
  const script = `
    const { openDatabase } = await import(${JSON.stringify(databaseModule)})
    const database = await openDatabase(${JSON.stringify(url)})
    process.stdout.write(JSON.stringify(await database.migrate()))
    await database.close()`
  const outputs = await Promise.all([0, 1].map(() => run(process.execPath, ['--input-type=module', '-e', script])))
  const applied = outputs.flatMap((o) => JSON.parse(o.stdout) as string[])
  t.same(applied.sort(), Object.keys(buildMigrations('sqlite')), 'each migration applied exactly once')
})
