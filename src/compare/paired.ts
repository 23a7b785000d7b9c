// Paired statistics for a run that loads the base and the PR deployment side by side in one job
// (issue 19): each base window/slice is paired with the PR window/slice of the same moment, so
// what moves both (the runner, neighbours, time of day) cancels in the difference. Pure.
import { holmAdjust, mean, mulberry32, sd } from './stats.ts'
import { tQuantile } from './t-quantile.ts'

/** How the two sides were loaded: both at once on separate VU pools, or alternating short slices. */
export type PairedDesign = 'simultaneous' | 'alternating'

/** Up to this many pairs the sign-flip test enumerates every flip (2^16); above it samples. */
export const EXACT_SIGN_FLIP_MAX_N = 16

export interface SignFlipTest {
  /** Two-sided p-value of the mean paired difference being 0. */
  p: number
  exact: boolean
  n: number
}

export interface SignFlipOptions {
  iterations?: number
  seed?: number
}

/**
 * Paired sign-flip (permutation) test: under "no difference" each pair's sign is a coin flip, so
 * the observed mean is compared with the means of every sign assignment. Hand-written because no
 * maintained npm package offers a paired permutation test over plain arrays (simple-statistics
 * has only the two-sample one).
 */
export function signFlipTest(diffs: readonly number[], options: SignFlipOptions = {}): SignFlipTest {
  const n = diffs.length
  if (n === 0) return { p: 1, exact: true, n }
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0))
  const tieEps = observed * 1e-12
  let extreme = 0
  let total = 0
  if (n <= EXACT_SIGN_FLIP_MAX_N) {
    for (let mask = 0; mask < 1 << n; mask++) {
      let s = 0
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -diffs[i]! : diffs[i]!
      if (Math.abs(s) >= observed - tieEps) extreme++
      total++
    }
    return { p: extreme / total, exact: true, n }
  }
  const random = mulberry32(options.seed ?? 0x5eed)
  const iterations = options.iterations ?? 20000
  for (let k = 0; k < iterations; k++) {
    let s = 0
    for (let i = 0; i < n; i++) s += random() < 0.5 ? -diffs[i]! : diffs[i]!
    if (Math.abs(s) >= observed - tieEps) extreme++
  }
  // the observed assignment counts as one of the permutations: p is never 0
  return { p: (extreme + 1) / (iterations + 1), exact: false, n }
}

export interface PairedRowInput {
  /** Row key, e.g. "clip_detail p95". */
  key: string
  /** Window-level values of the base side (latency percentile in ms, or an error rate). */
  base: readonly number[]
  /** Window-level values of the PR side, paired with `base` by index (same moment or neighbouring slice). */
  current: readonly number[]
  /** Relative tolerance (0.1 = +10 %) above which a rise is a regression. */
  tolerance: number
  /** Whether this row can fail the gate. */
  gated: boolean
  /**
   * A test made on pooled requests instead (compare/paired-pooled.ts, stratified): its log ratio,
   * p-value, standard error and the windows it used; `base`/`current` are then not read.
   */
  pooled?: { logRatio: number; p: number; se: number; windows: number }
  /** The row's requests (both sides) and their pace over the last seconds: how fast it gains information now. */
  pace?: RowPace
}

export interface RowPace {
  requests: number
  /** Requests per minute (both sides) over the most recent windows. */
  recentPerMinute: number
}

export interface PairedRow {
  key: string
  pairs: number
  /** Relative change PR vs base (geometric mean of the paired ratios, minus 1). */
  relativeChange: number
  /** (1 − alpha) interval of the relative change. */
  interval: [number, number]
  p: number
  /** Holm-adjusted p over all rows of the run. */
  pAdjusted: number
  verdict: 'regression' | 'improvement' | 'unchanged' | 'inconclusive'
  gated: boolean
  tolerance: number
  /** When inconclusive: about how many more pairs would bring the interval clear of the tolerance. */
  morePairs?: number
  pace?: RowPace
}

export interface PairedOptions {
  alpha: number
  /** Run-wide drift (log ratio) to remove from every row, e.g. the median over endpoints. */
  driftLog?: number
  seed?: number
}

