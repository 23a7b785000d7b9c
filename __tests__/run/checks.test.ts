// Per-endpoint k6 checks (issue 16): k6 puts no request tags on a check's sample, so a check counts
// for an endpoint only when the script tagged it; otherwise the endpoint's count is not measured,
// and the record and the report say so instead of showing {passes: 0, fails: 0}.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LoadAggregator } from '../../src/run/aggregate.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'
import { buildReportModel, renderMarkdown } from '../../src/report/index.ts'
import { makeRecord } from '../fakes/record.ts'
import { inputFor } from '../report/fixtures.ts'
import type { LoadPart } from '../../src/record/load.ts'
import { mergeShardRecords } from '../../src/shard/merge.ts'
import { aggregate as shardLoad, samples, shardRecord } from '../shard/support.ts'

const T = Date.parse('2026-01-01T00:00:00Z')

function aggregate(checks: Record<string, string>[], passed = true) {
  const agg = new LoadAggregator({ endpoints: DEFAULT_ENDPOINTS })
  for (const [i, url] of [
    'http://h/api/v1/clips',
    'http://h/api/v1/clips/42',
    'http://h/api/v1/search',
  ].entries()) {
    const tags = JSON.stringify({ name: url, method: 'GET', status: '200' })
    agg.point('http_reqs', T + i, 1, tags)
    agg.point('http_req_duration', T + i, 10, tags)
  }
  for (const tags of checks) agg.point('checks', T + 5, passed ? 1 : 0, JSON.stringify(tags))
  return agg.result()
}

test('a check tagged with the endpoint, its name or a path matching its route counts for it', () => {
  const r = aggregate([
    { check: 'a', endpoint: 'feed' },
    { check: 'b', name: 'clip_detail' },
    { check: 'c', name: '/api/v1/search' },
  ])
  assert.deepEqual(
    r.endpoints.map((e) => [e.name, e.checks]),
    [
      ['feed', { passes: 1, fails: 0 }],
      ['clip_detail', { passes: 1, fails: 0 }],
      ['search', { passes: 1, fails: 0 }],
    ],
  )
})

test('with checks in the run, an endpoint none was attributed to has no check count, not zero', () => {
  const r = aggregate(
    [
      { check: 'feed ok', endpoint: 'feed' },
      { check: 'bare', group: '', scenario: 'default' },
    ],
    false,
  )
  assert.deepEqual(r.overall.checks, { passes: 0, fails: 2 })
  assert.deepEqual(r.endpoints[0]!.checks, { passes: 0, fails: 1 })
  assert.equal(r.endpoints[1]!.checks, undefined)
  assert.equal(r.endpoints[2]!.checks, undefined)
  // A name that is neither an endpoint nor one of its routes attributes nothing.
  assert.equal(aggregate([{ check: 'x', name: 'checkout' }]).endpoints[0]!.checks, undefined)
})

test('a run without any check has a measured zero per endpoint', () => {
  for (const e of aggregate([]).endpoints) assert.deepEqual(e.checks, { passes: 0, fails: 0 }, e.name)
})

test('the report says per-endpoint checks were not measured, naming the endpoints', () => {
  const record = makeRecord()
  const load = record.load as LoadPart
  const { checks: _dropped, ...feed } = load.endpoints[0]!
  load.endpoints = [feed]
  const md = renderMarkdown(buildReportModel(inputFor(record)))
  assert.match(
    md,
    /- checks: 100\.00% passed \(100 of 100\)\n {2}- per endpoint: not measured for this script for feed \(its checks carry no endpoint tag: check\(res, \{…\}, \{ endpoint: 'feed' \}\) counts one\)/,
  )
  const measured = renderMarkdown(buildReportModel(inputFor(makeRecord())))
  assert.doesNotMatch(measured, /not measured for this script/)
})

test('merged shards sum per-endpoint checks, and one shard not measuring them leaves them not measured', () => {
  const t0 = Date.parse('2024-01-01T00:00:00.000Z')
  const shards = [0, 1].map((i) => shardRecord(i, 2, shardLoad(samples(i + 1, t0, 10, 120), 4), i === 0))
  const loadOf = (record: { load: unknown }) => record.load as LoadPart
  const feedOf = (record: { load: unknown }) => loadOf(record).endpoints.find((e) => e.name === 'feed')!
  const both = feedOf(mergeShardRecords(shards, 2)).checks!
  assert.equal(both.passes + both.fails, feedOf(shards[0]!).count + feedOf(shards[1]!).count)
  delete feedOf(shards[1]!).checks
  assert.equal(feedOf(mergeShardRecords(shards, 2)).checks, undefined)
})
