// Paired percentile tests (issue 19). A 2-s window holds ~15 requests of one endpoint per side at
// the bench's load, so a per-window p95 is the largest or second largest request and per-window
// paired differences are mostly noise. The default (`window-swap`) takes each side's percentile
// over all its requests in the run and tests it by swapping the two sides' whole windows at random
// (one coin per window): a window pair shares its moment, so what moves both sides cancels, and
// whole windows, not requests, are the exchangeable units (requests of one side in one moment share
// that process's state). The per-window, block-pooled and request-relabelling tests stay as
// options the paired bench compares (bench/README.md, "Paired gate accuracy"). Pure.
import { windowBuckets } from '../record/histogram.ts'
import type { EndpointLoad } from '../record/load.ts'
import { mulberry32 } from './stats.ts'

/** How the paired quantile rows are tested (compare/paired-load.ts). */
export type PairedQuantileTest =
  | { kind: 'windows' }
  | { kind: 'blocks'; windowsPerBlock: number }
  | { kind: 'stratified' }
  | { kind: 'window-swap' }

/** The default (chosen on the paired bench's replay, bench/README.md). */
export const DEFAULT_PAIRED_TEST: PairedQuantileTest = { kind: 'window-swap' }

/** A block pairs up only when both sides had this many requests in it (p95: the 2nd slowest of 20+). */
export const MIN_BLOCK_REQUESTS = 20

/** How the record and the report name a test: `the pooled p95 of each side, whole 2-s windows swapped`. */
export function describeTest(test: PairedQuantileTest, windowS: number): string {
  switch (test.kind) {
    case 'windows':
      return `sign-flip test on the ${windowS}-s windows' percentiles`
    case 'blocks':
      return `sign-flip test on blocks of ${test.windowsPerBlock} windows (${test.windowsPerBlock * windowS} s, requests pooled per side)`
    case 'stratified':
      return `each side's percentile over the run, requests relabelled within each ${windowS}-s window`
    case 'window-swap':
      return `each side's percentile over the run, sign-flip test swapping the sides' whole ${windowS}-s windows`
  }
}

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
 * Stratified permutation tests of the log ratio of the sides' pooled quantiles (every request of a
 * side over the run). The relabelling stays within each window, so time and its common-mode noise
 * stay matched. `unit: 'request'` shuffles the side labels of the window's requests (each side
 * keeping its count), which treats requests of one side in one window as exchangeable with the
 * other side's; requests sharing a process's state (cache, GC, a CPU-starved moment) are not, so
 * it is too sure of itself. `unit: 'window'` swaps the two sides' whole windows or not, a coin per
 * window: a sign-flip test whose statistic is the pooled quantile, valid whatever the requests of
 * one side in one window share. bench/README.md measures both on recorded runs.
 */
export function stratifiedQuantileTest(
  base: EndpointLoad,
  current: EndpointLoad,
  q: number,
  windowMs: number,
  options: { iterations?: number; seed?: number; minRequests?: number; unit?: 'request' | 'window' } = {},
): StratifiedTest {
  const a = bucketsOf(base, windowMs)
  const b = bucketsOf(current, windowMs)
  const minRequests = options.minRequests ?? 1
  const strata: Stratum[] = []
  for (const [i, x] of a) {
    const y = b.get(i)
    if (!y || x.count < minRequests || y.count < minRequests) continue
    strata.push({ base: expand(x.buckets), current: expand(y.buckets) })
  }
  if (strata.length === 0) return { logRatio: 0, p: 1, se: Infinity, windows: 0 }
  const unit = options.unit ?? 'request'
  const seed = options.seed ?? 0x5eed
  const tested = relabelTest(strata, q, unit, options.iterations ?? 4000, seed, true)
  // The spread of the relabelled statistic is a standard error only where the null holds: with
  // the PR side scaled back by the observed ratio, it does (a shift does not widen the interval).
  const back = Math.exp(-tested.observed)
  const aligned = Number.isFinite(back)
    ? relabelTest(
        strata.map((st) => ({ base: st.base, current: st.current.map((v) => v * back) })),
        q,
        unit,
        ALIGNED_ITERATIONS,
        seed + 1,
        false,
      )
    : undefined
  return {
    logRatio: tested.observed,
    p: tested.p,
    se: unit === 'window' ? windowSwapSe(tested, aligned?.sd, strata) : (aligned?.sd ?? Infinity),
    windows: strata.length,
  }
}

