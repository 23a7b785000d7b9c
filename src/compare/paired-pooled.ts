// Paired quantile values pooled over blocks of adjacent windows (issue 19). A 2-s window holds
// ~15 requests of one endpoint per side at the bench's load, so its p95 is the largest or the
// second largest request: the per-window paired differences are mostly noise. Merging each side's
// window histograms over a block of k adjacent windows gives a p95 of k times as many requests,
// and the block pair still shares its moment, so what moves both sides cancels in the pair. The
// sign-flip test then runs on the block pairs (blocks, not requests, are the independent units:
// requests of one side in one moment share that process's state). Pure.
import { windowBuckets } from '../record/histogram.ts'
import type { EndpointLoad } from '../record/load.ts'
import { mulberry32 } from './stats.ts'

/** How the paired quantile rows are tested (compare/paired-load.ts). */
export type PairedQuantileTest =
  { kind: 'windows' } | { kind: 'blocks'; windowsPerBlock: number } | { kind: 'stratified' }

/** The default (chosen on the paired bench's replay, bench/README.md). */
export const DEFAULT_PAIRED_TEST: PairedQuantileTest = { kind: 'windows' }

/** A block pairs up only when both sides had this many requests in it (p95: the 2nd slowest of 20+). */
export const MIN_BLOCK_REQUESTS = 20

interface Buckets {
  values: number[]
  counts: number[]
}

/** The `q` quantile (0..1) of pooled buckets, interpolated at rank q·(n−1) as k6 and the record do. */
export function pooledQuantile(buckets: readonly Buckets[], q: number): number {
  const pairs: [number, number][] = []
  for (const b of buckets) for (let i = 0; i < b.values.length; i++) pairs.push([b.values[i]!, b.counts[i]!])
  pairs.sort((x, y) => x[0] - y[0])
  const n = pairs.reduce((s, p) => s + p[1], 0)
  if (n === 0) return NaN
  const rank = q * (n - 1)
  const at = (r: number) => {
    let seen = 0
    for (const [v, c] of pairs) {
      seen += c
      if (r < seen) return v
    }
    return pairs[pairs.length - 1]![0]
  }
  const low = at(Math.floor(rank))
  return low + (at(Math.ceil(rank)) - low) * (rank - Math.floor(rank))
}

function bucketsOf(ep: EndpointLoad, windowMs: number): Map<number, { count: number; buckets: Buckets }> {
  const out = new Map<number, { count: number; buckets: Buckets }>()
  for (const w of ep.windows ?? []) {
    const b = windowBuckets(w)
    if (b)
      out.set(Math.round(w.startMs / windowMs), {
        count: w.count,
        buckets: { values: b.valuesMs, counts: b.counts },
      })
  }
  return out
}

/**
 * Block values of both sides: windows k·j … k·j+k−1 (by index from the shared anchor) merged per
 * side, the block's `q` quantile of each, for blocks where both sides had `minRequests`.
 */
export function pairedBlockValues(
  base: EndpointLoad,
  current: EndpointLoad,
  q: number,
  windowsPerBlock: number,
  windowMs: number,
  minRequests = MIN_BLOCK_REQUESTS,
): { base: number[]; current: number[] } {
  const a = bucketsOf(base, windowMs)
  const b = bucketsOf(current, windowMs)
  const last = Math.max(-1, ...a.keys(), ...b.keys())
  const out = { base: [] as number[], current: [] as number[] }
  for (let start = 0; start <= last; start += windowsPerBlock) {
    const side = (m: typeof a) => {
      const parts: Buckets[] = []
      let count = 0
      for (let i = start; i < start + windowsPerBlock; i++) {
        const w = m.get(i)
        if (w) {
          parts.push(w.buckets)
          count += w.count
        }
      }
      return { parts, count }
    }
    const x = side(a)
    const y = side(b)
    if (x.count < minRequests || y.count < minRequests) continue
    out.base.push(pooledQuantile(x.parts, q))
    out.current.push(pooledQuantile(y.parts, q))
  }
  return out
}

/** Relabellings after which a clearly large p stops the stratified test. */
const EARLY_LOOK = 400

export interface StratifiedTest {
  /** log(PR quantile / base quantile) over the whole run, every request pooled per side. */
  logRatio: number
  /** Two-sided p of `logRatio` under relabelling of sides within each window. */
  p: number
  /** Standard deviation of the statistic under relabelling: a standard error for the interval. */
  se: number
  windows: number
}

