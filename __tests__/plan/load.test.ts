import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadPlan, parseFailOn } from '../../src/plan/load.ts'
import { ConfigError } from '../../src/plan/errors.ts'

async function withConfig(yaml: string | undefined, inputs: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-plan-'))
  if (yaml !== undefined) await writeFile(path.join(dir, 'perfgate.yml'), yaml)
  return loadPlan({ 'target-url': 'http://127.0.0.1:18080', ...inputs }, { cwd: dir, env: {} })
}

async function configError(yaml: string | undefined, inputs: Record<string, string> = {}): Promise<string> {
  try {
    await withConfig(yaml, inputs)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    assert.ok(!error.message.includes('\n'), 'the error is one line')
    return error.message
  }
  assert.fail('expected the plan to be rejected')
}

test('without perfgate.yml the plan is the Clipper-like default scenario, endpoints and SLOs', async () => {
  const plan = await withConfig(undefined)
  assert.equal(plan.scenario.name, 'Mixed behavior')
  assert.equal(plan.scenario.vus, 100)
  assert.equal(plan.scenario.durationS, 180)
  assert.deepEqual(
    plan.scenario.userTypes.map((u) => [u.name, u.weight]),
    [
      ['casual browser', 40],
      ['active viewer', 30],
      ['searcher', 15],
      ['engaged user', 15],
    ],
  )
  assert.deepEqual(
    plan.scenario.stages.map((s) => s.target),
    [30, 75, 100, 100],
  )
  assert.equal(plan.slos.endpoints.find((s) => s.endpoint === 'clip_detail')?.p95Ms?.value, 50)
  assert.equal(plan.slos.errorRate?.value, 0.01)
  assert.deepEqual(plan.gate.failOn, ['slo', 'regression'])
  assert.equal(plan.gate.tolerances.p95, 0.1)
})

test('vus, duration and think-time-scale inputs shorten the scenario and rescale its ramp', async () => {
  const plan = await withConfig(undefined, { vus: '10', duration: '1m', 'think-time-scale': '0.25' })
  assert.equal(plan.scenario.vus, 10)
  assert.equal(plan.scenario.durationS, 60)
  assert.equal(plan.scenario.thinkTimeScale, 0.25)
  const total = plan.scenario.stages.reduce((sum, s) => sum + Number.parseInt(s.duration, 10), 0)
  assert.equal(total, 60)
  assert.deepEqual(
    plan.scenario.stages.map((s) => s.target),
    [3, 8, 10, 10],
  )
})

test('inputs override perfgate.yml', async () => {
  const plan = await withConfig('scenario:\n  vus: 20\n  duration: 2m\ngate:\n  fail-on: never\n', {
    vus: '5',
    'fail-on': 'slo',
  })
  assert.equal(plan.scenario.vus, 5)
  assert.equal(plan.scenario.durationS, 120)
  assert.deepEqual(plan.gate.failOn, ['slo'])
})

test('SLOs from perfgate.yml keep the user text beside the parsed value', async () => {
  const plan = await withConfig(
    'slos:\n  error-rate: "<0.5%"\n  throughput: ">=50"\n  endpoints:\n    feed: { p50: 20ms, p95: "<75ms", p99: 0.15s }\n',
  )
  const feed = plan.slos.endpoints.find((s) => s.endpoint === 'feed')
  assert.deepEqual(feed?.p95Ms, { text: '<75ms', value: 75 })
  assert.deepEqual(feed?.p99Ms, { text: '0.15s', value: 150 })
  assert.deepEqual(plan.slos.errorRate, { text: '<0.5%', value: 0.005 })
  assert.equal(plan.slos.minRps?.value, 50)
})

test('an unknown key in perfgate.yml names the file, line, key path and the allowed keys', async () => {
  const message = await configError('scenario:\n  vus: 10\nslos:\n  endpoints:\n    feed:\n      p96: 10ms\n')
  assert.match(
    message,
    /perfgate\.yml:6: unknown key "slos\.endpoints\.feed\.p96"; allowed keys here: p50, p95, p99, error-rate, min-rps/,
  )
})

test('an unknown top-level key lists the top-level keys', async () => {
  const message = await configError('scenaro:\n  vus: 10\n')
  assert.match(
    message,
    /perfgate\.yml:1: unknown key "scenaro"; allowed keys here: target-url, script, scenario/,
  )
})

