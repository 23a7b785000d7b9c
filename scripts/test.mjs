#!/usr/bin/env node
// Runs every __tests__/**/*.test.ts with node's test runner (Node 20 has no --test globs).
// One file at a time: integration tests share one testbed stack and the machine's two cores.
// Arguments narrow the run: `node scripts/test.mjs report github` runs files whose path has either word.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const files = readdirSync(path.join(root, '__tests__'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => path.join('__tests__', file))
  .filter((file) => process.argv.length <= 2 || process.argv.slice(2).some((word) => file.includes(word)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { cwd: root, stdio: 'inherit' },
)
process.exit(result.status ?? 1)
