// Integration: the same short scenario against the testbed, once unsharded and once as three
// concurrent k6 processes with execution segments (loopback only), merged from their folders.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { measure, judgeRecord } from '../../src/pipeline.ts'
import { defaultScenario } from '../../src/plan/defaults.ts'
import type { Plan } from '../../src/plan/types.ts'
import { isUnavailable } from '../../src/record/common.ts'
import type { EndpointLoad, LoadPart } from '../../src/record/load.ts'
import { mergeShards, runShard } from '../../src/shard/index.ts'
import { ensureStack } from '../helpers/stack.ts'
import { k6ForTests } from '../run/support/k6.ts'
import { testPlan } from '../run/support/plan.ts'

const SHARDS = 3

function loadOf(part: unknown): LoadPart {
  assert.ok(!isUnavailable(part as never), JSON.stringify(part))
  return part as LoadPart
}

/** Standard deviations of the difference two runs' totals may be apart by chance (two-sided p ≈ 6e-5). */
const COUNT_Z = 4

/**
 * Variance of a run's request total, from that run's own windows: n times the per-window variance,
 * estimated as half the mean squared successive difference (von Neumann), which the ramp-up's
 * steady climb barely inflates, unlike the plain variance around the mean. The first and last
 * windows are left out: k6 starts and stops inside them, so they are partial.
 */
function totalVariance(load: EndpointLoad): number {
  const counts = load.windows.map((w) => w.count).slice(1, -1)
  assert.ok(counts.length >= 4, `${load.name}: ${counts.length} full windows`)
  let squares = 0
  for (let i = 1; i < counts.length; i++) squares += (counts[i]! - counts[i - 1]!) ** 2
  return (load.windows.length * squares) / (2 * (counts.length - 1))
}

/**
 * How far apart (in requests) the totals of two runs of the same load may be by chance. Both
 * runs are measured on this machine as it is now, so a busy machine widens the bound and a quiet
 * one narrows it; a fixed percentage either fails on a loaded machine or lets bugs through.
 */
function countTolerance(a: EndpointLoad, b: EndpointLoad): number {
  return COUNT_Z * Math.sqrt(totalVariance(a) + totalVariance(b))
}

/** k6's own percentile: linear interpolation between the sorted samples at p·(n−1). */
function k6Percentile(sorted: number[], p: number): number {
  const rank = p * (sorted.length - 1)
  const low = sorted[Math.floor(rank)]!
  const high = sorted[Math.ceil(rank)]!
  return low + (high - low) * (rank - Math.floor(rank))
}

/** Raw http_req_duration points of the load (setup/teardown left out), by endpoint, from k6's NDJSON. */
async function rawDurations(file: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>()
  for (const line of gunzipSync(await readFile(file))
    .toString('utf8')
    .split('\n')) {
    if (!line.includes('"http_req_duration"') || !line.includes('"Point"')) continue
    const point = JSON.parse(line) as {
      metric: string
      data: { value: number; tags?: Record<string, string> }
    }
    const tags = point.data.tags ?? {}
    if (point.metric !== 'http_req_duration' || !tags.endpoint) continue
    if ((tags.group ?? '').startsWith('::setup') || (tags.group ?? '').startsWith('::teardown')) continue
    for (const key of [tags.endpoint, 'overall']) {
      const list = out.get(key) ?? []
      list.push(point.data.value)
      out.set(key, list)
    }
  }
  return out
}

