// Judging one metric. As in bencher, the statistics only compute limits and evidence (effect
// class, rank-test p-value, bootstrap interval, history band); the verdict is then a short chain
// of comparisons against them, in `judge`.
import { tQuantile } from './t-quantile.ts'
import type {
  Evidence,
  HistoryBand,
  MetricComparison,
  MetricTolerance,
  MetricVerdict,
  Unit,
} from '../record/compare.ts'
import { formatP, formatPercentChange, formatValue } from '../record/format.ts'
import {
  bootstrapRelativeChange,
  mannWhitneyU,
  mean,
  sd,
  type PermutationOptions,
  type WindowPermutationTest,
} from './stats.ts'

export interface JudgeOptions {
  alpha: number
  /** Fewer usable windows than this in either run: no statistical verdict. */
  minWindows: number
  /** Fewer base-branch runs than this: no history band. */
  minHistory: number
  /** Width of the history band in standard deviations. */
  historyK: number
  resamples: number
  seed: number
  /** Relabellings of the window permutation test's p-value when more than `resamples` (family.ts). */
  testResamples?: number
}

/**
 * What judging one row may be given from outside: the row's noise test already computed (so a
 * second pass over the family does not recompute it), and its Holm-adjusted p-value among all rows
 * tested together (family.ts), which then decides condition 2 instead of the row's own p.
 */
export interface JudgeContext {
  test?: NoiseTest
  family?: { size: number; adjustedP: number }
}

export interface JudgeInput {
  /** `search p95`, `overall rps`: the subject of the messages. */
  subject: string
  unit: Unit
  tolerance: MetricTolerance
  baseline?: number
  current?: number
  /** Why a value is missing, for the no-data message. */
  missing?: string
  baselineWindows: readonly number[]
  currentWindows: readonly number[]
  /** The metric's whole-run value in each earlier base-branch run (the baseline included). */
  history: readonly number[]
  /** Why the two runs' values cannot be compared (e.g. a different scenario): inconclusive. */
  notComparable?: string
  /** Why the runs' samples are too small for this metric (a p95 of 40 requests): no verdict. */
  tooFew?: string
  /**
   * For latency quantiles and error rates: the window permutation test on pooled samples, used
   * instead of ranking `baselineWindows` against `currentWindows`, with its window counts.
   */
  /**
   * One value per run and no windows (database time, statements per request, cache hit rate):
   * the run-to-run band of the base branch is the only evidence there can be.
   */
  runLevel?: boolean
  /**
   * The current run's run-wide drift factor (drift.ts): the effect must hold on both `current` and
   * `current / drift`, and the test runs on samples already divided by it; the history band still
   * sees the raw value.
   */
  drift?: number
  pooled?: {
    windowsBaseline: number
    windowsCurrent: number
    test(options: PermutationOptions): WindowPermutationTest
  }
}

export interface Judgement {
  absDelta?: number
  relDelta?: number
  verdict: MetricVerdict
  evidence: Evidence
  message: string
}

/** How many of `rows` have each verdict (every verdict present, zero when none has it). */
export function countVerdicts(rows: readonly MetricComparison[]): Record<MetricVerdict, number> {
  const counts: Record<MetricVerdict, number> = {
    regression: 0,
    improvement: 0,
    unchanged: 0,
    inconclusive: 0,
    'no-data': 0,
  }
  for (const row of rows) counts[row.verdict]++
  return counts
}

type Effect = 'worse' | 'better' | 'within'

/** Classifies the change against the tolerance (and the absolute floor, for error rates). */
export function effectOf(baseline: number, current: number, tolerance: MetricTolerance): Effect {
  const rel = baseline > 0 ? (current - baseline) / baseline : current > 0 ? Number.POSITIVE_INFINITY : 0
  const worseBy = tolerance.worse === 'higher' ? rel : -rel
  const floor = tolerance.floor
  if (worseBy > tolerance.relative && (floor === undefined || current > floor)) return 'worse'
  if (worseBy < -tolerance.relative && (floor === undefined || baseline > floor)) return 'better'
  return 'within'
}

