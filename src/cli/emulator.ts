import { SEED_KEYS, startEmulator } from '../emulator/index.js'

/** `emulator`: the seeded Pangolin emulator alone, for trying a real `serve` against it. */
export async function runEmulator (): Promise<number> {
  const emulator = await startEmulator({
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 3003),
    latencyMs: Number(process.env.EMULATOR_LATENCY_MS ?? 0)
  })
  process.stdout.write(`Pangolin emulator on ${emulator.url}\n`)
  for (const [name, key] of Object.entries(SEED_KEYS)) process.stdout.write(`  ${name} key: ${key}\n`)
  const stop = () => { emulator.close().finally(() => process.exit(0)) }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return -1
}
