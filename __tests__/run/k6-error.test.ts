import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { dropSetupData, lastK6Error, thrownInSetup } from '../../src/run/index.ts'

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

test('an exception whose stack is in setup() is told apart from one in a VU', () => {
  const line = (frame: string) =>
    `time="2026-11-27T03:54:40Z" level=error msg="Error: no values for :tag\\n\\tat ${frame} (file:///tmp/s.js:3:9(5))\\n" hint="script exception"`
  assert.equal(thrownInSetup([line('setup')]), true)
  assert.equal(thrownInSetup([line('default')]), false)
  assert.equal(thrownInSetup([line('mySetup')]), false)
})

test("k6's list of configuration problems is kept under its heading, on one line", () => {
  const tail = [
    'time="2026-12-02T16:34:24Z" level=error msg="There were problems with the specified script configuration:\\n\\t- scenario a has configuration errors: at least one stage has to be specified\\n\\t- scenario b has configuration errors: the number of VUs must be more than 0"',
  ]
  assert.equal(
    lastK6Error(tail),
    'There were problems with the specified script configuration: scenario a has configuration errors: at least one stage has to be specified; scenario b has configuration errors: the number of VUs must be more than 0',
  )
})

test('a long list of k6 problems keeps the first four and counts the rest', () => {
  const problems = Array.from({ length: 7 }, (_, i) => `\\t- problem ${i}`).join('\\n')
  const tail = [`level=error msg="Heading:\\n${problems}"`]
  assert.equal(lastK6Error(tail), 'Heading: problem 0; problem 1; problem 2; problem 3; and 3 more')
})

test('without an error log line the last stderr line is the cause', () => {
  assert.equal(
    lastK6Error(['first', 'flag provided but not defined: -x ']),
    'flag provided but not defined: -x',
  )
  assert.equal(lastK6Error([]), '(no output)')
})

test("k6's setup_data (which holds the scenario's tokens) is dropped from the summary export", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-summary-'))
  const file = path.join(dir, 'k6-summary.json')
  await writeFile(
    file,
    JSON.stringify({ metrics: { http_reqs: { count: 3 } }, setup_data: { token: ['user-1-token'] } }),
  )
  await dropSetupData(file)
  const text = await readFile(file, 'utf8')
  assert.ok(!text.includes('user-1-token'))
  assert.deepEqual(JSON.parse(text), { metrics: { http_reqs: { count: 3 } } })
})
