// Merging shard records: exact counts and histogram percentiles, wall-clock windows, and shards
// that are missing, failed or from another split never passing silently.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  executionSegment,
  executionSegmentArgs,
  mergeShardRecords,
  runsCollectors,
  shardArtifactName,
} from '../../src/shard/index.ts'
import { isUnavailable } from '../../src/record/common.ts'
import type { LoadPart } from '../../src/record/load.ts'
import { decodeHistogram } from '../../src/record/histogram.ts'
import { judgeRecord } from '../../src/pipeline.ts'
import { testPlan } from '../run/support/plan.ts'
import { aggregate, samples, shardRecord, type Sample } from './support.ts'

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0)

function loadOf(record: { load: unknown }): LoadPart {
  assert.ok(!isUnavailable(record.load as never), JSON.stringify(record.load))
  return record.load as LoadPart
}

test('shard i of N runs the k6 execution segment i/N:(i+1)/N of the sequence 0,1/N,…,1', () => {
  assert.deepEqual(executionSegment(0, 3), { segment: '0:1/3', sequence: '0,1/3,2/3,1' })
  assert.deepEqual(executionSegment(1, 3), { segment: '1/3:2/3', sequence: '0,1/3,2/3,1' })
  assert.deepEqual(executionSegment(2, 3), { segment: '2/3:1', sequence: '0,1/3,2/3,1' })
  assert.deepEqual(executionSegmentArgs({ shard: 1, shards: 2 }), [
    '--execution-segment',
    '1/2:1',
    '--execution-segment-sequence',
    '0,1/2,1',
  ])
  assert.deepEqual(executionSegmentArgs({ shard: 0, shards: 1 }), [])
  assert.throws(() => executionSegment(3, 3), /shard must be a whole number from 0 to 2/)
})

test('only the owning shard runs the collectors, and each shard has its own artifact name', () => {
  assert.equal(runsCollectors({ shard: 0, shards: 1, mode: 'run' }), true)
  assert.equal(runsCollectors({ shard: 0, shards: 3, mode: 'run' }), true)
  assert.equal(runsCollectors({ shard: 2, shards: 3, mode: 'run' }), false)
  assert.equal(runsCollectors({ shard: 0, shards: 3, mode: 'merge' }), false)
  assert.equal(shardArtifactName('default', 2), 'perfgate-default-shard-2')
  assert.equal(shardArtifactName('a/b', 0), 'perfgate-a-b-shard-0')
})

test('three merged shards have the counts and percentiles of all their samples aggregated together', () => {
  const parts: Sample[][] = [
    samples(1, T0, 30, 3000),
    samples(2, T0 + 300, 30, 2500),
    samples(3, T0 + 900, 29.5, 2800),
  ]
  const records = parts.map((s, i) => shardRecord(i, 3, aggregate(s, 4), i === 0))
  const merged = mergeShardRecords(records, 3)
  const together = aggregate(parts.flat(), 12)
  const load = loadOf(merged)

  assert.equal(load.partial, undefined)
  assert.deepEqual(merged.meta.shard, { index: -1, count: 3 })
  assert.equal(load.vusMax, 12)
  assert.equal(load.startedAt, together.startedAt)
  assert.equal(load.endedAt, together.endedAt)
  assert.equal(load.durationS, Math.round(together.durationS * 1000) / 1000)
  assert.deepEqual(
    load.endpoints.map((e) => e.name),
    together.endpoints.map((e) => e.name),
  )
  for (const [ours, theirs] of [
    [load.overall, together.overall],
    ...load.endpoints.map((e, i) => [e, together.endpoints[i]!] as const),
  ] as const) {
    assert.equal(ours.count, theirs.count, ours.name)
    assert.equal(ours.errors, theirs.errors, ours.name)
    assert.equal(ours.errorRate, theirs.errorRate, ours.name)
    assert.equal(ours.rps, theirs.rps, ours.name)
    assert.deepEqual(ours.statuses, theirs.statuses, ours.name)
    assert.deepEqual(ours.checks, theirs.checks, ours.name)
    for (const stat of ['minMs', 'p50Ms', 'p90Ms', 'p95Ms', 'p99Ms', 'maxMs'] as const) {
      assert.equal(ours.duration[stat], theirs.duration[stat], `${ours.name} duration ${stat}`)
      assert.equal(ours.waiting[stat], theirs.waiting[stat], `${ours.name} waiting ${stat}`)
      assert.equal(ours.blocked[stat], theirs.blocked[stat], `${ours.name} blocked ${stat}`)
    }
    assert.ok(Math.abs(ours.duration.meanMs - theirs.duration.meanMs) <= 0.002, `${ours.name} mean`)
    assert.equal(decodeHistogram(ours.histogram).totalCount, ours.count)
    // Windows hold every request, on the common 10 s grid.
    assert.equal(
      ours.windows.reduce((n, w) => n + w.count, 0),
      ours.count,
    )
    // A shard window goes whole into one common window: the grid matches, the edges may move a little.
    assert.deepEqual(
      ours.windows.map((w) => w.startMs),
      [0, 10_000, 20_000],
    )
    assert.ok(theirs.windows.length - ours.windows.length <= 1)
  }
  // Collectors come from shard 0; the k6 summaries are all there, under their shard headers.
  assert.deepEqual(merged.prometheus, records[0]!.prometheus)
  assert.match(
    load.k6Summary,
    /shard 0 of 3 \(execution segment 0:1\/3\)[\s\S]*shard 2 of 3 \(execution segment 2\/3:1\)/,
  )
})

