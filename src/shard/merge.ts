// Merging the records of N shards of one k6 test into one RunRecord. Pure.
//
// Exact where the maths allows it: counts, errors, checks and statuses are summed, and every
// latency figure is recomputed from the sum of the shards' HDR histograms, so a merged percentile
// is the percentile of all the shards' samples together, within histogram precision (exact below
// 2 048 µs, 0.1 % above). Only the means come from the shards' rounded means (weighted by count).
//
// Time: the merged load runs from the earliest shard start to the latest shard end; rps is the
// merged count over that wall-clock duration. Windows are aligned on wall-clock time: window k of a
// shard covers [startedAt + k·W, startedAt + (k+1)·W) and goes whole into the common window (grid
// from the earliest shard start, same width W) whose start is nearest its own absolute start.
// Shards started by one job matrix start within a second or two of each other, so window k of every
// shard lands in common window k; a window is never split, and is never displaced by more than W/2.
import type { Histogram } from 'hdr-histogram-js'
import type { EndpointLoad, LatencyStats, LoadPart, LoadWindow, ResponseSample } from '../record/load.ts'
import { SAMPLES_PER_STATUS } from '../record/response-text.ts'
import type { RunRecord } from '../record/index.ts'
import { isUnavailable, type Part } from '../record/common.ts'
import {
  decodeHistogram,
  encodeHistogram,
  interpolatedPercentiles,
  latencyStats,
  newHistogram,
  type ExactMoments,
} from '../record/histogram.ts'
import { COLLECTOR_SHARD, executionSegment } from './policy.ts'

export interface MergeOptions {
  /** The shard whose collector parts the merged record keeps (default 0). */
  collectorShard?: number
  /** Why a shard has no record, by index (no artifact, unreadable result.json): its line in `partial`. */
  missing?: Record<number, string>
}

const COLLECTOR_PARTS = ['prometheus', 'postgres', 'redis', 'appStats', 'profiles'] as const
const PHASES = ['waiting', 'connecting', 'blocked'] as const

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** `shard 1 of 3` — shards are numbered from 0, as the `shard` input is. */
export function shardLabel(index: number, count: number): string {
  return `shard ${index} of ${count}`
}

/**
 * One RunRecord from the records of the shards of one test. A shard that is missing, failed
 * (load unavailable) or partial makes the merged load partial, naming the shard; with no usable
 * shard at all the merged load is unavailable. Records are placed by `meta.shard.index` (by
 * position when a record has none); a record split for another shard count is left out.
 */
export function mergeShardRecords(
  records: RunRecord[],
  expectedShards: number,
  options: MergeOptions = {},
): RunRecord {
  if (!Number.isInteger(expectedShards) || expectedShards < 1)
    throw new Error(`expected shards must be a whole number ≥ 1, got ${expectedShards}`)
  const n = expectedShards
  const owner = options.collectorShard ?? COLLECTOR_SHARD
  const problems: string[] = []
  const slots = new Map<number, RunRecord>()
  records.forEach((record, position) => {
    const index = record.meta.shard?.index ?? position
    const count = record.meta.shard?.count ?? n
    if (count !== n) {
      problems.push(`a record of shard ${index} was split for ${count} shards, not ${n}: left out`)
      return
    }
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      problems.push(`a record names shard ${index}, outside 0–${n - 1}: left out`)
      return
    }
    const earlier = slots.get(index)
    // A re-run job uploads again: the newest record of a shard wins.
    if (!earlier || Date.parse(record.meta.endedAt) >= Date.parse(earlier.meta.endedAt))
      slots.set(index, record)
  })

  const usable: { index: number; load: LoadPart }[] = []
  for (let i = 0; i < n; i++) {
    const record = slots.get(i)
    const label = shardLabel(i, n)
    if (!record) {
      problems.push(`${label} missing${options.missing?.[i] ? `: ${options.missing[i]}` : ''}`)
      continue
    }
    if (isUnavailable(record.load)) {
      problems.push(`${label} failed: ${record.load.unavailable}`)
      continue
    }
    if (record.load.partial) problems.push(`${label} partial: ${record.load.partial}`)
    usable.push({ index: i, load: record.load })
  }
  // Problems in shard order first, then the others.
  problems.sort((a, b) => Number(!a.startsWith('shard ')) - Number(!b.startsWith('shard ')))

  const present = [...slots.entries()].sort(([a], [b]) => a - b).map(([, r]) => r)
  const base = slots.get(owner) ?? present[0]
  if (!base) throw new Error(`no shard record to merge (expected ${n})`)

  const load: Part<LoadPart> =
    usable.length === 0
      ? { unavailable: `no shard produced load data: ${problems.join('; ')}` }
      : mergeLoads(usable, n, problems, present)

  const ownerRecord = slots.get(owner)
  const collectors = Object.fromEntries(
    COLLECTOR_PARTS.map((part) => [
      part,
      ownerRecord
        ? ownerRecord[part]
        : {
            unavailable: `${shardLabel(owner, n)}, which owns the collectors, is missing${options.missing?.[owner] ? `: ${options.missing[owner]}` : ''}`,
          },
    ]),
  ) as Pick<RunRecord, (typeof COLLECTOR_PARTS)[number]>

  const k6Version = present.find((r) => r.meta.k6Version)?.meta.k6Version
  return {
    schema: base.schema,
    meta: {
      ...base.meta,
      startedAt: new Date(Math.min(...present.map((r) => Date.parse(r.meta.startedAt)))).toISOString(),
      endedAt: new Date(Math.max(...present.map((r) => Date.parse(r.meta.endedAt)))).toISOString(),
      ...(k6Version ? { k6Version } : {}),
      shard: { index: -1, count: n },
    },
    plan: base.plan,
    load,
    ...collectors,
    findings: ownerRecord?.findings ?? [],
  }
}