/** Paired log ratios; pairs where either side has no positive value are left out. */
export function pairedLogRatios(base: readonly number[], current: readonly number[], driftLog = 0): number[] {
  const out: number[] = []
  for (let i = 0; i < Math.min(base.length, current.length); i++) {
    const a = base[i]!
    const b = current[i]!
    if (a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b)) out.push(Math.log(b / a) - driftLog)
  }
  return out
}

/**
 * Tests every row on its paired differences, adjusts the p-values with Holm and names a verdict:
 * a regression needs a significant rise (adjusted p < alpha) whose point estimate exceeds the
 * tolerance; "unchanged" needs the whole interval below the tolerance; anything else is
 * inconclusive, with the pairs that would resolve it.
 */
export function comparePaired(rows: readonly PairedRowInput[], options: PairedOptions): PairedRow[] {
  const tested = rows.map((row) => {
    if (row.pooled) return { row, d: [], p: row.pooled.p }
    const d = pairedLogRatios(row.base, row.current, options.driftLog)
    return { row, d, p: signFlipTest(d, { seed: options.seed }).p }
  })
  const adjusted = holmAdjust(tested.map((t) => t.p))
  return tested.map(({ row, d, p }, i) => judgeRow(row, d, p, adjusted[i]!, options.alpha))
}

/** Mean, interval half-width and pairs of a row: from its paired log ratios, or its pooled test. */
function estimateOf(row: PairedRowInput, d: number[], alpha: number): { n: number; m: number; half: number } {
  if (row.pooled) {
    const { logRatio, se, windows } = row.pooled
    const half = windows > 1 && Number.isFinite(se) ? tQuantile(1 - alpha / 2, windows - 1) * se : Infinity
    return { n: windows, m: logRatio, half }
  }
  const n = d.length
  const m = n > 0 ? mean(d) : 0
  const half = n > 1 ? tQuantile(1 - alpha / 2, n - 1) * (sd(d) / Math.sqrt(n)) : Infinity
  return { n, m, half }
}

function judgeRow(row: PairedRowInput, d: number[], p: number, pAdjusted: number, alpha: number): PairedRow {
  const { n, m, half } = estimateOf(row, d, alpha)
  const interval: [number, number] = [Math.expm1(m - half), Math.expm1(m + half)]
  const relativeChange = Math.expm1(m)
  const base = {
    key: row.key,
    ...(row.pace ? { pace: row.pace } : {}),
    pairs: n,
    relativeChange,
    interval,
    p,
    pAdjusted,
    gated: row.gated,
    tolerance: row.tolerance,
  }
  const significant = pAdjusted < alpha
  if (significant && relativeChange > row.tolerance) return { ...base, verdict: 'regression' }
  if (significant && interval[1] < 0) return { ...base, verdict: 'improvement' }
  if (interval[1] < row.tolerance) return { ...base, verdict: 'unchanged' }
  return { ...base, verdict: 'inconclusive', ...morePairsOf(n, m, half, row.tolerance) }
}

/** The interval's half-width shrinks as 1/√n: pairs needed for it to clear the tolerance. */
function morePairsOf(n: number, m: number, half: number, tolerance: number): { morePairs?: number } {
  const gap = Math.abs(Math.log1p(tolerance) - m)
  if (n < 2 || !Number.isFinite(half) || gap === 0) return {}
  return { morePairs: Math.max(1, Math.ceil(n * (half / gap) ** 2) - n) }
}

export interface StoppingDecision {
  stop: boolean
  /** Gated rows still inconclusive: what keeps the stopping rule going (paired-stopping.ts lookDecision). */
  open: string[]
  /** The open row that needs the most more minutes (the one that decides how long the load must go on). */
  slowest?: {
    key: string
    /** Half-width (relative) of its interval now. */
    halfWidth: number
    /** Its relative change now. */
    change: number
    tolerance: number
    /** About how many more minutes of load would shrink its interval past the tolerance (moreMinutesOf). */
    moreMinutes?: number
  }
}

/**
 * The stopping rule: stop once no gated row is inconclusive (each is a regression, an improvement
 * or unchanged), or when the time is up (then the report says how much longer would resolve it).
 */
