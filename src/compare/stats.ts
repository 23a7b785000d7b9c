// Small, well-known statistics, written here rather than taken from a package: simple-statistics'
// `wilcoxonRankSum` returns only the rank sum (no tie-corrected variance, no p-value), and the
// gate needs a seeded bootstrap, light enough to run thousands of times in the accuracy bench.
// Each function is pure.

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a hash of a string, to derive a per-row seed that does not depend on row order. */
export function hashSeed(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

export function mean(values: readonly number[]): number {
  let sum = 0
  for (const v of values) sum += v
  return values.length === 0 ? Number.NaN : sum / values.length
}

/** Sample standard deviation (n − 1). */
export function sd(values: readonly number[]): number {
  if (values.length < 2) return 0
  const m = mean(values)
  let sum = 0
  for (const v of values) sum += (v - m) ** 2
  return Math.sqrt(sum / (values.length - 1))
}

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
  const erf = 1 - poly * Math.exp(-x * x)
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf)
}

export interface RankTest {
  /** U of the first sample. */
  u: number
  z: number
  /** Two-sided p-value. */
  pValue: number
  /** P(a > b) + ½·P(a = b): 0.5 means no shift, 1 means every `a` beats every `b`. */
  superiority: number
}

/** Largest combined sample for which the exact permutation distribution is computed. */
export const EXACT_RANK_TEST_MAX_N = 30

/**
 * Mann-Whitney U (Wilcoxon rank-sum) test of `a` against `b`, two-sided. Up to
 * EXACT_RANK_TEST_MAX_N values in all, the p-value is exact: the permutation distribution of the
 * rank sum, ties included (midranks), counted by dynamic programming. Why: a short run gives few
 * windows (a 10-second one, five 2-second windows), and the normal approximation cannot reach
 * p < 0.01 with five windows a side even when every window moved (it gives 0.0122; the exact
 * value is 0.0079).
 * Larger samples use the normal approximation with tie and continuity correction. When every value
 * is tied the p-value is 1. `exact: false` forces the approximation.
 */
export function mannWhitneyU(
  a: readonly number[],
  b: readonly number[],
  options: { exact?: boolean } = {},
): RankTest {
  const n1 = a.length
  const n2 = b.length
  const n = n1 + n2
  const all: { v: number; first: boolean }[] = []
  for (const v of a) all.push({ v, first: true })
  for (const v of b) all.push({ v, first: false })
  all.sort((x, y) => x.v - y.v)
  let rankSumA = 0
  let tieTerm = 0
  // Twice the midranks: integers, so the exact distribution can be indexed by rank sum.
  const doubledRanks: number[] = []
  for (let i = 0; i < n;) {
    let j = i
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++
    const rank = (i + j) / 2 + 1
    const t = j - i + 1
    if (t > 1) tieTerm += t ** 3 - t
    for (let k = i; k <= j; k++) {
      doubledRanks.push(2 * rank)
      if (all[k]!.first) rankSumA += rank
    }
    i = j + 1
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2
  const mu = (n1 * n2) / 2
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)))
  const superiority = n1 * n2 === 0 ? 0.5 : u / (n1 * n2)
  if (!(variance > 0)) return { u, z: 0, pValue: 1, superiority }
  const diff = u - mu
  const corrected = Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)
  const z = corrected / Math.sqrt(variance)
  const exact = options.exact ?? n <= EXACT_RANK_TEST_MAX_N
  const pValue = exact
    ? exactRankSumP(doubledRanks, n1, 2 * rankSumA)
    : Math.min(1, 2 * (1 - normalCdf(Math.abs(z))))
  return { u, z, pValue, superiority }
}

/**
 * Two-sided exact p-value of a rank sum: the share of the C(n, n1) ways to pick n1 of the
 * (doubled) ranks whose sum lies at least as far from its mean as `observed` does.
 */
function exactRankSumP(doubledRanks: readonly number[], n1: number, observed: number): number {
  const total = doubledRanks.reduce((sum, r) => sum + r, 0)
  // ways[k][s]: subsets of k ranks seen so far with doubled rank sum s (counts fit a double exactly).
  const ways = Array.from({ length: n1 + 1 }, () => new Float64Array(total + 1))
  ways[0]![0] = 1
  for (const r of doubledRanks) {
    for (let k = n1; k >= 1; k--) {
      const row = ways[k]!
      const below = ways[k - 1]!
      for (let s = total; s >= r; s--) if (below[s - r]! !== 0) row[s]! += below[s - r]!
    }
  }
  const mean = (n1 * total) / doubledRanks.length
  const distance = Math.abs(observed - mean) - 1e-9
  let extreme = 0
  let all = 0
  ways[n1]!.forEach((count, s) => {
    all += count
    if (Math.abs(s - mean) >= distance) extreme += count
  })
  return Math.min(1, extreme / all)
}

