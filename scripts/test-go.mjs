#!/usr/bin/env node
// Runs the testbed's Go tests against the real stack (its fault tests need PostgreSQL and Redis):
// the tests' shared stack (.perfgate-stack-test/shared, free ports, never a developer's stack on
// the default ports), stopped again when the Go tests end.
import { execFileSync, spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const stackRoot = process.env.PERFGATE_TEST_STACK_ROOT ?? path.join(root, '.perfgate-stack-test')
const stateArgs = ['--state-dir', path.join(stackRoot, 'shared'), '--bin-dir', path.join(stackRoot, 'bin')]
const stackCommand = (args) =>
  execFileSync(process.execPath, ['scripts/stack.mjs', ...args, ...stateArgs], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })

let status = 1
try {
  const stack = Object.fromEntries(
    stackCommand(['up', '--free-ports'])
      .split('\n')
      .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line))
      .filter(Boolean)
      .map((m) => [m[1], m[2]]),
  )
  const result = spawnSync('go', ['test', '-count=1', './...'], {
    cwd: path.join(root, 'testbed'),
    stdio: 'inherit',
    env: { ...process.env, TESTBED_DATABASE_URL: stack.DATABASE_URL, TESTBED_REDIS_URL: stack.REDIS_URL },
  })
  status = result.status ?? 1
} finally {
  if (!process.env.PERFGATE_KEEP_STACK) stackCommand(['down'])
}
process.exit(status)
