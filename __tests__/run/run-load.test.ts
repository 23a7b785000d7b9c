import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLoad } from '../../src/run/index.ts'
import { DEFAULT_ENDPOINTS, defaultScenario } from '../../src/plan/defaults.ts'
import type { EndpointLoad, LatencyStats } from '../../src/record/load.ts'
import { startClipperStub, type ClipperStub } from './support/clipper-stub.ts'
import { k6ForTests } from './support/k6.ts'
import { testPlan } from './support/plan.ts'

let stub: ClipperStub
let dir: string
let env: NodeJS.ProcessEnv

before(async () => {
  stub = await startClipperStub()
  dir = await mkdtemp(join(tmpdir(), 'perfgate-run-'))
  env = { ...process.env, PERFGATE_K6: k6ForTests() }
})
after(() => stub.close())

type K6Trend = Record<'avg' | 'min' | 'med' | 'max' | 'p(90)' | 'p(95)' | 'p(99)', number>

/** Same value within the histogram's precision: 3 significant digits, and 1 µs rounding on sub-ms values. */
function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = Math.max(0.001 * Math.abs(expected), 0.002)
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: perfgate ${actual} ms, k6 ${expected} ms`)
}

function assertMatchesK6(stats: LatencyStats, trend: K6Trend, what: string): void {
  assertClose(stats.minMs, trend.min, `${what} min`)
  assertClose(stats.meanMs, trend.avg, `${what} avg`)
  assertClose(stats.p50Ms, trend.med, `${what} p50`)
  assertClose(stats.p90Ms, trend['p(90)'], `${what} p90`)
  assertClose(stats.p95Ms, trend['p(95)'], `${what} p95`)
  assertClose(stats.p99Ms, trend['p(99)'], `${what} p99`)
  assertClose(stats.maxMs, trend.max, `${what} max`)
}

test('a shortened default scenario gives every endpoint results that match k6’s own summary', async () => {
  const fixtures = join(dir, 'fixtures.json')
  await writeFile(fixtures, JSON.stringify({ tokens: ['user-1-token', 'user-2-token'] }))
  const plan = testPlan(stub.url, { scenario: { ...defaultScenario(6, 8, 0.01), fixtures } })
  const outDir = join(dir, 'default')
  const progress: number[] = []
  const { load, k6Version } = await runLoad(plan, outDir, {
    env,
    progressIntervalMs: 1000,
    onProgress: (p) => progress.push(p.requests),
  })

  assert.match(k6Version, /^\d+\.\d+\.\d+/)
  assert.equal(load.k6ExitCode, 0)
  assert.equal(load.partial, undefined)
  assert.deepEqual(
    load.endpoints.map((e) => e.name),
    DEFAULT_ENDPOINTS.map((e) => e.name),
  )
  for (const e of load.endpoints) {
    assert.ok(e.count > 0, `${e.name} has requests`)
    assert.equal(e.errorRate, 0, `${e.name} has no errors`)
    assert.ok(e.checks !== undefined && e.checks.passes > 0 && e.checks.fails === 0, `${e.name} checks pass`)
  }
  assert.equal(load.overall.errorRate, 0)
  assert.ok(progress.length > 0 && progress.some((n) => n > 0), 'progress was reported while k6 ran')

  // The stub counted what it served (setup's feed requests included); k6 counted the rest.
  const served = (key: string) => stub.requests.get(key) ?? 0
  const count = (name: string) => load.endpoints.find((e) => e.name === name)!.count
  assert.equal(count('clip_detail'), served('GET clip'))
  assert.equal(count('vote'), served('POST vote'))
  assert.equal(count('create_comment'), served('POST comments'))
  assert.equal(count('tag_browse'), served('GET tag'))

  const summary = JSON.parse(await readFile(join(outDir, 'k6-summary.json'), 'utf8')).metrics
  assert.equal(load.overall.count, summary['http_reqs{scenario:perfgate}'].count)
  assertMatchesK6(load.overall.duration, summary['http_req_duration{scenario:perfgate}'], 'overall duration')
  for (const e of load.endpoints) {
    assertMatchesK6(e.duration, summary[`http_req_duration{endpoint:${e.name}}`], `${e.name} duration`)
  }
  assert.equal(load.overall.checks?.passes, summary.checks.passes)

  assert.deepEqual(load.files, ['k6-script.js', 'k6.ndjson.gz', 'k6-summary.txt', 'k6-summary.json'])
  const text = await readFile(join(outDir, 'k6-summary.txt'), 'utf8')
  assert.match(text, /http_req_duration/)
  assert.equal(load.k6Summary, text.trim())
  assert.ok(load.overall.windows.length >= 1)
  assert.equal(
    load.overall.windows.reduce((sum, w) => sum + w.count, 0),
    load.overall.count,
  )
})

test('every generated request carries its endpoint and route template as tags', async () => {
  const { aggregateK6File } = await import('../../src/run/aggregate-file.ts')
  const { endpoints } = (await aggregateK6File(join(dir, 'default', 'k6.ndjson.gz'), { endpoints: [] }))
    .result
  // With no route patterns at all, names still come from the endpoint tag.
  assert.deepEqual(
    endpoints.map((e: EndpointLoad) => e.name).sort(),
    DEFAULT_ENDPOINTS.map((e) => e.name).sort(),
  )
})
