#!/usr/bin/env node
// Runs every __tests__/**/*.test.ts with node's test runner (Node 20 has no --test globs).
// One file at a time: integration tests share one testbed stack and the machine's two cores.
// Arguments narrow the run: `node scripts/test.mjs report github` runs files whose path has either word.
//
// The tests' stacks (__tests__/helpers/stack.ts) live under .perfgate-stack-test/ on free ports;
// this runner owns them: the shared one starts once for the whole run (the first file that needs
// it starts it, later files find it up), and when the run ends, or is interrupted, every stack
// under that folder is stopped. A developer's stack in .perfgate-stack is not touched.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
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

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PERFGATE_TEST_STACK_OWNER: 'runner', PERFGATE_TEST_STACK_ROOT: stackRoot },
  },
)
// Ctrl-C reaches the test runner too (same process group); wait for it, then clean up.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal))
}
child.on('exit', (code, signal) => {
  stopTestStacks()
  process.exit(code ?? (signal ? 1 : 0))
})