function mergeLoads(
  usable: { index: number; load: LoadPart }[],
  n: number,
  problems: string[],
  present: RunRecord[],
): LoadPart {
  const loads = usable.map((u) => u.load)
  const starts = loads.map((l) => Date.parse(l.startedAt))
  const origin = Math.min(...starts)
  const end = Math.max(...loads.map((l) => Date.parse(l.endedAt)))
  const durationS = Math.max((end - origin) / 1000, 0.001)
  const windowS = loads[0]!.windowS
  const windowMs = windowS * 1000
  const at = (i: number, ep: EndpointLoad) => ({ ep, startMs: starts[i]! })

  const order = new Map<string, number>()
  for (const r of present) r.plan.endpoints.forEach((e, i) => order.has(e.name) || order.set(e.name, i))
  const names = [...new Set(loads.flatMap((l) => l.endpoints.map((e) => e.name)))].sort(
    (a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b),
  )
  const endpoints = names.map((name) =>
    mergeEndpoint(
      name,
      loads.flatMap((l, i) => l.endpoints.filter((e) => e.name === name).map((e) => at(i, e))),
      origin,
      windowMs,
      durationS,
    ),
  )
  const overall = mergeEndpoint(
    'overall',
    loads.map((l, i) => at(i, l.overall)),
    origin,
    windowMs,
    durationS,
  )

  const summaries: string[] = []
  const byIndex = new Map(usable.map((u) => [u.index, u.load]))
  for (let i = 0; i < n; i++) {
    const { segment } = executionSegment(i, n)
    const l = byIndex.get(i)
    summaries.push(
      `── ${shardLabel(i, n)} (execution segment ${segment}) ──\n${l ? l.k6Summary.trimEnd() : `(no k6 output: ${problems.find((p) => p.startsWith(`${shardLabel(i, n)} `)) ?? 'missing'})`}`,
    )
  }
  const failedExit = loads.find((l) => l.k6ExitCode !== 0 && !l.thresholdsCrossed)?.k6ExitCode
  const malformed = loads.reduce((sum, l) => sum + (l.malformedLines ?? 0), 0)
  const source = loads.find((l) => l.source)?.source
  const samples = mergeSamples(loads)
  const skipped = loads.flatMap((l) => l.responseSamplesSkipped ?? [])
  return {
    startedAt: new Date(origin).toISOString(),
    endedAt: new Date(end).toISOString(),
    durationS: round3(durationS),
    windowS,
    // Summed maxima: every shard runs its share of the same stages, so their peaks coincide in
    // time and add up to the unsharded peak (k6 segments partition the VUs exactly).
    vusMax: loads.reduce((sum, l) => sum + l.vusMax, 0),
    overall,
    endpoints,
    k6Summary: summaries.join('\n\n'),
    k6ExitCode: failedExit ?? loads.find((l) => l.k6ExitCode !== 0)?.k6ExitCode ?? 0,
    thresholdsCrossed: loads.some((l) => l.thresholdsCrossed),
    ...(problems.length > 0 ? { partial: problems.join('; ') } : {}),
    // Raw k6 output stays in each shard's own artifact.
    files: [],
    ...(source ? { source } : {}),
    ...(malformed > 0 ? { malformedLines: malformed } : {}),
    ...(samples.length > 0 ? { responseSamples: samples } : {}),
    ...(skipped.length > 0 ? { responseSamplesSkipped: skipped } : {}),
  }
}

/** The shards' response samples, still at most SAMPLES_PER_STATUS per (endpoint, status). */
function mergeSamples(loads: LoadPart[]): ResponseSample[] {
  const kept = new Map<string, ResponseSample[]>()
  for (const sample of loads.flatMap((l) => l.responseSamples ?? [])) {
    const key = `${sample.endpoint}\u0000${sample.status}`
    const list = kept.get(key) ?? []
    if (list.length < SAMPLES_PER_STATUS) list.push(sample)
    kept.set(key, list)
  }
  return [...kept.values()].flat()
}

interface Placed {
  ep: EndpointLoad
  /** Absolute start of the shard's load, epoch ms. */
  startMs: number
}

