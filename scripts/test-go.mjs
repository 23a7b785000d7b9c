#!/usr/bin/env node
// Runs the testbed's Go tests against the real stack (its fault tests need PostgreSQL and Redis).
import { execFileSync, spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const stack = Object.fromEntries(
  execFileSync(process.execPath, ['scripts/stack.mjs', 'up'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
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
process.exit(result.status ?? 1)