export function stoppingDecision(
  rows: readonly PairedRow[],
  elapsedMin: number,
  maxMin: number,
): StoppingDecision {
  const open = rows.filter((r) => r.gated && r.verdict === 'inconclusive')
  if (open.length === 0) return { stop: true, open: [] }
  // a row without an estimate (too few pairs, no finite interval) is the slowest of all
  const minutes = (r: PairedRow) => moreMinutesOf(r, elapsedMin) ?? Infinity
  const slowest = open.reduce((a, b) => (minutes(b) > minutes(a) ? b : a))
  const more = moreMinutesOf(slowest, elapsedMin)
  return {
    stop: elapsedMin >= maxMin,
    open: open.map((r) => r.key),
    slowest: {
      key: slowest.key,
      halfWidth: (slowest.interval[1] - slowest.interval[0]) / 2,
      change: slowest.relativeChange,
      tolerance: slowest.tolerance,
      ...(more !== undefined ? { moreMinutes: more } : {}),
    },
  }
}

/**
 * Minutes of more load an open row needs: the information it lacks (morePairs / pairs times what it
 * has) at the pace its requests come now. The pace so far would count a ramp-up's slow start
 * (the default scenario's first half), while the stopping rule holds the last stage's VUs; on the
 * bench's recorded runs, widths projected by requests matched the later ones at the median (1.02×),
 * by windows they came out 10 % too wide.
 */
function moreMinutesOf(row: PairedRow, elapsedMin: number): number | undefined {
  if (row.morePairs === undefined || row.pairs <= 0) return undefined
  const lacking = row.morePairs / row.pairs
  if (row.pace && row.pace.recentPerMinute > 0)
    return Math.ceil((lacking * row.pace.requests) / row.pace.recentPerMinute)
  return Math.ceil(lacking * elapsedMin)
}

/** Beyond this many minutes the estimate is given in hours, with why it is so long. */
const LONG_WAIT_MIN = 90

/**
 * The report's one line for an unresolved run, naming the row it measures: `inconclusive (a, b):
 * the slowest, b at ±12.3 %, needs about 40 more minutes of paired load to clear its 10 % tolerance`.
 * A row whose change sits near its tolerance needs its interval narrower than that distance, which
 * can take days; that is said with the distance, so "14662 more minutes" is not read as a plan.
 */
export function inconclusiveSentence(decision: StoppingDecision): string | undefined {
  if (decision.open.length === 0) return undefined
  const slowest = decision.slowest
  if (!slowest) return `inconclusive (${decision.open.join(', ')})`
  const rows = decision.open.join(', ')
  const tolerance = `${Number((slowest.tolerance * 100).toFixed(1))} % tolerance`
  const halfWidth = Number.isFinite(slowest.halfWidth)
    ? `±${(slowest.halfWidth * 100).toFixed(1)} %`
    : undefined
  const alone = decision.open.length === 1 && decision.open[0] === slowest.key
  const minutes = slowest.moreMinutes
  if (minutes !== undefined && minutes > LONG_WAIT_MIN && halfWidth) {
    const points = Math.abs(slowest.change - slowest.tolerance) * 100
    const distance = points < 0.05 ? 'within 0.1 points of' : `${points.toFixed(1)} points from`
    const hours = minutes / 60
    const wait = hours > 48 ? 'over two days more' : `about ${Math.round(hours)} more hours`
    return `inconclusive (${rows}): ${alone ? '' : 'the slowest, '}${slowest.key} at ${formatChange(slowest.change)} ${halfWidth}, is ${distance} its ${tolerance}, so its interval would clear it only after ${wait} of paired load`
  }
  const width = halfWidth ? ` at ${halfWidth}` : ''
  const how =
    minutes !== undefined
      ? `about ${minutes} more minutes of paired load`
      : 'more pairs (too few so far to say how many)'
  return alone
    ? `inconclusive (${rows}): ${slowest.key}${width} needs ${how} to clear its ${tolerance}`
    : `inconclusive (${rows}): the slowest, ${slowest.key}${width}, needs ${how} to clear its ${tolerance}`
}

/** `+9.8 %`, `−3.1 %`. */
const formatChange = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`