/**
 * Percentile bootstrap interval of `mean(a*) / mean(b*) − 1`, resampling each sample with
 * replacement `resamples` times from a seeded PRNG. Returns undefined when a resampled mean of `b`
 * is 0 (the ratio has no meaning) or a sample is empty.
 */
export function bootstrapRelativeChange(
  a: readonly number[],
  b: readonly number[],
  options: { resamples: number; level: number; seed: number },
): [number, number] | undefined {
  if (a.length === 0 || b.length === 0) return undefined
  const random = mulberry32(options.seed)
  const stats = new Float64Array(options.resamples)
  const resampleMean = (xs: readonly number[]) => {
    let sum = 0
    for (let i = 0; i < xs.length; i++) sum += xs[Math.floor(random() * xs.length)]!
    return sum / xs.length
  }
  for (let r = 0; r < options.resamples; r++) {
    const ma = resampleMean(a)
    const mb = resampleMean(b)
    if (mb === 0) return undefined
    stats[r] = ma / mb - 1
  }
  stats.sort()
  const tail = (1 - options.level) / 2
  const at = (q: number) => stats[Math.min(stats.length - 1, Math.max(0, Math.floor(q * stats.length)))]!
  return [at(tail), at(1 - tail)]
}

/** Holm's step-down adjustment: adjusted p-values that control the family-wise error over all rows. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p)
  const adjusted = new Array<number>(pValues.length)
  let running = 0
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p))
    adjusted[i] = running
  })
  return adjusted
}

/** One window's latencies as a histogram: ascending distinct values and how often each occurred. */
export interface WindowHistogram {
  values: readonly number[]
  counts: readonly number[]
}

/** One window's count of events (failed requests) among its requests. */
export interface WindowProportion {
  events: number
  total: number
}

export interface WindowPermutationTest {
  /** The statistic of all current windows pooled, and of all baseline windows pooled. */
  current: number
  baseline: number
  /** Two-sided p-value of `current − baseline` under random relabelling of whole windows. */
  pValue: number
  /** Percentile bootstrap interval (whole windows resampled) of `current / baseline − 1`. */
  ci?: [number, number]
  /** Relabellings counted: all of them when `exact`, else a seeded random sample. */
  permutations: number
  exact: boolean
}

export interface PermutationOptions {
  /** Relabellings of the p-value (all of them when there are no more than this). */
  resamples: number
  /** Resamples of the interval (default `resamples`): a finer p does not need a finer interval. */
  ciResamples?: number
  level: number
  seed: number
}

/** A statistic of pooled windows: its value for the windows `members[0..count)` (repeats allowed). */
type PooledStatistic = (members: ArrayLike<number>, count: number) => number

/**
 * Both sides of one relabelling at once: the statistic of `members` (count indices) and of every
 * other window. Optional; a faster path than two calls of the PooledStatistic.
 */
type SplitStatistic = (members: ArrayLike<number>, count: number) => [number, number]

/** C(n, k), or Infinity once it passes `limit` (only compared with the resample budget). */
function binomialUpTo(n: number, k: number, limit: number): number {
  let c = 1
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i
    if (c > limit) return Number.POSITIVE_INFINITY
  }
  return Math.round(c)
}

/**
 * Permutation test of a statistic computed on pooled samples, with whole windows as the
 * exchangeable units. Why not the rank test on per-window values: a window's p95 rests on its few
 * slowest requests, so per-window p95s scatter widely and a +25 % shift of the tail hides among
 * them; pooling every window of a run estimates the tail from all its requests. Requests inside one
 * window are not independent (a burst of cache misses, a GC pause), so labels are shuffled between
 * windows, never between requests: under "no change" every split of the windows into current and
 * baseline is as likely as the observed one.
 *
 * Windows `0..n1−1` are the current run's, `n1..n−1` the baseline's. All C(n, n1) splits are
 * counted when there are at most `resamples` of them (p exact), else `resamples` random splits from
 * the seeded PRNG (p = (1 + hits) / (1 + resamples)). The interval resamples windows with
 * replacement within each run; it is left out when a resampled baseline statistic is 0.
 */
