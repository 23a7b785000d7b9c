import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { cliDebugRequested, collectorLines, debugRequested } from '../../src/debug-log.ts'
import { makeRecord } from '../fakes/record.ts'

test('debug is on for the debug input or when the runner runs in debug mode', () => {
  assert.equal(debugRequested('true', {}), true)
  assert.equal(debugRequested('false', {}), false)
  assert.equal(debugRequested('', { RUNNER_DEBUG: '1' }), true)
  assert.equal(debugRequested('', {}), false)
})

test('the CLI reads --debug alone, --debug=true, --debug true and PERFGATE_DEBUG', () => {
  const argv = (...rest: string[]) => ['node', 'perfgate', 'run', ...rest]
  assert.equal(cliDebugRequested(argv('--debug'), {}), true)
  assert.equal(cliDebugRequested(argv('--debug', '--vus', '3'), {}), true)
  assert.equal(cliDebugRequested(argv('--debug=true'), {}), true)
  assert.equal(cliDebugRequested(argv('--debug', 'false'), {}), false)
  assert.equal(cliDebugRequested(argv(), { PERFGATE_DEBUG: 'true' }), true)
  assert.equal(cliDebugRequested(argv(), {}), false)
})

test('collector lines say what each part holds or why it is missing, without its values', () => {
  const record = { ...makeRecord(), postgres: { unavailable: 'connection refused' } }
  const lines = collectorLines(record)
  assert.equal(lines.length, 6)
  assert.ok(lines.includes('debug: postgres: unavailable: connection refused'))
  assert.match(
    lines.find((l) => l.startsWith('debug: load:'))!,
    /^debug: load: \d+ bytes of data \(.*endpoints.*\)$/,
  )
})

test('perfgate run --debug prints the stack trace its help promises; without it, one line', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--target-url', 'nope', ...args], {
      encoding: 'utf8',
      env: { ...process.env, PERFGATE_DEBUG: '' },
    })
  const plain = cli()
  assert.equal(plain.status, 1)
  assert.equal(plain.stderr.trim().split('\n').length, 1)
  const debug = cli('--debug')
  assert.equal(debug.status, 1)
  assert.match(debug.stderr, /^perfgate: target-url is "nope"/)
  assert.match(debug.stderr, /\n\s+at .*load\.ts:\d+/)
})
