// The byte scanner (src/run/k6-json-scanner.ts) and the aggregator's fast paths against a
// straightforward reference — split the text into lines, JSON.parse each, feed the same
// aggregator — on a generated k6 file full of odd cases: escaped and non-ASCII strings, tags in
// another order, untracked metrics (one of a tracked name's length), CRLF lines, metadata,
// exponents, time zones, setup traffic, a line in another key order, a malformed line and a
// truncated last line. Both must give the same aggregate result, to the byte.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { LoadAggregator } from '../../src/run/aggregate.ts'
import { aggregateK6File } from '../../src/run/aggregate-file.ts'
import { TRACKED_METRICS, type TrackedMetric } from '../../src/run/k6-json-scanner.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'

function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const ENDPOINTS = [
  ['feed', 'GET', '/api/v1/clips'],
  ['clip_detail', 'GET', '/api/v1/clips/:id'],
  ['search', 'GET', '/api/v1/search'],
  ['vote', 'POST', '/api/v1/clips/:id/vote'],
] as const

/** An RFC 3339 time with nanoseconds, in UTC or at an offset, as k6 writes it. */
function rfc3339(ns: bigint, offsetMin: number): string {
  const ms = Number(ns / 1_000_000n) + offsetMin * 60_000
  const base = new Date(ms).toISOString().slice(0, 19)
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0')
  const zone =
    offsetMin === 0
      ? 'Z'
      : `${offsetMin > 0 ? '+' : '-'}${String(Math.floor(Math.abs(offsetMin) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMin) % 60).padStart(2, '0')}`
  return `${base}.${fraction}${zone}`
}

function shuffled<T>(items: T[], next: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** The odd file, as text. */
function oddFile(): string {
  const next = random(7)
  const lines: string[] = [
    '{"type":"Metric","data":{"name":"http_reqs","type":"counter"},"metric":"http_reqs"}',
  ]
  let ns = 1_767_225_600_000_000_000n // 2026-01-01T00:00:00Z
  for (let i = 0; i < 3000; i++) {
    ns += BigInt(Math.floor(next() * 40_000_000))
    const [endpoint, method, route] = ENDPOINTS[i % ENDPOINTS.length]!
    const failed = next() < 0.03
    const tagObject: Record<string, string> = {
      endpoint,
      method,
      name: i % 50 === 0 ? `${route}?q="é\\\\x"&a=1` : route,
      status: failed ? '500' : '200',
      group: i % 400 === 0 ? '::setup' : '',
      expected_response: failed ? 'false' : 'true',
    }
    // The same tags in another key order now and then: another text, the same tag set.
    const keys = i % 7 === 0 ? shuffled(Object.keys(tagObject), next) : Object.keys(tagObject)
    let tags = JSON.stringify(Object.fromEntries(keys.map((k) => [k, tagObject[k]])))
    if (i % 13 === 0) tags = tags.replace(/&/g, '\\u0026')
    const time = rfc3339(ns, i % 11 === 0 ? 120 : i % 17 === 0 ? -330 : 0)
    const ms = Math.exp(next() * 5)
    const point = (metric: string, value: number | string, extra = '') =>
      `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}${extra}}}`
    const request = [
      point('http_reqs', 1),
      point('http_req_duration', ms.toFixed(6)),
      point('http_req_waiting', i % 29 === 0 ? (ms * 0.9).toExponential(4) : (ms * 0.9).toFixed(6)),
      point('http_req_connecting', i % 5 === 0 ? (next() * 2).toFixed(6) : 0),
      point('http_req_blocked', (next() * 3).toFixed(6)),
      point('http_req_sending', 0.012),
      point('http_reqx', 3), // untracked, the length of http_reqs
      point('http_req_failed', failed ? 1 : 0, i % 9 === 0 ? ',"metadata":{"trace":"a\\"b"}' : ''),
      point('checks', failed ? 0 : 1),
    ]
    for (const line of request) lines.push(i % 19 === 0 ? `${line}\r` : line)
    if (i % 100 === 0)
      lines.push(
        `{"type":"Point","metric":"vus","data":{"time":"${time}","value":${1 + (i % 30)},"tags":{}}}`,
      )
    if (i === 1500) lines.push('{"metric":"http_reqs", not json')
  }
  lines.push(lines.at(-1)!.slice(0, 40)) // k6 killed mid-write
  return lines.join('\n')
}

/** Microseconds as the fraction, like the scanner: Date.parse alone keeps milliseconds. */
function referenceTime(time: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time)
  if (!m) return Date.parse(time)
  const micros = Number(((m[2] ?? '') + '000000').slice(0, 6))
  return Date.parse(`${m[1]}${m[3]}`) + micros / 1000
}

/** What one would write first: every line parsed, the tracked points fed to the aggregator. */
function reference(text: string) {
  const tracked = new Set<string>(TRACKED_METRICS)
  const aggregator = new LoadAggregator({ endpoints: DEFAULT_ENDPOINTS })
  let lines = 0
  let malformed = 0
  const all = text.split('\n')
  for (const [i, line] of all.entries()) {
    if (line === '') continue
    let sample: { type?: string; metric?: string; data?: { time: string; value: number; tags?: unknown } }
    try {
      sample = JSON.parse(line) as typeof sample
    } catch {
      malformed++
      // An unfinished last line is dropped, not counted as a line read.
      if (i < all.length - 1) lines++
      continue
    }
    lines++
    if (sample.type !== 'Point' || !tracked.has(sample.metric ?? '') || !sample.data) continue
    aggregator.point(
      sample.metric as TrackedMetric,
      referenceTime(sample.data.time),
      Number(sample.data.value),
      JSON.stringify(sample.data.tags ?? {}),
    )
  }
  return { result: aggregator.result(), lines, malformed }
}

test('the scanner and a JSON.parse-per-line reference aggregate an odd k6 file to the same result', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-reference-'))
  try {
    const text = oddFile()
    const expected = reference(text)
    assert.ok(expected.result.overall.count > 2900, `requests: ${expected.result.overall.count}`)
    assert.equal(expected.malformed, 2) // the broken line and the cut-off last one
    for (const name of ['odd.ndjson', 'odd.ndjson.gz']) {
      const file = join(dir, name)
      await writeFile(file, name.endsWith('.gz') ? gzipSync(text) : text)
      const got = await aggregateK6File(file, { endpoints: DEFAULT_ENDPOINTS })
      assert.equal(got.lines, expected.lines, name)
      assert.equal(got.malformed, expected.malformed, name)
      assert.match(got.truncated ?? '', /last line .* was cut off/, name)
      assert.deepEqual(got.result, expected.result, name)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
