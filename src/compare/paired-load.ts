// The paired comparison of a side-by-side run (issue 19), from the record's two sides: which
// windows pair up, the rows compare/paired.ts judges, and those rows as the Comparison the gate and
// the report read. Pure.
import type { Tolerances } from '../plan/types.ts'
import type { Comparison, MetricComparison } from '../record/compare.ts'
import type { EndpointLoad, LoadPart } from '../record/load.ts'
import type { PairedPart, PairedRowRecord, PairedSide, PairedStopping } from '../record/paired.ts'
import { formatP, formatPercentChange, formatValue } from '../record/format.ts'
import {
  comparePaired,
  inconclusiveSentence,
  stoppingDecision,
  type PairedDesign,
  type RowPace,
} from './paired.ts'
import {
  DEFAULT_PAIRED_TEST,
  describeTest,
  MIN_BLOCK_REQUESTS,
  pairedBlockValues,
  stratifiedQuantileTest,
  type PairedQuantileTest,
} from './paired-pooled.ts'
import { countVerdicts } from './verdict.ts'
import { alphaPerLook, describeStopping } from './paired-stopping.ts'

/** A window pairs up only when both sides had this many requests in it: a p95 of fewer is noise. */
export const MIN_WINDOW_REQUESTS = 5
/** Fewer pairs than this: no verdict (the sign-flip test cannot reach p < 0.05 after Holm). */
export const MIN_PAIRS = 5
const METRICS = [
  { metric: 'p50Ms', q: 0.5, tolerance: (t: Tolerances) => t.p50 },
  { metric: 'p95Ms', q: 0.95, tolerance: (t: Tolerances) => t.p95 },
] as const

/** Per-window values of both sides, paired by window start (the sides share one anchor). */
export function pairedWindowValues(
  base: EndpointLoad,
  current: EndpointLoad,
  metric: 'p50Ms' | 'p95Ms',
  minRequests = MIN_WINDOW_REQUESTS,
): { base: number[]; current: number[] } {
  const byStart = new Map(base.windows.filter((w) => w.count >= minRequests).map((w) => [w.startMs, w]))
  const out = { base: [] as number[], current: [] as number[] }
  for (const w of current.windows) {
    const b = byStart.get(w.startMs)
    if (!b || w.count < minRequests) continue
    out.base.push(b[metric])
    out.current.push(w[metric])
  }
  return out
}

/** A row's paired values under the chosen test (or its pooled result, for the stratified one). */
function pairedValues(
  base: EndpointLoad,
  current: EndpointLoad,
  m: (typeof METRICS)[number],
  windowMs: number,
  test: PairedQuantileTest,
  iterations: number,
) {
  if (test.kind === 'windows') return pairedWindowValues(base, current, m.metric)
  // a pooled test weighs every request: a window needs one on each side (MIN_PAIRS windows in all)
  if (test.kind === 'blocks') return pairedBlockValues(base, current, m.q, test.windowsPerBlock, windowMs)
  const unit = test.kind === 'window-swap' ? 'window' : 'request'
  const pooled = stratifiedQuantileTest(base, current, m.q, windowMs, { unit, minRequests: 1, iterations })
  return { base: [], current: [], pooled }
}

/** The most recent stretch of load the "more minutes" estimate takes its pace from. */
const RECENT_PACE_MS = 30_000

/** An endpoint's requests on both sides, and their rate over the last RECENT_PACE_MS of windows. */
function paceOf(base: EndpointLoad, current: EndpointLoad, windowMs: number): RowPace | undefined {
  const windows = [...base.windows, ...current.windows]
  if (windows.length === 0) return undefined
  const end = Math.max(...windows.map((w) => w.startMs)) + windowMs
  const from = Math.max(0, end - RECENT_PACE_MS)
  const recent = windows.filter((w) => w.startMs >= from).reduce((n, w) => n + w.count, 0)
  return {
    requests: windows.reduce((n, w) => n + w.count, 0),
    recentPerMinute: recent / ((end - from) / 60_000),
  }
}

