// Integration: a user script whose setup() throws, run by the CLI with real k6 against the Go
// testbed (issue 16). perfgate still writes result.json and the report, both naming k6's own
// message (with the token scrubbed), skips the cool-down, and exits 1.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ensureStack } from '../helpers/stack.ts'
import { perfgate } from '../cli/helpers.ts'
import { k6ForTests } from '../run/support/k6.ts'

test('a script whose setup() throws yields result.json and a report naming k6’s message, and exit 1', async () => {
  const stack = await ensureStack()
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-setup-failure-'))
  const token = stack.USER_TOKEN!
  await writeFile(
    path.join(dir, 'throws.js'),
    [
      "import http from 'k6/http'",
      'export const options = { vus: 1, duration: "5s" }',
      'export function setup() {',
      '  http.get(`${__ENV.PERFGATE_TARGET_URL}/api/v1/clips?sort=hot&limit=25`)',
      '  throw new Error("no values for :tag (token " + __ENV.PERFGATE_TOKEN + ")")',
      '}',
      'export default function () { http.get(`${__ENV.PERFGATE_TARGET_URL}/api/v1/clips`) }',
      '',
    ].join('\n'),
  )
  const out = path.join(dir, 'out')
  const started = Date.now()
  const run = await perfgate(
    [
      'run',
      '--target-url',
      stack.TARGET_URL!,
      '--script',
      'throws.js',
      '--out',
      out,
      '--k6-path',
      k6ForTests(),
      // One collector, so the collectors' log line says what happened to the load.
      '--metrics-url',
      stack.METRICS_URL!,
    ],
    dir,
    { PERFGATE_TOKEN: token },
  )
  assert.equal(run.code, 1, run.stderr)
  assert.ok(Date.now() - started < 45_000, 'no cool-down wait after a load that never ran')
  assert.doesNotMatch(run.stderr, /cool-down \d+s/)
  assert.match(
    run.stderr,
    /collectors: after the load \(the load did not run: k6's setup\(\) failed: no probe, no cool-down\)/,
  )
  assert.doesNotMatch(run.stderr, /interrupted/)

  const record = JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8')) as {
    load: { unavailable?: string }
    outcome: { gate: { failed: boolean; reasons: string[] } }
    postgres?: unknown
  }
  assert.match(
    record.load.unavailable ?? '',
    /^the script's setup\(\) failed, so the load did not run \(k6 exited with code \d+\): .*no values for :tag/,
  )
  assert.equal(record.outcome.gate.failed, true)
  assert.ok(
    record.outcome.gate.reasons.some((r) => r.startsWith("no load data: the script's setup() failed")),
    record.outcome.gate.reasons.join('; '),
  )

  const report = await readFile(path.join(out, 'report.md'), 'utf8')
  assert.match(report, /no values for :tag/)
  // The report names the script, not perfgate's default scenario the script never ran.
  assert.match(report, /\*\*Load Test\*\*: k6 script throws\.js \(its load did not run\)/)
  assert.match(report, /No load data: the script's setup\(\) failed, so the load did not run/)
  assert.doesNotMatch(report, /Mixed behavior|100 VUs|interrupted|after the cool-down/)
  assert.match(report, /Potential leaks: not judged \(the load did not run\)/)
  for (const text of [JSON.stringify(record), report, run.stderr])
    assert.ok(!text.includes(token), 'token scrubbed')
})