function windowPermutationTest(
  n1: number,
  n: number,
  statistic: PooledStatistic,
  options: PermutationOptions,
  split?: SplitStatistic,
): WindowPermutationTest {
  const order = Int32Array.from({ length: n }, (_, i) => i)
  const rest = new Int32Array(n)
  const chosen = new Uint8Array(n)
  /** The statistic of the windows in `members` (n1 indices) and of the others. */
  const difference = (members: ArrayLike<number>): [number, number] => {
    if (split) return split(members, n1)
    chosen.fill(0)
    for (let m = 0; m < n1; m++) chosen[members[m]!] = 1
    let k = 0
    for (let w = 0; w < n; w++) if (!chosen[w]) rest[k++] = w
    return [statistic(members, n1), statistic(rest, k)]
  }
  const [current, baseline] = difference(order)
  const observed = Math.abs(current - baseline)
  const slack = 1e-9 * Math.max(1, Math.abs(current), Math.abs(baseline))
  let hits = 0
  let permutations = 0
  const count = (members: ArrayLike<number>) => {
    const [c, b] = difference(members)
    permutations++
    if (Math.abs(c - b) >= observed - slack) hits++
  }
  const random = mulberry32(options.seed)
  const exact = binomialUpTo(n, n1, options.resamples) <= options.resamples
  if (exact) {
    const members = new Int32Array(n1)
    const choose = (from: number, depth: number): void => {
      if (depth === n1) return count(members)
      for (let w = from; w <= n - (n1 - depth); w++) {
        members[depth] = w
        choose(w + 1, depth + 1)
      }
    }
    choose(0, 0)
  } else {
    const shuffled = Int32Array.from(order)
    for (let r = 0; r < options.resamples; r++) {
      // Partial Fisher-Yates: the first n1 entries are a uniform random subset.
      for (let i = 0; i < n1; i++) {
        const j = i + Math.floor(random() * (n - i))
        const t = shuffled[i]!
        shuffled[i] = shuffled[j]!
        shuffled[j] = t
      }
      count(shuffled)
    }
  }
  const pValue = Math.min(1, exact ? hits / permutations : (1 + hits) / (1 + permutations))

  let ci: [number, number] | undefined
  if (n1 > 0 && n > n1) {
    const ciResamples = options.ciResamples ?? options.resamples
    const ratios = new Float64Array(ciResamples)
    const drawn = new Int32Array(Math.max(n1, n - n1))
    let valid = true
    for (let r = 0; r < ciResamples && valid; r++) {
      for (let i = 0; i < n1; i++) drawn[i] = Math.floor(random() * n1)
      const c = statistic(drawn, n1)
      for (let i = 0; i < n - n1; i++) drawn[i] = n1 + Math.floor(random() * (n - n1))
      const b = statistic(drawn, n - n1)
      if (!(b > 0)) valid = false
      ratios[r] = c / b - 1
    }
    if (valid) {
      ratios.sort()
      const tail = (1 - options.level) / 2
      const at = (p: number) =>
        ratios[Math.min(ratios.length - 1, Math.max(0, Math.floor(p * ratios.length)))]!
      ci = [at(tail), at(1 - tail)]
    }
  }
  return { current, baseline, pValue, ...(ci ? { ci } : {}), permutations, exact }
}

/**
 * The window permutation test of a latency quantile `q` (0..1) of the pooled histograms. The
 * quantile is the nearest rank: the smallest value with at least ⌈q·n⌉ samples at or below it.
 */