export interface PairedJudgeInput {
  design: PairedDesign
  current: Pick<LoadPart, 'endpoints' | 'windowS' | 'durationS'>
  base: PairedSide
  currentUrl: string
  tolerances: Tolerances
  /** How each quantile row is tested; the default pools windows into blocks. */
  test?: PairedQuantileTest
  /** A run with the stopping rule: its record, whose planned looks split alpha (paired-stopping.ts). */
  stopping?: PairedStopping
}

/**
 * Judges every endpoint both sides measured, on its p50 and p95: all rows form one family, so
 * Holm keeps the chance of any false regression in an A/A run at alpha. No drift is removed: in a
 * paired run what moves both sides cancels in each pair already, and a run-wide shift between the
 * sides is the PR's own effect (a slower middleware), not the machine's.
 */
export function judgePaired(input: PairedJudgeInput): PairedPart {
  // With the stopping rule every look is judged at alpha / looks, this final judgement too.
  const alpha = input.stopping
    ? alphaPerLook(input.tolerances.alpha, input.stopping.looksAtS.length)
    : input.tolerances.alpha
  const test = input.test ?? DEFAULT_PAIRED_TEST
  // Enough window swaps that the smallest p survives Holm over every row: p ≥ 1/(iterations + 1).
  const iterations = Math.max(4000, Math.ceil((4 * METRICS.length * input.current.endpoints.length) / alpha))
  // A run a look ended is judged on the windows that look judged (PairedStopping.judgedToS).
  const windowMs = input.current.windowS * 1000
  const judgedToMs = input.stopping?.judgedToS !== undefined ? input.stopping.judgedToS * 1000 : undefined
  const judged = (e: EndpointLoad): EndpointLoad =>
    judgedToMs === undefined
      ? e
      : { ...e, windows: e.windows.filter((w) => w.startMs + windowMs <= judgedToMs) }
  const baseByName = new Map(input.base.endpoints.map((e) => [e.name, judged(e)]))
  const inputs = input.current.endpoints.map(judged).flatMap((current) => {
    const base = baseByName.get(current.name)
    if (!base) return []
    const pace = paceOf(base, current, windowMs)
    return METRICS.map((m) => ({
      endpoint: current.name,
      metric: m.metric,
      key: `${current.name}.${m.metric}`,
      ...(pace ? { pace } : {}),
      ...pairedValues(base, current, m, input.current.windowS * 1000, test, iterations),
      tolerance: m.tolerance(input.tolerances),
      gated: true,
    }))
  })
  const results = comparePaired(inputs, { alpha })
  const rows: PairedRowRecord[] = results.map((row, i) => ({
    id: row.key,
    endpoint: inputs[i]!.endpoint,
    metric: inputs[i]!.metric,
    pairs: row.pairs,
    relativeChange: row.relativeChange,
    interval: row.interval,
    p: row.p,
    pAdjusted: row.pAdjusted,
    verdict: row.pairs < MIN_PAIRS ? 'no-data' : row.verdict,
    gated: row.gated,
    tolerance: row.tolerance,
    ...(row.morePairs !== undefined ? { morePairs: row.morePairs } : {}),
  }))
  // Rows without enough pairs have no interval to resolve: the stopping rule looks at the others.
  const open = results.map((row) => ({ ...row, gated: row.gated && row.pairs >= MIN_PAIRS }))
  const elapsedMin = Math.min(input.current.durationS, (judgedToMs ?? Infinity) / 1000) / 60
  const decision = stoppingDecision(open, elapsedMin, elapsedMin)
  // the comment names rows as a reader does: `feed p95`, not the record's `feed.p95Ms`
  const label = new Map(inputs.map((r) => [r.key, `${r.endpoint} ${r.metric === 'p50Ms' ? 'p50' : 'p95'}`]))
  const shown = decision.open.map((key) => label.get(key) ?? key)
  const named = shown.length > 3 ? [...shown.slice(0, 3), `${shown.length - 3} more`] : shown
  const slowest = decision.slowest && {
    ...decision.slowest,
    key: label.get(decision.slowest.key) ?? decision.slowest.key,
  }
  const sentence = inconclusiveSentence({ ...decision, open: named, ...(slowest ? { slowest } : {}) })
  return {
    design: input.design,
    currentUrl: input.currentUrl,
    base: input.base,
    alpha,
    minWindowRequests:
      test.kind === 'windows' ? MIN_WINDOW_REQUESTS : test.kind === 'blocks' ? MIN_BLOCK_REQUESTS : 1,
    quantileTest: describeTest(test, input.current.windowS),
    rows,
    ...(sentence ? { inconclusive: sentence } : {}),
    ...(input.stopping ? { stopping: input.stopping } : {}),
  }
}