function mergeEndpoint(
  name: string,
  parts: Placed[],
  origin: number,
  windowMs: number,
  durationS: number,
): EndpointLoad {
  const eps = parts.map((p) => p.ep)
  const count = sum(eps.map((e) => e.count))
  const errors = sum(eps.map((e) => e.errors))
  const statuses: Record<string, number> = {}
  for (const e of eps) for (const [s, c] of Object.entries(e.statuses)) statuses[s] = (statuses[s] ?? 0) + c
  const sortedStatuses = Object.fromEntries(Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b)))

  const decoded = eps.map((e) => decodeHistogram(e.histogram))
  const duration = sumHistograms(decoded)
  const phases = {} as Record<(typeof PHASES)[number], { stats: LatencyStats; histogram?: string }>
  const allPhases = eps.every((e) => e.phaseHistograms)
  for (const phase of PHASES) {
    if (allPhases) {
      const hs = eps.map((e) => decodeHistogram(e.phaseHistograms![phase]))
      const merged = sumHistograms(hs)
      phases[phase] = {
        stats: latencyStats(
          merged,
          moments(
            eps.map((e) => e[phase]),
            hs,
          ),
        ),
        histogram: encodeHistogram(merged),
      }
    } else {
      // An older shard record without phase histograms: count-weighted figures, not exact.
      phases[phase] = {
        stats: weightedStats(
          eps.map((e) => e[phase]),
          eps.map((e) => e.count),
        ),
      }
    }
  }

  const windows = new Map<number, { count: number; errors: number; histograms: Histogram[] }>()
  for (const { ep, startMs } of parts) {
    for (const w of ep.windows) {
      const index = Math.max(0, Math.round((startMs + w.startMs - origin) / windowMs))
      let into = windows.get(index)
      if (!into) windows.set(index, (into = { count: 0, errors: 0, histograms: [] }))
      into.count += w.count
      into.errors += w.errors
      into.histograms.push(decodeHistogram(w.histogram))
    }
  }
  const mergedWindows: LoadWindow[] = [...windows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, w]) => {
      const h = sumHistograms(w.histograms)
      const [p50, p95] = interpolatedPercentiles(h, [0.5, 0.95]) as [number, number]
      return {
        startMs: index * windowMs,
        count: w.count,
        errors: w.errors,
        p50Ms: round3(p50 / 1000),
        p95Ms: round3(p95 / 1000),
        histogram: encodeHistogram(h),
      }
    })

  const spec = eps.find((e) => e.method || e.route)
  return {
    name,
    ...(spec?.method ? { method: spec.method } : {}),
    ...(spec?.route ? { route: spec.route } : {}),
    count,
    rps: round3(count / durationS),
    errors,
    errorRate: count > 0 ? errors / count : 0,
    // One shard's unknown count (checks not attributed) makes the sum unknown, not smaller.
    ...(eps.every((e) => e.checks)
      ? {
          checks: {
            passes: sum(eps.map((e) => e.checks!.passes)),
            fails: sum(eps.map((e) => e.checks!.fails)),
          },
        }
      : {}),
    statuses: sortedStatuses,
    duration: latencyStats(
      duration,
      moments(
        eps.map((e) => e.duration),
        decoded,
      ),
    ),
    waiting: phases.waiting.stats,
    connecting: phases.connecting.stats,
    blocked: phases.blocked.stats,
    histogram: encodeHistogram(duration),
    ...(allPhases
      ? {
          phaseHistograms: {
            waiting: phases.waiting.histogram!,
            connecting: phases.connecting.histogram!,
            blocked: phases.blocked.histogram!,
          },
        }
      : {}),
    windows: mergedWindows,
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0)
}

function sumHistograms(hs: Histogram[]): Histogram {
  const total = newHistogram()
  for (const h of hs) total.add(h)
  return total
}

/** Exact min and max across shards, and the sum behind the mean, weighted by each shard's sample count. */
function moments(stats: LatencyStats[], histograms: Histogram[]): ExactMoments {
  const m: ExactMoments = { count: 0, sumMs: 0, minMs: Number.POSITIVE_INFINITY, maxMs: 0 }
  stats.forEach((s, i) => {
    const n = histograms[i]!.totalCount
    if (n === 0) return
    m.count += n
    m.sumMs += s.meanMs * n
    if (s.minMs < m.minMs) m.minMs = s.minMs
    if (s.maxMs > m.maxMs) m.maxMs = s.maxMs
  })
  return m
}

function weightedStats(stats: LatencyStats[], weights: number[]): LatencyStats {
  const total = sum(weights)
  const avg = (key: keyof LatencyStats) =>
    total > 0 ? round3(sum(stats.map((s, i) => s[key] * weights[i]!)) / total) : 0
  const counted = stats.filter((_, i) => weights[i]! > 0)
  return {
    minMs: counted.length ? Math.min(...counted.map((s) => s.minMs)) : 0,
    meanMs: avg('meanMs'),
    p50Ms: avg('p50Ms'),
    p90Ms: avg('p90Ms'),
    p95Ms: avg('p95Ms'),
    p99Ms: avg('p99Ms'),
    maxMs: counted.length ? Math.max(...counted.map((s) => s.maxMs)) : 0,
  }
}
