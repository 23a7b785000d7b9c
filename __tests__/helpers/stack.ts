// The tests' testbed stacks (PostgreSQL, Redis, the Go app, a fake Twitch API), run by
// `node scripts/stack.mjs` in state dirs of their own under TEST_STACK_ROOT, on ports picked free
// when a service starts (`--free-ports`): a developer's stack in `.perfgate-stack` on the default
// ports is never reused, restarted or stopped. `ensureStack()` is the shared one; tests that
// restart the app with faults or regressions switched on use a private one (`upStack(name)`).
//
// Who stops them: under `node scripts/test.mjs` (`npm test`) the runner stops every stack under
// TEST_STACK_ROOT once all files ran, so the shared stack starts once per run, not once per file.
// A test file run on its own stops the stacks it started when its process exits.
// PERFGATE_KEEP_STACK=1 leaves them running (`node scripts/stack.mjs down --state-dir <dir>`).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The first run seeds the database and builds the Go app: minutes, not seconds. */
export const STACK_TIMEOUT_MS = 10 * 60 * 1000

/** Parent of the tests' state dirs; kept between runs, so each database is seeded once. */
export const TEST_STACK_ROOT =
  process.env.PERFGATE_TEST_STACK_ROOT ?? path.join(REPO_ROOT, '.perfgate-stack-test')

/** One build of the testbed's binaries for all the tests' stacks (rebuilt when testbed/ changes). */
const BIN_DIR = path.join(TEST_STACK_ROOT, 'bin')

/** Set by scripts/test.mjs: the runner stops the stacks, not each file's process. */
const RUNNER_OWNS_STACKS = process.env.PERFGATE_TEST_STACK_OWNER === 'runner'
const KEEP = Boolean(process.env.PERFGATE_KEEP_STACK)

let shared: Promise<Record<string, string>> | undefined
const toStopAtExit = new Set<string>()

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

/** The state dir of the tests' stack `name`. */
export function stackDir(name: string): string {
  return path.join(TEST_STACK_ROOT, name)
}

/**
 * Runs `node scripts/stack.mjs <args> --state-dir <stackDir(name)>` and returns its KEY=value lines.
 * The script runs in a process group of its own, and a timeout kills the whole group: a `go build`
 * or seed it is waiting for is not left behind. (The services it starts are in groups of their
 * own and are stopped by `down`.)
 */
export function stackCommand(name: string, args: string[]): Promise<Record<string, string>> {
  const argv = ['scripts/stack.mjs', ...args, '--state-dir', stackDir(name), '--bin-dir', BIN_DIR]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)))
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }, STACK_TIMEOUT_MS)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(parseStackOutput(stdout))
      else {
        const why = signal ? `killed (${signal}) after ${STACK_TIMEOUT_MS / 60_000} min` : `exit ${code}`
        reject(new Error(`stack ${args[0]} (${name}) failed: ${why}\n${stderr.slice(-4000)}`))
      }
    })
  })
}

function stopSync(name: string): void {
  spawnSync(
    process.execPath,
    ['scripts/stack.mjs', 'down', '--state-dir', stackDir(name), '--bin-dir', BIN_DIR],
    {
      cwd: REPO_ROOT,
      stdio: 'ignore',
      timeout: 60_000,
    },
  )
}

function stopAtExit(name: string): void {
  if (RUNNER_OWNS_STACKS || KEEP || toStopAtExit.has(name)) return
  // 'exit' handlers cannot await: a synchronous child is the one way to stop it there.
  if (toStopAtExit.size === 0) process.once('exit', () => toStopAtExit.forEach(stopSync))
  toStopAtExit.add(name)
}

/** Starts the tests' stack `name` on free ports (or finds it running); `extra` goes to `up`. */
export async function upStack(name: string, extra: string[] = []): Promise<Record<string, string>> {
  stopAtExit(name)
  const values = await stackCommand(name, ['up', '--free-ports', ...extra])
  if (!values.TARGET_URL) throw new Error(`stack up (${name}) printed no TARGET_URL`)
  return values
}

/**
 * Starts (or restarts) the second app of the tests' stack `name` with exactly `env` (none: all
 * defaults), on a free port the first time; its lines then hold BASELINE_URL (paired runs).
 */
export async function upSecondApp(
  name: string,
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  const values = await stackCommand(name, [
    'restart-app2',
    '--free-ports',
    ...Object.entries(env).flatMap(([k, v]) => ['--env2', `${k}=${v}`]),
  ])
  if (!values.BASELINE_URL) throw new Error(`stack restart-app2 (${name}) printed no BASELINE_URL`)
  return values
}

/** Stops the tests' stack `name` (unless PERFGATE_KEEP_STACK is set). */
export async function downStack(name: string): Promise<void> {
  if (KEEP) return
  await stackCommand(name, ['down'])
  toStopAtExit.delete(name)
}

/** Starts the shared test stack (or finds it running) once per process and returns its KEY=value lines. */
export function ensureStack(): Promise<Record<string, string>> {
  shared ??= upStack('shared')
  // A failed start is not cached: the next caller tries again.
  shared.catch(() => (shared = undefined))
  return shared
}