/** `+62% [+40%, +85%]`; an unbounded side shows as ∞. */
export function formatInterval(row: Pick<PairedRowRecord, 'relativeChange' | 'interval'>): string {
  const bound = (x: number) => (Number.isFinite(x) ? formatPercentChange(x) : x > 0 ? '+∞' : '−∞')
  return `${formatPercentChange(row.relativeChange)} [${bound(row.interval[0])}, ${bound(row.interval[1])}]`
}

/** `both at once on separate VU pools, paired by 2-s window`. */
export function describeDesign(paired: Pick<PairedPart, 'design'>, windowS: number): string {
  return paired.design === 'simultaneous'
    ? `simultaneous design: both deployments loaded at once on VU pools of the same size, ${windowS}-s windows paired by time`
    : 'alternating design: A B B A slices, each slice paired with its neighbour'
}

/**
 * The paired rows as the Comparison the gate and the report read: p-values are Holm-adjusted,
 * intervals are those of the paired relative change, `windows*` are the pairs.
 */
export function pairedComparison(paired: PairedPart, current: LoadPart): Comparison {
  const currentBy = new Map(current.endpoints.map((e) => [e.name, e]))
  const baseBy = new Map(paired.base.endpoints.map((e) => [e.name, e]))
  const rows: MetricComparison[] = paired.rows.map((row) => {
    const a = baseBy.get(row.endpoint)?.duration[row.metric]
    const b = currentBy.get(row.endpoint)?.duration[row.metric]
    const label = row.metric === 'p50Ms' ? 'p50' : 'p95'
    const evidence =
      row.verdict === 'no-data'
        ? `${row.pairs} paired windows, fewer than ${MIN_PAIRS}`
        : `${formatInterval(row)} paired, ${formatP(row.pAdjusted)} (Holm)`
    return {
      id: row.id,
      scope: 'endpoint',
      endpoint: row.endpoint,
      metric: row.metric,
      unit: 'ms',
      ...(a !== undefined ? { baseline: a } : {}),
      ...(b !== undefined ? { current: b } : {}),
      ...(a !== undefined && b !== undefined ? { absDelta: b - a } : {}),
      ...(row.verdict !== 'no-data' ? { relDelta: row.relativeChange } : {}),
      verdict: row.verdict,
      evidence: {
        test: 'paired-sign-flip',
        pValue: row.pAdjusted,
        ci: row.interval,
        windowsBaseline: row.pairs,
        windowsCurrent: row.pairs,
        note: `${paired.quantileTest ?? 'sign-flip test on the windows’ percentiles'}, ${row.pairs} paired ${paired.quantileTest?.includes('blocks') ? 'blocks' : 'windows'} (Holm over ${paired.rows.length} rows); interval of the paired change`,
      },
      tolerance: { relative: row.tolerance, worse: 'higher' },
      message: `${row.endpoint} ${label} ${formatValue(a, 'ms')} → ${formatValue(b, 'ms')}, ${evidence}: ${row.verdict}`,
    }
  })
  return {
    baselineFound: true,
    baseline: { ref: `${paired.base.url} (same run)` },
    current: { ...(current.partial ? { partial: current.partial } : {}) },
    historyRuns: 0,
    rows,
    counts: countVerdicts(rows),
    notes: [
      `paired run: ${paired.base.url} (base) and ${paired.currentUrl} (PR) side by side in one k6 process, ${describeDesign(paired, current.windowS)}`,
      'paired rows: every endpoint’s p50 and p95; error rates are gated by the SLOs',
      ...(paired.stopping ? [describeStopping(paired.stopping)] : []),
      ...(paired.inconclusive ? [paired.inconclusive] : []),
    ],
  }
}
