import { test } from 'node:test'
import assert from 'node:assert/strict'
import { lastK6Error } from '../../src/run/index.ts'

test("k6's last error log line becomes the one-line cause, without its stack", () => {
  const tail = [
    'time="2026-11-27T03:54:40Z" level=warning msg="something minor"',
    'time="2026-11-27T03:54:40Z" level=error msg="Error: perfgate setup: no token is known: set PERFGATE_TOKEN or \\"tokens\\" in the fixtures file\\n\\tat setup (file:///tmp/k6-script.js:360:11(305))\\n" hint="script exception"',
  ]
  assert.equal(
    lastK6Error(tail),
    'Error: perfgate setup: no token is known: set PERFGATE_TOKEN or "tokens" in the fixtures file',
  )
})

test('without an error log line the last stderr line is the cause', () => {
  assert.equal(
    lastK6Error(['first', 'flag provided but not defined: -x ']),
    'flag provided but not defined: -x',
  )
  assert.equal(lastK6Error([]), '(no output)')
})