test('windows are aligned on wall-clock time: a shard that started 7 s late fills the next common window', () => {
  const a = shardRecord(0, 2, aggregate(samples(4, T0, 30, 300), 2))
  const b = shardRecord(1, 2, aggregate(samples(5, T0 + 7000, 30, 300), 2))
  const load = loadOf(mergeShardRecords([a, b], 2))
  const windowsOf = (l: LoadPart) => l.overall.windows.map((w) => [w.startMs, w.count])
  const aw = loadOf(a).overall.windows
  const bw = loadOf(b).overall.windows
  assert.deepEqual(windowsOf(load), [
    [0, aw[0]!.count],
    [10_000, aw[1]!.count + bw[0]!.count],
    [20_000, aw[2]!.count + bw[1]!.count],
    [30_000, bw[2]!.count],
  ])
  assert.equal(load.durationS, 36.9)
})

test('a missing shard makes the merged record partial, names the shard, and the gate says so', () => {
  const records = [0, 2].map((i) => shardRecord(i, 3, aggregate(samples(10 + i, T0, 20, 500), 4), i === 0))
  const merged = mergeShardRecords(records, 3, {
    missing: { 1: 'run 7 has no perfgate-default-shard-1 artifact' },
  })
  const load = loadOf(merged)
  assert.equal(load.partial, 'shard 1 of 3 missing: run 7 has no perfgate-default-shard-1 artifact')
  assert.equal(load.overall.count, 1000)
  assert.match(
    load.k6Summary,
    /shard 1 of 3 \(execution segment 1\/3:2\/3\) ──\n\(no k6 output: shard 1 of 3 missing/,
  )

  const plan = testPlan('http://127.0.0.1:1', { slos: { endpoints: [] } })
  const gating = judgeRecord(
    merged,
    { ...plan, gate: { ...plan.gate, failOn: ['slo'] } },
    {
      history: [],
      source: 'none',
      notes: [],
    },
  )
  assert.equal(gating.gate.failed, true)
  assert.ok(
    gating.gate.reasons.some((r) => r.includes('partial load') && r.includes('shard 1 of 3 missing')),
    gating.gate.reasons.join('\n'),
  )
  // With fail-on empty it still does not pass silently: it is a warning.
  const warning = judgeRecord(merged, plan, { history: [], source: 'none', notes: [] })
  assert.equal(warning.gate.failed, false)
  assert.ok(JSON.stringify(warning.gate).includes('shard 1 of 3 missing'), JSON.stringify(warning.gate))
})

test('a failed shard is named with its reason, and with no usable shard the load is unavailable', () => {
  const ok = shardRecord(0, 2, aggregate(samples(20, T0, 10, 100), 1), true)
  const failed = shardRecord(1, 2, { unavailable: 'k6 exited with code 107 before any request completed' })
  assert.equal(
    loadOf(mergeShardRecords([ok, failed], 2)).partial,
    'shard 1 of 2 failed: k6 exited with code 107 before any request completed',
  )
  const none = mergeShardRecords([shardRecord(0, 2, { unavailable: 'target down' })], 2)
  assert.ok(isUnavailable(none.load))
  assert.equal(
    none.load.unavailable,
    'no shard produced load data: shard 0 of 2 failed: target down; shard 1 of 2 missing',
  )
})

test('without the owning shard the collector parts say which shard was missing', () => {
  const merged = mergeShardRecords([shardRecord(1, 2, aggregate(samples(30, T0, 10, 100), 1))], 2, {
    missing: { 0: 'no artifact' },
  })
  assert.deepEqual(merged.prometheus, {
    unavailable: 'shard 0 of 2, which owns the collectors, is missing: no artifact',
  })
  assert.match(loadOf(merged).partial!, /^shard 0 of 2 missing: no artifact$/)
})

test('a record split for another shard count is left out, and a re-run shard’s newest record wins', () => {
  const a = shardRecord(0, 2, aggregate(samples(40, T0, 10, 100), 1))
  const stranger = shardRecord(1, 4, aggregate(samples(41, T0, 10, 100), 1))
  const old = shardRecord(1, 2, aggregate(samples(42, T0, 10, 100), 1))
  const rerun = shardRecord(1, 2, aggregate(samples(43, T0 + 60_000, 10, 150), 1))
  const merged = loadOf(mergeShardRecords([a, stranger, rerun, old], 2))
  assert.equal(merged.overall.count, 250)
  assert.equal(merged.partial, 'a record of shard 1 was split for 4 shards, not 2: left out')
})

test('the shards’ response samples are merged, still at most three per endpoint and status', () => {
  const sample = (shard: number, i: number, status = 429) => ({
    endpoint: 'feed',
    status,
    body: `shard ${shard} answer ${i}`,
    truncated: false,
    headers: {},
    source: 'load' as const,
  })
  const loads = [0, 1].map((shard) => {
    const load = aggregate(samples(shard + 1, T0, 30, 1000), 2)
    load.responseSamples = [sample(shard, 1), sample(shard, 2), sample(shard, 3, 500)]
    return load
  })
  const merged = loadOf(
    mergeShardRecords(
      loads.map((l, i) => shardRecord(i, 2, l, i === 0)),
      2,
    ),
  )
  assert.deepEqual(
    merged.responseSamples?.map((s) => [s.status, s.body]),
    [
      [429, 'shard 0 answer 1'],
      [429, 'shard 0 answer 2'],
      [429, 'shard 1 answer 1'],
      [500, 'shard 0 answer 3'],
      [500, 'shard 1 answer 3'],
    ],
  )
})