export function historyBand(values: readonly number[], k: number): HistoryBand {
  const m = mean(values)
  const s = sd(values)
  const min = Math.min(...values)
  const max = Math.max(...values)
  return {
    n: values.length,
    mean: m,
    sd: s,
    min,
    max,
    lo: Math.min(min, m - k * s),
    hi: Math.max(max, m + k * s),
  }
}

/**
 * The (1 − alpha) prediction interval of one more run from `values` (Student t with n − 1 degrees of
 * freedom, widened by √(1 + 1/n)), never narrower than [min, max]. Used where the history is the
 * only evidence: with three runs the sd is itself a guess, and a fixed ±2 sd band would call one
 * run in ten a regression (bench/README.md, "Gate accuracy").
 */
export function predictionBand(values: readonly number[], alpha: number): HistoryBand {
  const n = values.length
  const m = mean(values)
  const s = sd(values)
  const half = n >= 2 ? tQuantile(1 - alpha / 2, n - 1) * s * Math.sqrt(1 + 1 / n) : 0
  const min = Math.min(...values)
  const max = Math.max(...values)
  return { n, mean: m, sd: s, min, max, lo: Math.min(min, m - half), hi: Math.max(max, m + half) }
}

/** Whether `judge` runs a window noise test for this input (it has both values, windows, no excuse). */
export function needsNoiseTest(input: JudgeInput, options: JudgeOptions): boolean {
  if (input.baseline === undefined || input.current === undefined) return false
  if (input.notComparable || input.runLevel || input.tooFew) return false
  const windowsBaseline = input.pooled?.windowsBaseline ?? input.baselineWindows.length
  const windowsCurrent = input.pooled?.windowsCurrent ?? input.currentWindows.length
  return windowsBaseline >= options.minWindows && windowsCurrent >= options.minWindows
}

