import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { LoadAggregator } from '../../src/run/aggregate.ts'
import { aggregateK6File } from '../../src/run/aggregate-file.ts'
import { K6JsonScanner, type TrackedMetric } from '../../src/run/k6-json-scanner.ts'
import {
  decodeHistogram,
  encodeHistogram,
  interpolatedPercentile,
  mergeEncodedHistograms,
  newHistogram,
} from '../../src/record/histogram.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'

const point = (metric: string, time: string, value: number, tags: Record<string, string>, extra = '') =>
  `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${JSON.stringify(tags).replace(/&/g, '\\u0026')}${extra}}}`

function request(time: string, ms: number, tags: Record<string, string>, failed = false): string[] {
  return [
    point('http_reqs', time, 1, tags),
    point('http_req_duration', time, ms, tags),
    point('http_req_waiting', time, ms * 0.9, tags),
    point('http_req_sending', time, 0.01, tags),
    point('http_req_failed', time, failed ? 1 : 0, tags),
  ]
}

test('the scanner reads k6 points in any chunking, with escapes, metadata and time zones', () => {
  const seen: [TrackedMetric, number, number, string][] = []
  const scanner = new K6JsonScanner({ point: (m, t, v, tags) => seen.push([m, t, v, tags]) })
  const text = [
    '{"type":"Metric","data":{"name":"http_reqs","type":"counter"},"metric":"http_reqs"}',
    point('http_reqs', '2026-01-01T00:00:01.5Z', 1, { name: 'http://x/a?b=1&c=2', status: '200' }),
    point(
      'http_req_duration',
      '2026-01-01T02:00:01.123456789+02:00',
      12.5,
      { status: '200' },
      ',"metadata":{"trace_id":"abc"}',
    ),
    point('data_sent', '2026-01-01T00:00:02Z', 100, {}),
    '{"type":"Point","metric":"vus","data":{"time":"2026-01-01T00:00:03Z","value":7,"tags":{}}}',
    'not json at all',
  ].join('\n')
  for (let i = 0; i < text.length; i += 7) scanner.pushBytes(Buffer.from(text.slice(i, i + 7)))
  scanner.pushBytes(Buffer.from('\n'))
  assert.equal(scanner.end(), true)
  assert.equal(scanner.malformed, 1)
  assert.deepEqual(seen, [
    [
      'http_reqs',
      Date.parse('2026-01-01T00:00:01.5Z'),
      1,
      '{"name":"http://x/a?b=1\\u0026c=2","status":"200"}',
    ],
    ['http_req_duration', Date.parse('2026-01-01T00:00:01.123Z') + 0.456, 12.5, '{"status":"200"}'],
    ['vus', Date.parse('2026-01-01T00:00:03Z'), 7, '{}'],
  ])
})

test('a last line cut off (k6 killed mid-write) is dropped and reported', () => {
  const scanner = new K6JsonScanner({ point: () => {} })
  scanner.push(point('http_reqs', '2026-01-01T00:00:01Z', 1, {}) + '\n{"metric":"http_req_dur')
  assert.equal(scanner.end(), false)
  assert.equal(scanner.points, 1)
})

test('requests are grouped per endpoint and per 2-second window (the default), setup traffic left out', () => {
  const agg = new LoadAggregator({ endpoints: DEFAULT_ENDPOINTS })
  const scanner = new K6JsonScanner(agg)
  const lines = [
    ...request('2026-01-01T00:00:00Z', 5, { group: '::setup', name: '/api/v1/clips', status: '200' }),
    ...request('2026-01-01T00:00:01Z', 10, { endpoint: 'feed', status: '200' }),
    ...request('2026-01-01T00:00:05Z', 20, { endpoint: 'feed', status: '200' }),
    ...request('2026-01-01T00:00:12Z', 30, {
      name: 'http://h/api/v1/clips/42',
      method: 'GET',
      status: '200',
    }),
    ...request(
      '2026-01-01T00:00:13Z',
      40,
      { name: 'http://h/api/v1/clips/42/vote', method: 'POST', status: '500' },
      true,
    ),
    point('checks', '2026-01-01T00:00:13Z', 1, { check: 'ok', endpoint: 'feed' }),
    point('checks', '2026-01-01T00:00:13Z', 0, { check: 'ok' }),
    point('vus', '2026-01-01T00:00:13Z', 3, {}),
  ]
  scanner.push(lines.join('\n') + '\n')
  const r = agg.result()
  assert.deepEqual(
    r.endpoints.map((e) => [e.name, e.count, e.errors]),
    [
      ['feed', 2, 0],
      ['clip_detail', 1, 0],
      ['vote', 1, 1],
    ],
  )
  assert.equal(r.overall.count, 4)
  assert.equal(r.overall.errorRate, 0.25)
  assert.deepEqual(r.overall.statuses, { '200': 3, '500': 1 })
  assert.deepEqual(r.overall.checks, { passes: 1, fails: 1 })
  assert.deepEqual(r.endpoints[0]!.checks, { passes: 1, fails: 0 })
  assert.equal(r.vusMax, 3)
  assert.deepEqual(
    r.overall.windows.map((w) => [w.startMs, w.count, w.errors]),
    [
      // From the first request (00:01): 00:05 is window 2, 00:12 window 5, 00:13 window 6.
      [0, 1, 0],
      [4_000, 1, 0],
      [10_000, 1, 0],
      [12_000, 1, 1],
    ],
  )
  assert.equal(r.windowS, 2)
  // k6's interpolation between 10 and 20 ms, within the histogram's 3 significant digits.
  assert.ok(Math.abs(r.endpoints[0]!.duration.p50Ms - 15) <= 0.015)
  assert.equal(r.overall.duration.maxMs, 40)
  assert.equal(r.overall.waiting.maxMs, 36)
  assert.equal(r.durationS, 12)
  assert.equal(decodeHistogram(r.overall.histogram).totalCount, 4)
})

test('encoded histograms merge into the histogram of all their values', () => {
  const a = newHistogram()
  const b = newHistogram()
  for (let v = 1; v <= 1000; v++) (v % 2 ? a : b).recordValue(v * 10)
  const merged = decodeHistogram(mergeEncodedHistograms([encodeHistogram(a), encodeHistogram(b)]))
  assert.equal(merged.totalCount, 1000)
  assert.ok(Math.abs(interpolatedPercentile(merged, 0.95) - 9500.5) <= 9500 * 0.001)
})

test('a gzip file cut short is aggregated up to where it ends and marked truncated', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-agg-'))
  const lines: string[] = []
  for (let i = 0; i < 2000; i++)
    lines.push(
      ...request(`2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, 5 + (i % 7), {
        endpoint: 'feed',
        status: '200',
      }),
    )
  const gz = gzipSync(lines.join('\n') + '\n')
  const file = join(dir, 'cut.ndjson.gz')
  await writeFile(file, gz.subarray(0, Math.floor(gz.length * 0.7)))
  const r = await aggregateK6File(file, { endpoints: DEFAULT_ENDPOINTS })
  assert.ok(r.truncated, 'marked truncated')
  assert.ok(
    r.result.overall.count > 100 && r.result.overall.count < 2000,
    `${r.result.overall.count} requests read`,
  )
})