test(
  'three k6 shards merged have the unsharded run’s request count and the exact p95 of their raw samples together',
  { timeout: 15 * 60_000 },
  async () => {
    const stack = await ensureStack()
    const root = await mkdtemp(path.join(tmpdir(), 'perfgate-shards-'))
    const env = { ...process.env, PERFGATE_TOKEN: stack.USER_TOKEN! }
    const lines: string[] = []
    const deps = { env, log: (line: string) => lines.push(line) }
    const plan: Plan = testPlan(stack.TARGET_URL!, {
      scenario: defaultScenario(12, 24, 0.1),
      k6Path: k6ForTests(),
      outputDir: path.join(root, 'unsharded'),
    })

    const single = loadOf((await measure(plan, deps)).load)

    const shardsDir = path.join(root, 'shards')
    const shardPlans = Array.from({ length: SHARDS }, (_, i) => ({
      ...plan,
      shards: SHARDS,
      shard: i,
      outputDir: path.join(shardsDir, `shard-${i}`),
    }))
    const shards = await Promise.all(shardPlans.map((p) => runShard(p, deps)))
    assert.ok(
      lines.some((l) => l.includes('as shard 1 of 3 (execution segment 1/3:2/3)')),
      lines.join('\n'),
    )
    const parts = shards.map((s) => loadOf(s.record.load))
    for (const [i, s] of shards.entries()) assert.deepEqual(s.record.meta.shard, { index: i, count: SHARDS })
    // The segments split the VUs: 4 + 4 + 4 = the unsharded 12.
    assert.deepEqual(
      parts.map((p) => p.vusMax),
      [4, 4, 4],
    )

    const mergePlan: Plan = { ...plan, mode: 'merge', shards: SHARDS, outputDir: path.join(root, 'merged') }
    const merged = await mergeShards(mergePlan, { from: shardsDir })
    const load = loadOf(merged.load)
    assert.equal(load.partial, undefined)
    assert.deepEqual(merged.meta.shard, { index: -1, count: SHARDS })
    assert.equal(load.vusMax, single.vusMax)
    assert.equal(
      load.overall.count,
      parts.reduce((n, p) => n + p.overall.count, 0),
    )

    // Same total load, same amount of work: the totals differ by no more than chance allows,
    // judged by the spread the two runs themselves measured (countTolerance). A shard that ran
    // nothing (−33 %) or every VU (+200 %) is far outside that.
    const apart = Math.abs(load.overall.count - single.overall.count)
    const tolerance = countTolerance(single.overall, load.overall)
    console.log(
      `unsharded ${single.overall.count} requests (${single.overall.rps} rps), 3 shards ${parts.map((p) => p.overall.count).join(' + ')} = ${load.overall.count} (${load.overall.rps} rps): ${apart} apart (${((apart / single.overall.count) * 100).toFixed(1)} %), chance allows ${Math.round(tolerance)} (${((tolerance / single.overall.count) * 100).toFixed(1)} %)`,
    )
    const perWindow = (l: EndpointLoad) => l.windows.map((w) => w.count).join(' ')
    assert.ok(
      apart <= tolerance,
      `request counts ${single.overall.count} vs ${load.overall.count}; per window ${perWindow(single.overall)} vs ${perWindow(load.overall)}`,
    )

    // Merged percentiles are the percentiles of the three shards' raw samples together.
    const raw = new Map<string, number[]>()
    for (const p of shardPlans) {
      for (const [name, values] of await rawDurations(path.join(p.outputDir, 'k6.ndjson.gz')))
        raw.set(name, [...(raw.get(name) ?? []), ...values])
    }
    for (const e of [load.overall, ...load.endpoints]) {
      const values = raw.get(e.name)!.sort((a, b) => a - b)
      assert.equal(values.length, e.count, `${e.name}: samples`)
      for (const [p, ours] of [
        [0.5, e.duration.p50Ms],
        [0.95, e.duration.p95Ms],
        [0.99, e.duration.p99Ms],
      ] as const) {
        const exact = k6Percentile(values, p)
        assert.ok(
          Math.abs(ours - exact) <= Math.max(0.001 * exact, 0.002),
          `${e.name} p${p * 100}: merged ${ours} ms, raw samples ${exact} ms`,
        )
      }
      assert.equal(e.duration.maxMs, Math.round(values.at(-1)! * 1000) / 1000, `${e.name}: max`)
    }
    const feed = load.endpoints.find((e) => e.name === 'feed')!
    console.log(
      `feed p95: merged ${feed.duration.p95Ms} ms, unsharded ${single.endpoints.find((e) => e.name === 'feed')!.duration.p95Ms} ms`,
    )

    // The same shards with one missing: partial, and the gate says which.
    const partial = await mergeShards(
      { ...mergePlan, outputDir: path.join(root, 'merged-partial') },
      { from: [shardPlans[0]!.outputDir, shardPlans[2]!.outputDir] },
    )
    assert.equal(loadOf(partial.load).partial, 'shard 1 of 3 missing')
    const { gate } = judgeRecord(
      partial,
      { ...mergePlan, gate: { ...mergePlan.gate, failOn: ['slo', 'regression'] } },
      { history: [], source: 'none', notes: [] },
    )
    assert.equal(gate.failed, true)
    assert.ok(
      gate.reasons.some((r) => r.includes('shard 1 of 3 missing')),
      gate.reasons.join('\n'),
    )
  },
)