export function pooledQuantileTest(
  baseline: readonly WindowHistogram[],
  current: readonly WindowHistogram[],
  q: number,
  options: PermutationOptions,
): WindowPermutationTest {
  const windows = [...current, ...baseline]
  // One grid of distinct values for every window, so pooling is adding count vectors.
  const grid = [...new Set(windows.flatMap((w) => w.values))].sort((a, b) => a - b)
  const slot = new Map(grid.map((v, i) => [v, i]))
  /** Each window's grid slots and counts, by ascending slot. */
  const entries = windows.map((w) => {
    const order = w.values.map((_, j) => j).sort((a, b) => slot.get(w.values[a]!)! - slot.get(w.values[b]!)!)
    return {
      idx: Int32Array.from(order, (j) => slot.get(w.values[j]!)!),
      counts: Float64Array.from(order, (j) => w.counts[j]!),
    }
  })
  /** The nearest rank of `q` among `total` samples (the epsilon absorbs float error in q·total). */
  const rankOf = (total: number) => Math.max(1, Math.ceil(q * total - 1e-9))
  // Where the quantiles can be. Below a window's own quantile lie fewer than its rank of its
  // samples, so below the lowest window's own quantile any pooling of windows has fewer than its
  // rank: its quantile lies at `low` or above, and the statistics add counts and scan the grid from
  // there only (the relabellings' cost, a fine p-value takes ~10^4 of them, family.ts). What lies
  // below is counted per window once. Every count from `low` down is checked against the rank, so
  // a pooling where this would not hold is scanned whole; counts that are not whole numbers
  // (never from a histogram) are scanned whole too.
  const size = Float64Array.from(entries, (e) => e.counts.reduce((sum, c) => sum + c, 0))
  let low = grid.length
  for (const [w, e] of entries.entries()) {
    if (!(size[w]! > 0)) continue
    const rank = rankOf(size[w]!)
    let seen = 0
    for (let j = 0; j < e.idx.length && e.idx[j]! < low; j++) {
      seen += e.counts[j]!
      if (seen >= rank) low = e.idx[j]!
    }
  }
  if (low === grid.length || !entries.every((e) => e.counts.every(Number.isInteger))) low = 0
  /** Per window: the first entry at `low` or above, and the samples below it. */
  const from = Int32Array.from(entries, (e) => {
    let j = 0
    while (j < e.idx.length && e.idx[j]! < low) j++
    return j
  })
  const below = Float64Array.from(entries, (e, w) => e.counts.subarray(0, from[w]).reduce((a, c) => a + c, 0))
  /** The sum of `per` over windows `chosen[0..count)`. */
  const sumOf = (per: Float64Array, chosen: ArrayLike<number>, count: number): number => {
    let sum = 0
    for (let m = 0; m < count; m++) sum += per[chosen[m]!]!
    return sum
  }
  /** Adds the counts of windows `chosen[0..count)` into `into` (grid slots), from `low` up or whole. */
  const addCounts = (into: Float64Array, chosen: ArrayLike<number>, count: number, whole: boolean) => {
    for (let m = 0; m < count; m++) {
      const w = chosen[m]!
      const { idx, counts } = entries[w]!
      for (let j = whole ? 0 : from[w]!; j < idx.length; j++) into[idx[j]!]! += counts[j]!
    }
  }
  const pooled = new Float64Array(grid.length)
  const quantile: PooledStatistic = (members, count) => {
    const total = sumOf(size, members, count)
    if (!(total > 0)) return Number.NaN
    const rank = rankOf(total)
    let seen = sumOf(below, members, count)
    const whole = !(seen < rank)
    if (whole) seen = 0
    const start = whole ? 0 : low
    pooled.fill(0, start)
    addCounts(pooled, members, count, whole)
    for (let i = start; i < grid.length; i++) {
      seen += pooled[i]!
      if (seen >= rank) return grid[i]!
    }
    return grid[grid.length - 1]!
  }
  // The relabellings' fast path: the other side's counts are all windows' counts minus the
  // members', and one scan of the grid finds both quantiles; only the grid slots the members
  // touched are cleared afterwards.
  const all = new Float64Array(grid.length)
  const everyWindow = windows.map((_, i) => i)
  addCounts(all, everyWindow, windows.length, true)
  const allTotal = sumOf(size, everyWindow, windows.length)
  const allBelow = sumOf(below, everyWindow, windows.length)
  const members = new Float64Array(grid.length)
  const split: SplitStatistic = (chosen, count) => {
    const total = sumOf(size, chosen, count)
    const restTotal = allTotal - total
    const rankA = total > 0 ? rankOf(total) : Number.POSITIVE_INFINITY
    const rankB = restTotal > 0 ? rankOf(restTotal) : Number.POSITIVE_INFINITY
    let a = total > 0 ? grid[grid.length - 1]! : Number.NaN
    let b = restTotal > 0 ? grid[grid.length - 1]! : Number.NaN
    let seenA = sumOf(below, chosen, count)
    let seenB = allBelow - seenA
    const whole = !(seenA < rankA && seenB < rankB)
    if (whole) seenA = seenB = 0
    addCounts(members, chosen, count, whole)
    let foundA = !(total > 0)
    let foundB = !(restTotal > 0)
    for (let i = whole ? 0 : low; i < grid.length && !(foundA && foundB); i++) {
      const inA = members[i]!
      seenA += inA
      seenB += all[i]! - inA
      if (!foundA && seenA >= rankA) {
        a = grid[i]!
        foundA = true
      }
      if (!foundB && seenB >= rankB) {
        b = grid[i]!
        foundB = true
      }
    }
    for (let m = 0; m < count; m++) {
      const w = chosen[m]!
      const idx = entries[w]!.idx
      for (let j = whole ? 0 : from[w]!; j < idx.length; j++) members[idx[j]!] = 0
    }
    return [a, b]
  }
  return windowPermutationTest(current.length, windows.length, quantile, options, split)
}

/** The window permutation test of a pooled proportion (failed requests over all requests). */
export function pooledProportionTest(
  baseline: readonly WindowProportion[],
  current: readonly WindowProportion[],
  options: PermutationOptions,
): WindowPermutationTest {
  const windows = [...current, ...baseline]
  const proportion: PooledStatistic = (members, count) => {
    let events = 0
    let total = 0
    for (let m = 0; m < count; m++) {
      events += windows[members[m]!]!.events
      total += windows[members[m]!]!.total
    }
    return total > 0 ? events / total : Number.NaN
  }
  return windowPermutationTest(current.length, windows.length, proportion, options)
}