/**
 * Stratified permutation test: within each window both sides' requests are pooled and the side
 * labels shuffled (each side keeping its count in that window), so time and its common-mode noise
 * stay matched; the statistic is the log ratio of the sides' pooled quantiles. Treats the requests
 * of one side in one window as exchangeable with the other side's, which requests sharing a
 * process's state (cache, GC) are not quite: the replay in bench/README.md measures what it costs.
 */
export function stratifiedQuantileTest(
  base: EndpointLoad,
  current: EndpointLoad,
  q: number,
  windowMs: number,
  options: { iterations?: number; seed?: number; minRequests?: number } = {},
): StratifiedTest {
  const a = bucketsOf(base, windowMs)
  const b = bucketsOf(current, windowMs)
  const minRequests = options.minRequests ?? 1
  // Every request as the rank of its value over the run, so a side's quantile is a counting pass.
  const strata: { values: number[]; nBase: number }[] = []
  for (const [i, x] of a) {
    const y = b.get(i)
    if (!y || x.count < minRequests || y.count < minRequests) continue
    const expand = (bk: Buckets) => bk.values.flatMap((v, j) => Array<number>(bk.counts[j]!).fill(v))
    const xs = expand(x.buckets)
    strata.push({ values: [...xs, ...expand(y.buckets)], nBase: xs.length })
  }
  if (strata.length === 0) return { logRatio: 0, p: 1, se: Infinity, windows: 0 }
  const grid = [...new Set(strata.flatMap((s) => s.values))].sort((x, y) => x - y)
  const rankOf = new Map(grid.map((v, i) => [v, i]))
  const ranks = strata.map((s) => Uint32Array.from(s.values, (v) => rankOf.get(v)!))
  const nBase = strata.reduce((s, x) => s + x.nBase, 0)
  const nAll = strata.reduce((s, x) => s + x.values.length, 0)
  const countsBase = new Uint32Array(grid.length)
  const countsAll = new Uint32Array(grid.length)
  for (const r of ranks) for (const k of r) countsAll[k]!++
  const quantileOf = (counts: Uint32Array, n: number) => {
    const rank = q * (n - 1)
    const lo = Math.floor(rank)
    const hi = Math.ceil(rank)
    let seen = 0
    let low = NaN
    for (let k = 0; k < counts.length; k++) {
      seen += counts[k]!
      if (Number.isNaN(low) && lo < seen) low = grid[k]!
      if (hi < seen) return low + (grid[k]! - low) * (rank - lo)
    }
    return grid[grid.length - 1]!
  }
  const countsCur = new Uint32Array(grid.length)
  const statistic = () => {
    for (let k = 0; k < grid.length; k++) countsCur[k] = countsAll[k]! - countsBase[k]!
    return Math.log(quantileOf(countsCur, nAll - nBase) / quantileOf(countsBase, nBase))
  }
  ranks.forEach((r, s) => {
    for (let j = 0; j < strata[s]!.nBase; j++) countsBase[r[j]!]!++
  })
  const observed = statistic()
  const random = mulberry32(options.seed ?? 0x5eed)
  const maxIterations = options.iterations ?? 4000
  let iterations = 0
  let extreme = 0
  let sum = 0
  let sumSq = 0
  const scratch = ranks.map((r) => Uint32Array.from(r))
  for (; iterations < maxIterations; iterations++) {
    // a p clearly above any threshold needs no precision: stop early (the se is already stable)
    if (iterations === EARLY_LOOK && extreme / iterations > 0.1) break
    countsBase.fill(0)
    scratch.forEach((r, s) => {
      // partial Fisher–Yates: the first nBase places are this window's base side
      const nb = strata[s]!.nBase
      for (let j = 0; j < nb; j++) {
        const k = j + Math.floor(random() * (r.length - j))
        const t = r[j]!
        r[j] = r[k]!
        r[k] = t
        countsBase[r[j]!]!++
      }
    })
    const x = statistic()
    sum += x
    sumSq += x * x
    if (Math.abs(x) >= Math.abs(observed) - 1e-12) extreme++
  }
  const m = sum / iterations
  return {
    logRatio: observed,
    p: (extreme + 1) / (iterations + 1),
    se: Math.sqrt(Math.max(0, sumSq / iterations - m * m)),
    windows: strata.length,
  }
}
