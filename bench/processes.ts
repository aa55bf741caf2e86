/**
 * The children of a benchmark run: started with a readiness signal, measured through /proc, and
 * all killed when the run ends, whether it ends well or not.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { openSync, readFileSync, closeSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const children = new Set<ChildProcess>()

function track (child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Kills every child still running, each by its own pid. Safe to call from an exit handler. */
export function killAll (): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
}

export function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Ends a child politely (so --cpu-prof can write its file), then by force after a deadline. */
export async function stop (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', deadlineMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  if (child.connected) child.disconnect()
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs)
  await exited(child)
  clearTimeout(timer)
}

export interface Forked<T> { child: ChildProcess, ready: T }

/** A bench/*.js module in its own process; it sends `{ type: 'ready', … }` when it listens. */
export async function forkReady<T extends { type: string }> (
  modulePath: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000
): Promise<Forked<T>> {
  const child = track(fork(modulePath, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${modulePath} did not start in ${timeoutMs} ms`)), timeoutMs)
    child.on('message', (message: T) => {
      if (message.type === 'ready') { clearTimeout(timer); resolve(message) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${modulePath} exited with ${code}`)) })
  })
  return { child, ready }
}

/** Asks a forked child one question over IPC and waits for the answer of the same type. */
export function ask<T extends { type: string }> (child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: T) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      resolve(message)
    }
    child.on('message', onMessage)
    child.send({ type })
  })
}

/** Runs a command to its end and returns its stdout; throws with its stderr if it fails. */
export async function runToEnd (args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = track(spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }))
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk) => { stdout += String(chunk) })
  child.stderr!.on('data', (chunk) => { stderr += String(chunk) })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) throw new Error(`${args.join(' ')} exited with ${code}: ${stderr}`)
  return stdout
}

/**
 * A process whose stdout goes to a file (the gateway's log, as in production); ready once a line of
 * that file contains `marker`, which is returned parsed.
 */
export async function spawnLogged (
  args: string[], env: NodeJS.ProcessEnv, logPath: string, marker: string, timeoutMs = 30_000
): Promise<{ child: ChildProcess, line: any }> {
  const fd = openSync(logPath, 'a')
  const child = track(spawn(process.execPath, args, { env, stdio: ['ignore', fd, 'inherit'] }))
  closeSync(fd)
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}; see ${logPath}`)
    const found = readFileSync(logPath, 'utf8').split('\n').find((l) => l.includes(marker))
    if (found !== undefined) return { child, line: JSON.parse(found) }
    await sleep(50)
  }
  throw new Error(`${args.join(' ')} did not log "${marker}" in ${timeoutMs} ms; see ${logPath}`)
}

const TICKS_PER_SECOND = 100

/** User plus system CPU time of a process so far, in ms, from /proc/<pid>/stat. */
export function cpuMs (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1000 / TICKS_PER_SECOND
}

/** Peak resident set size in MiB (VmHWM) since the process started or since resetPeak. */
export function peakRssMiB (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN)
  return kb / 1024
}

/** Resets VmHWM to the current RSS (Linux `clear_refs` 5); false where that is not allowed. */
export function resetPeak (pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