test('a value of the wrong type names the key path, the value and what is allowed', async () => {
  const message = await configError('scenario:\n  vus: many\n')
  assert.match(message, /perfgate\.yml:2: scenario\.vus is "many": /)
})

test('a bad SLO target names its line and shows an example', async () => {
  const message = await configError('slos:\n  endpoints:\n    feed:\n      p95: fast\n')
  assert.match(
    message,
    /perfgate\.yml:4: slos\.endpoints\.feed\.p95 is "fast": expected a target such as <100ms/,
  )
})

test('weights that do not add up to 100% are rejected with each weight', async () => {
  const message = await configError(
    'scenario:\n  user-types:\n    - name: a\n      weight: 60\n      steps: [{ endpoint: feed, think: 1 }]\n    - name: b\n      weight: 30\n      steps: [{ endpoint: search, think: 1 }]\n',
  )
  assert.match(
    message,
    /perfgate\.yml:3: scenario\.user-types weights add up to 90%: they must add up to 100% \(a 60, b 30\)/,
  )
})

test('a scenario step naming an unknown endpoint is rejected with the known endpoints', async () => {
  const message = await configError(
    'scenario:\n  user-types:\n    - name: a\n      weight: 100\n      steps:\n        - endpoint: fede\n          think: 1\n',
  )
  assert.match(
    message,
    /perfgate\.yml:6: scenario step endpoint "fede" is not a configured endpoint; known endpoints: feed, clip_detail/,
  )
})

test('an SLO for an unknown endpoint is rejected', async () => {
  const message = await configError('slos:\n  endpoints:\n    checkout: { p95: 10ms }\n')
  assert.match(message, /slos\.endpoints\.checkout names an unknown endpoint/)
})

test('invalid YAML is reported with its line', async () => {
  const message = await configError('scenario:\n  vus: [1, 2\n')
  assert.match(message, /perfgate\.yml:\d+: invalid YAML/)
})

const badInputs: [string, Record<string, string>, RegExp][] = [
  ['a missing target-url', { 'target-url': '' }, /^target-url is missing: give the base URL/],
  [
    'a malformed target-url',
    { 'target-url': 'not a url' },
    /^target-url is "not a url": expected an absolute http\(s\) URL/,
  ],
  [
    'a target-url with another scheme',
    { 'target-url': 'ftp://example.com' },
    /expected an http\(s\) URL, got ftp/,
  ],
  [
    'an unknown fail-on value',
    { 'fail-on': 'slo,latency' },
    /^fail-on is "slo,latency": allowed values are slo, regression, slo,regression or never$/,
  ],
  ['an unknown mode', { mode: 'dry' }, /^mode is "dry": allowed values are run, comment, merge$/],
  ['zero vus', { vus: '0' }, /^vus is "0": expected a whole number of at least 1$/],
  ['an unreadable duration', { duration: 'soon' }, /^duration is "soon": expected a duration such as 90s/],
  [
    'a negative think-time-scale',
    { 'think-time-scale': '-1' },
    /^think-time-scale is "-1": expected a number above 0/,
  ],
  ['a shard outside shards', { shards: '3', shard: '3' }, /^shard is "3": must be below shards \(3\)$/],
  [
    'a database-url of another scheme',
    { 'database-url': 'mysql://u:p@h/db' },
    /^database-url has scheme "mysql:": allowed schemes are postgres:, postgresql:$/,
  ],
  ['a baseline=path without a path', { baseline: 'path' }, /^baseline-path is missing/],
]

for (const [what, inputs, expected] of badInputs) {
  test(`${what} is rejected with one clear line`, async () => {
    assert.match(await configError(undefined, inputs), expected)
  })
}

test('a malformed DSN is rejected without showing the secret', async () => {
  const message = await configError(undefined, { 'database-url': 'postgres//user:hunter22@db' })
  assert.ok(!message.includes('hunter22'))
  assert.match(message, /database-url is not a URL \(value hidden\)/)
})

test('fail-on never means nothing fails the job', () => {
  assert.deepEqual(parseFailOn('never'), [])
  assert.deepEqual(parseFailOn('regression, slo'), ['regression', 'slo'])
})

test('a config input naming a missing file is an error, the default name is optional', async () => {
  assert.match(
    await configError(undefined, { config: 'perf/missing.yml' }),
    /^config: cannot read .*missing\.yml/,
  )
})