export function judge(input: JudgeInput, options: JudgeOptions, context: JudgeContext = {}): Judgement {
  const { baseline, current, tolerance, unit, subject } = input
  const windowsBaseline = input.pooled?.windowsBaseline ?? input.baselineWindows.length
  const windowsCurrent = input.pooled?.windowsCurrent ?? input.currentWindows.length
  const noTest = (note: string): Evidence => ({ test: 'none', windowsBaseline, windowsCurrent, note })

  if (baseline === undefined || current === undefined) {
    const why = input.missing ?? (baseline === undefined ? 'no baseline value' : 'no current value')
    const shown = current !== undefined ? ` ${formatValue(current, unit)}` : ''
    return { verdict: 'no-data', evidence: noTest(why), message: `${subject}${shown}: no data (${why})` }
  }

  const absDelta = current - baseline
  const relDelta = baseline !== 0 ? absDelta / baseline : undefined
  const change =
    relDelta !== undefined
      ? formatPercentChange(relDelta)
      : absDelta === 0
        ? 'no change'
        : `from ${formatValue(0, unit)}`
  const head = `${subject} ${formatValue(baseline, unit)} → ${formatValue(current, unit)} (${change})`
  const tol = `${tolerance.worse === 'higher' ? '+' : '-'}${Math.round(tolerance.relative * 100)}%`
  const deltas = { absDelta, ...(relDelta !== undefined ? { relDelta } : {}) }

  if (input.notComparable) {
    const note = `not comparable: ${input.notComparable}`
    return {
      ...deltas,
      verdict: 'inconclusive',
      evidence: noTest(note),
      message: `${head}: inconclusive, ${note}`,
    }
  }

  if (input.runLevel) return judgeRunLevel(input, options, { baseline, current, head, tol, deltas })

  if (input.tooFew) {
    const note = input.tooFew
    return { ...deltas, verdict: 'no-data', evidence: noTest(note), message: `${head}: no verdict, ${note}` }
  }

  if (windowsBaseline < options.minWindows || windowsCurrent < options.minWindows) {
    const note = `too few windows for a verdict (${windowsBaseline} baseline, ${windowsCurrent} current; need ${options.minWindows})`
    return { ...deltas, verdict: 'no-data', evidence: noTest(note), message: `${head}: no verdict, ${note}` }
  }

  const test = context.test ?? noiseTest(input, options)
  const family = context.family
  const band =
    input.history.length >= options.minHistory ? historyBand(input.history, options.historyK) : undefined
  const evidence = (note: string): Evidence => ({
    test: test.name,
    pValue: test.pValue,
    ...(family ? { adjustedPValue: family.adjustedP, family: family.size } : {}),
    ...(test.ci ? { ci: test.ci } : {}),
    windowsBaseline,
    windowsCurrent,
    ...(band ? { history: band } : {}),
    note,
  })
  const p = formatP(test.pValue)
  const windows = `${windowsBaseline} vs ${windowsCurrent} windows`
  // Among many rows, one crosses alpha by chance alone: the family's Holm-adjusted p decides.
  const decisive = family ? family.adjustedP : test.pValue
  const familyNote = family ? `, Holm-adjusted ${formatP(family.adjustedP)} over ${family.size} rows` : ''

  const drift = input.drift !== undefined && Math.abs(input.drift - 1) >= 0.005 ? input.drift : undefined
  const driftNote = drift
    ? `, after removing the run-wide drift ${formatValue(drift, 'factor')} (${formatPercentChange(current / drift / baseline - 1)})`
    : ''
  // Drift can only explain a change away, never make one: both views must agree.
  const rawEffect = effectOf(baseline, current, tolerance)
  const effect = drift && effectOf(baseline, current / drift, tolerance) !== rawEffect ? 'within' : rawEffect
  if (effect === 'within') {
    const floorNote =
      tolerance.floor !== undefined && current <= tolerance.floor && baseline <= tolerance.floor
        ? ` and at or below the ${formatValue(tolerance.floor, unit)} floor`
        : ''
    const note = `within the ${tol} tolerance${floorNote}${driftNote} (${p}, ${windows})`
    return {
      ...deltas,
      verdict: 'unchanged',
      evidence: evidence(note),
      message: `${head}: unchanged, ${note}`,
    }
  }

  // The per-window samples must move the same way as the whole-run value, beyond chance.
  const expectHigher = (effect === 'worse') === (tolerance.worse === 'higher')
  if (test.higher !== expectHigher || !(test.pValue < options.alpha)) {
    const note = `beyond the ${tol} tolerance${driftNote} but not distinguishable from window-to-window noise (${p}, ${windows})`
    return {
      ...deltas,
      verdict: 'inconclusive',
      evidence: evidence(note),
      message: `${head}: inconclusive, ${note}`,
    }
  }
  if (band) {
    const outside = expectHigher ? current > band.hi : current < band.lo
    if (!outside) {
      const note = `significant (${p}) but within the run-to-run spread of ${band.n} base-branch runs (${formatValue(band.lo, unit)} – ${formatValue(band.hi, unit)})`
      return {
        ...deltas,
        verdict: 'inconclusive',
        evidence: evidence(note),
        message: `${head}: inconclusive, ${note}`,
      }
    }
  }

  if (!(decisive < options.alpha)) {
    const note = `beyond the ${tol} tolerance${driftNote}; ${p} alone, but not significant among the ${family!.size} rows tested together (Holm-adjusted ${formatP(decisive)}, needs < ${options.alpha}; ${windows})`
    return {
      ...deltas,
      verdict: 'inconclusive',
      evidence: evidence(note),
      message: `${head}: inconclusive, ${note}`,
    }
  }

  const verdict = effect === 'worse' ? 'regression' : 'improvement'
  const bandNote = band ? `, outside the spread of ${band.n} base-branch runs` : ''
  const note = `beyond the ${tol} tolerance${driftNote} and significant (${p}${familyNote}, ${windows})${bandNote}`
  return { ...deltas, verdict, evidence: evidence(note), message: `${head}, ${p}: ${verdict}` }
}

