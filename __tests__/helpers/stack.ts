// The local testbed stack (PostgreSQL, Redis, the Go app, a fake Twitch API), started once per
// test process with `node scripts/stack.mjs up` (idempotent) and described by its KEY=value lines.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The first run seeds the database and builds the Go app: minutes, not seconds. */
export const STACK_TIMEOUT_MS = 10 * 60 * 1000

let stack: Promise<Record<string, string>> | undefined

/** Parses `KEY=value` lines (other lines ignored). */
export function parseStackOutput(output: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of output.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (m) out[m[1]!] = m[2]!
  }
  return out
}

/** True when the repository has the stack script (tests can skip with a reason otherwise). */
export function stackAvailable(): boolean {
  return existsSync(path.join(REPO_ROOT, 'scripts', 'stack.mjs'))
}

/** Starts the stack (or finds it running) once per process and returns its KEY=value lines. */
export function ensureStack(): Promise<Record<string, string>> {
  stack ??= new Promise<Record<string, string>>((resolve, reject) => {
    execFile(
      process.execPath,
      ['scripts/stack.mjs', 'up'],
      { cwd: REPO_ROOT, timeout: STACK_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`stack up failed: ${error.message}\n${stderr.slice(-4000)}`))
          return
        }
        const values = parseStackOutput(stdout)
        if (!values.TARGET_URL) reject(new Error(`stack up printed no TARGET_URL:\n${stdout.slice(-2000)}`))
        else resolve(values)
      },
    )
  })
  // A failed start is not cached: the next caller tries again.
  stack.catch(() => (stack = undefined))
  return stack
}
