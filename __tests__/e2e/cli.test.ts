import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

const npx = (args: string[]) =>
  spawnSync('npx', ['--no-install', 'perfgate', ...args], { encoding: 'utf8', timeout: 60_000 })

test('npx perfgate --help prints the commands', () => {
  const result = npx(['--help'])
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /Usage: perfgate/)
  assert.match(result.stdout, /run \[options\]/)
})

test('npx perfgate run --help prints every input as a flag', () => {
  const result = npx(['run', '--help'])
  assert.equal(result.status, 0, result.stderr)
  assert.match(result.stdout, /--target-url <value>/)
  assert.match(result.stdout, /--fail-on <value>/)
  assert.match(result.stdout, /--out <dir>/)
})

test('perfgate run with a bad input exits 1 with one line', () => {
  const result = npx(['run', '--target-url', 'nope'])
  assert.equal(result.status, 1)
  assert.equal(
    result.stderr.trim(),
    'perfgate: target-url is "nope": expected an absolute http(s) URL such as https://pr-42.example.com',
  )
})