export interface NoiseTest {
  name: Evidence['test']
  pValue: number
  /** The current windows sit higher than the baseline's. */
  higher: boolean
  ci?: [number, number]
  /** The smallest p a random-relabelling estimate can give (1 / (1 + relabellings)); 0 when exact. */
  resolution: number
}

/** The window-level test of condition 2: permutation of pooled windows, else the rank test. */
export function noiseTest(input: JudgeInput, options: JudgeOptions): NoiseTest {
  const level = 1 - options.alpha
  if (input.pooled) {
    const t = input.pooled.test({
      resamples: Math.max(options.resamples, options.testResamples ?? 0),
      ciResamples: options.resamples,
      level,
      seed: options.seed,
    })
    return {
      name: 'window-permutation',
      pValue: t.pValue,
      higher: t.current > t.baseline,
      ...(t.ci ? { ci: t.ci } : {}),
      resolution: t.exact ? 0 : 1 / (1 + t.permutations),
    }
  }
  const rank = mannWhitneyU(input.currentWindows, input.baselineWindows)
  const ci = bootstrapRelativeChange(input.currentWindows, input.baselineWindows, {
    resamples: options.resamples,
    level,
    seed: options.seed,
  })
  return {
    name: 'mann-whitney',
    pValue: rank.pValue,
    higher: rank.z > 0,
    ...(ci ? { ci } : {}),
    resolution: 0,
  }
}

/** A run-level row: the tolerance, then the history band as the evidence of condition 2. */
function judgeRunLevel(
  input: JudgeInput,
  options: JudgeOptions,
  values: {
    baseline: number
    current: number
    head: string
    tol: string
    deltas: { absDelta: number; relDelta?: number }
  },
): Judgement {
  const { tolerance, unit } = input
  const { baseline, current, head, tol, deltas } = values
  const band =
    input.history.length >= options.minHistory ? predictionBand(input.history, options.alpha) : undefined
  const evidence = (note: string): Evidence => ({
    test: band ? 'history' : 'none',
    windowsBaseline: 0,
    windowsCurrent: 0,
    ...(band ? { history: band } : {}),
    note,
  })
  const row = (
    verdict: MetricVerdict,
    note: string,
    message = `${head}: ${verdict}, ${note}`,
  ): Judgement => ({
    ...deltas,
    verdict,
    evidence: evidence(note),
    message,
  })
  const effect = effectOf(baseline, current, tolerance)
  if (effect === 'within') return row('unchanged', `within the ${tol} tolerance (one value per run)`)
  if (!band) {
    const have = input.history.length
    return row(
      'inconclusive',
      `beyond the ${tol} tolerance; one value per run, so only the run-to-run spread of ${options.minHistory} base-branch runs can tell it from noise (${have} known)`,
    )
  }
  const expectHigher = (effect === 'worse') === (tolerance.worse === 'higher')
  const outside = expectHigher ? current > band.hi : current < band.lo
  const level = `${Math.round((1 - options.alpha) * 100)} %`
  const spread = `${band.n} base-branch runs (${level} prediction interval ${formatValue(band.lo, unit)} – ${formatValue(band.hi, unit)})`
  if (!outside)
    return row('inconclusive', `beyond the ${tol} tolerance but within the run-to-run spread of ${spread}`)
  const verdict = effect === 'worse' ? 'regression' : 'improvement'
  return row(
    verdict,
    `beyond the ${tol} tolerance and outside the run-to-run spread of ${spread}`,
    `${head}, outside the spread of ${band.n} base-branch runs: ${verdict}`,
  )
}