/**
 * The window-swap test's standard error. The aligned spread alone proved too narrow: on the paired
 * bench's A/A runs (bench/README.md, "Calibration") |z| = |log ratio| / aligned spread had an rms
 * of 1.15 and its 99 % interval missed 0 in 3.8 % of 240 rows, most on endpoints of a few requests
 * per window, where scaling one side's values reshuffles which window holds the top ones. The
 * spread of the swaps on the data as measured (what the p-value is read from: 1.7 % of those rows
 * below p 0.01) is right under the null, but a real shift m widens it: swapping a coin's worth of
 * windows moves the statistic by about m × (1 − 2 × the share of requests swapped), variance
 * m² / W for W windows of equal size (W = (Σn)² / Σn² for sizes n). So: the measured spread less
 * that share, never below the aligned one (rms z 1.01, 1.3 % of the rows outside their interval).
 */
function windowSwapSe(
  tested: { observed: number; sd: number },
  alignedSd: number | undefined,
  strata: readonly Stratum[],
): number {
  if (alignedSd === undefined) return Infinity
  let sum = 0
  let sumSq = 0
  for (const st of strata) {
    const n = st.base.length + st.current.length
    sum += n
    sumSq += n * n
  }
  const effectiveWindows = (sum * sum) / sumSq
  const fromShift = (tested.observed * tested.observed) / effectiveWindows
  return Math.sqrt(Math.max(alignedSd * alignedSd, tested.sd * tested.sd - fromShift))
}

/** Relabellings for the standard error (on the aligned sides). */
const ALIGNED_ITERATIONS = 500

interface Stratum {
  base: number[]
  current: number[]
}

const expand = (bk: Buckets) => bk.values.flatMap((v, j) => Array<number>(bk.counts[j]!).fill(v))

/**
 * The relabelling core: every request as the rank of its value over the run, so a side's quantile
 * is a counting pass. Returns the observed log ratio, its two-sided p (with `earlyStop`, a p
 * clearly above 0.1 after EARLY_LOOK relabellings ends the loop) and the relabelled spread.
 */
function relabelTest(
  strata: readonly Stratum[],
  q: number,
  unit: 'request' | 'window',
  maxIterations: number,
  seed: number,
  earlyStop: boolean,
): { observed: number; p: number; sd: number } {
  const grid = [...new Set(strata.flatMap((s) => [...s.base, ...s.current]))].sort((x, y) => x - y)
  const rankOf = new Map(grid.map((v, i) => [v, i]))
  const ranks = strata.map((s) => Uint32Array.from([...s.base, ...s.current], (v) => rankOf.get(v)!))
  const nBases = strata.map((s) => s.base.length)
  const nBase = nBases.reduce((x, y) => x + y, 0)
  const nAll = ranks.reduce((x, r) => x + r.length, 0)
  const countsBase = new Uint32Array(grid.length)
  const countsAll = new Uint32Array(grid.length)
  const countsCur = new Uint32Array(grid.length)
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
  const statistic = (nB: number) => {
    for (let k = 0; k < grid.length; k++) countsCur[k] = countsAll[k]! - countsBase[k]!
    return Math.log(quantileOf(countsCur, nAll - nB) / quantileOf(countsBase, nB))
  }
  ranks.forEach((r, s) => {
    for (let j = 0; j < nBases[s]!; j++) countsBase[r[j]!]!++
  })
  const observed = statistic(nBase)
  const random = mulberry32(seed)
  let iterations = 0
  let extreme = 0
  let sum = 0
  let sumSq = 0
  for (; iterations < maxIterations; iterations++) {
    // a p clearly above any threshold needs no precision: stop early (the spread is already stable)
    if (earlyStop && iterations === EARLY_LOOK && extreme / iterations > 0.1) break
    countsBase.fill(0)
    let nB = 0
    ranks.forEach((r, s) => {
      const nb = nBases[s]!
      if (unit === 'window') {
        // the base label goes to this window's base requests or to its PR ones
        const [from, to] = random() < 0.5 ? [0, nb] : [nb, r.length]
        for (let j = from; j < to; j++) countsBase[r[j]!]!++
        nB += to - from
        return
      }
      // partial Fisher–Yates: the first nb places are this window's base side
      for (let j = 0; j < nb; j++) {
        const k = j + Math.floor(random() * (r.length - j))
        const t = r[j]!
        r[j] = r[k]!
        r[k] = t
        countsBase[r[j]!]!++
      }
      nB += nb
    })
    const x = statistic(nB)
    sum += x
    sumSq += x * x
    if (Math.abs(x) >= Math.abs(observed) - 1e-12) extreme++
  }
  const m = sum / iterations
  return {
    observed,
    p: (extreme + 1) / (iterations + 1),
    sd: Math.sqrt(Math.max(0, sumSq / iterations - m * m)),
  }
}
