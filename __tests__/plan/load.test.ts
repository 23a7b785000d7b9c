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
  assert.equal(
    plan.slos.minRps?.source,
    'perfgate.yml:3',
    'the report says where the throughput target was set',
  )
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
    /perfgate\.yml:1: unknown key "scenaro"; allowed keys here: target-url, target-wait, warm-up, script, scenario/,
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
  ['zero vus', { vus: '0' }, /^vus is "0": expected a whole number from 1 to 10000, in decimal digits$/],
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

const boundInputs: [string, Record<string, string>, string][] = [
  [
    'vus in hexadecimal',
    { vus: '0x10' },
    'vus is "0x10": expected a whole number from 1 to 10000, in decimal digits',
  ],
  [
    'vus in exponent notation',
    { vus: '1e9' },
    'vus is "1e9": expected a whole number from 1 to 10000, in decimal digits',
  ],
  [
    'vus above the cap',
    { vus: '10001' },
    'vus is "10001": expected a whole number from 1 to 10000, in decimal digits',
  ],
  [
    'shards in hexadecimal',
    { shards: '0x2' },
    'shards is "0x2": expected a whole number of at least 1, in decimal digits',
  ],
  [
    'a duration above six hours',
    { duration: '99999h' },
    'duration is "99999h": allowed range is 1s to 6h (a GitHub job stops at 6 h)',
  ],
  [
    'a think-time-scale in hexadecimal',
    { 'think-time-scale': '0x1' },
    'think-time-scale is "0x1": expected a number above 0, e.g. 0.25',
  ],
  [
    'a target-wait above 15 minutes',
    { 'target-wait': '1h' },
    'target-wait is "1h": allowed range is 0s to 15m',
  ],
  [
    'an unreadable target-wait',
    { 'target-wait': 'long' },
    'target-wait is "long": expected a duration such as 30s, 3m or 1m30s',
  ],
]

for (const [what, inputs, expected] of boundInputs) {
  test(`${what} is refused with the allowed range`, async () => {
    assert.equal(await configError(undefined, inputs), expected)
  })
}

test('target-wait defaults to 60 s and accepts 0 (one try)', async () => {
  assert.equal((await withConfig(undefined)).targetWaitS, 60)
  assert.equal((await withConfig(undefined, { 'target-wait': '0' })).targetWaitS, 0)
  assert.equal((await withConfig('target-wait: 2m\n')).targetWaitS, 120)
})

test('scenario.vus and stages in perfgate.yml are bounded, naming the line', async () => {
  assert.equal(
    await configError('scenario:\n  vus: 1000000000\n'),
    'perfgate.yml:2: scenario.vus is 1000000000: allowed range is 1 to 10000 VUs',
  )
  assert.equal(
    await configError('scenario:\n  duration: 7h\n'),
    'perfgate.yml:2: scenario.duration is "7h": allowed range is 1s to 6h (a GitHub job stops at 6 h)',
  )
  assert.equal(
    await configError(
      'scenario:\n  stages:\n    - duration: 10s\n      target: 0\n    - duration: 5s\n      target: 0\n',
    ),
    'perfgate.yml:3: scenario.stages all target 0 VUs: at least one stage needs a target of 1 or more',
  )
})

test('a YAML alias bomb is refused naming the file and the line of the first alias', async () => {
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    '',
  ].join('\n')
  assert.equal(
    await configError(bomb),
    'perfgate.yml:2: invalid YAML: Excessive alias count indicates a resource exhaustion attack (aliases expand to too many values; write the values out instead)',
  )
})

test('a perfgate.yml above 1 MB is refused at once, stating the limit', async () => {
  const started = Date.now()
  const message = await configError(`# ${'x'.repeat(78)}\n`.repeat(130_000))
  assert.equal(
    message,
    'config: perfgate.yml is 10 MB: perfgate.yml may be at most 1 MB (endpoints, SLOs and a scenario fit in a few KB)',
  )
  assert.ok(Date.now() - started < 2000, 'refused before parsing')
})

test('an unknown endpoint in a long endpoint list names the first 20 and counts the rest', async () => {
  const endpoints = Array.from({ length: 30 }, (_, i) => `  - name: e${i}\n    route: /e${i}\n`).join('')
  const steps =
    'scenario:\n  user-types:\n    - { name: a, weight: 100, steps: [{ endpoint: e30, think: 1 }] }\n'
  const message = await configError(`endpoints:\n${endpoints}${steps}`)
  assert.match(message, /perfgate\.yml:64: .* known endpoints: e0, e1, .*, e19 and 10 more$/)
})

test('warm-up is off by default, bounded, and refused with a user script', async () => {
  assert.equal((await withConfig(undefined)).warmUpS, 0)
  assert.equal((await withConfig(undefined, { 'warm-up': '10s' })).warmUpS, 10)
  assert.equal(
    await configError(undefined, { 'warm-up': '10m' }),
    'warm-up is "10m": allowed range is 0s to 5m',
  )
  assert.equal(
    await configError(undefined, { 'warm-up': '10s', script: 'load/mine.js' }),
    'warm-up is "10s": it runs the generated scenario only; with your own script, put a warm-up stage in it (its requests then count) or leave warm-up empty',
  )
})

test('baseline-url makes a paired plan: the URL without its trailing slash', async () => {
  const plan = await withConfig(undefined, { 'baseline-url': 'http://127.0.0.1:18081/' })
  assert.equal(plan.baselineUrl, 'http://127.0.0.1:18081')
  assert.equal((await withConfig(undefined)).baselineUrl, undefined)
})

test('baseline-url is refused when it is not an http(s) URL, with a user script, or sharded', async () => {
  assert.match(
    await configError(undefined, { 'baseline-url': 'ftp://base.example.com' }),
    /^baseline-url is "ftp:\/\/base\.example\.com": expected an http\(s\) URL/,
  )
  assert.match(
    await configError(undefined, { 'baseline-url': 'http://127.0.0.1:2', script: 'load.js' }),
    /^baseline-url works with the generated scenario only: remove script/,
  )
  assert.match(
    await configError(undefined, { 'baseline-url': 'http://127.0.0.1:2', shards: '2' }),
    /^baseline-url cannot be sharded \(shards is 2\)/,
  )
})
