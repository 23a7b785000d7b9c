// Result shapes of the SLO evaluation (analyze/slo.ts), the baseline comparison (compare/) and the
// gate. All plain JSON: the report renders them and result.json may carry them.
import type { Target } from '../plan/types.ts'

export type Scope = 'endpoint' | 'overall'

/** Metrics an SLO can target. */
export type SloMetric = 'p50Ms' | 'p95Ms' | 'p99Ms' | 'errorRate' | 'rps' | 'cacheHitRate'

export type Operator = '<' | '<=' | '>' | '>='

export type SloStatus = 'pass' | 'fail' | 'no-data'

/** One SLO row, complete enough to render without the record (lighthouse-ci style). */
export interface SloResult {
  /** `search.p95Ms`, `overall.errorRate`. */
  id: string
  scope: Scope
  endpoint?: string
  metric: SloMetric
  /** The target as the user wrote it, with its parsed value (ms, fraction or req/s). */
  target: Target
  /** The operator applied: from the target text, else the metric's default. */
  operator: Operator
  actual?: number
  status: SloStatus
  /** One line for the report, e.g. `search p95 148 ms, target <100ms: fail`. */
  message: string
  /** What to look at next, for failures and missing data. */
  hint?: string
}

/** Metrics a comparison row can be about: load metrics (compare/metrics.ts), run-level ones (run-level.ts) and the drift row. */
export type ComparedMetric =
  | 'p50Ms'
  | 'p95Ms'
  | 'p99Ms'
  | 'errorRate'
  | 'rps'
  | 'dbTimeMsPerRequest'
  | 'statementsPerRequest'
  | 'cacheHitRate'
  /** The run-wide latency factor (median p50 change of all endpoints), compare/drift.ts. */
  | 'latencyDrift'

export type Unit = 'ms' | 'ratio' | 'req/s' | 'count' | 'factor'

export type MetricVerdict = 'regression' | 'improvement' | 'unchanged' | 'inconclusive' | 'no-data'

export type EvidenceTest = 'window-permutation' | 'mann-whitney' | 'history' | 'paired-sign-flip' | 'none'

/** The run-to-run band of the base branch, used when at least three earlier runs exist. */
export interface HistoryBand {
  /** Number of base-branch runs that had this metric. */
  n: number
  mean: number
  sd: number
  min: number
  max: number
  /**
   * The band the current value must leave: [min(min, mean − k·sd), max(max, mean + k·sd)] beside
   * a window test; for rows with one value per run, where it is the only evidence, the (1 − alpha)
   * prediction interval of one more run (Student t), never narrower than [min, max].
   */
  lo: number
  hi: number
}

export interface Evidence {
  /** The test the verdict rests on; `none` when it could not run. */
  test: EvidenceTest
  /**
   * Two-sided p-value: of the window permutation test of the pooled quantile (latency rows), or of
   * the rank test on per-window values (error rate, rps).
   */
  pValue?: number
  /**
   * `pValue` after Holm's adjustment over all rows of the comparison that had a window test
   * (compare/family.ts): what decides a regression or an improvement.
   */
  adjustedPValue?: number
  /** How many rows were adjusted together. */
  family?: number
  /**
   * (1 − alpha) bootstrap interval of the relative change: of the pooled quantile with windows
   * resampled (latency rows), or of the mean per-window value.
   */
  ci?: [number, number]
  /** Usable windows in each run. */
  windowsBaseline: number
  windowsCurrent: number
  history?: HistoryBand
  /** Why the statistics say what they say, one sentence. */
  note: string
}

/** How much change a metric tolerates before it counts, and which way is worse. */
export interface MetricTolerance {
  /** Relative change, e.g. 0.1 = 10 %. */
  relative: number
  /** Absolute floor: an error rate at or below it is never a regression. */
  floor?: number
  worse: 'higher' | 'lower'
}

export interface MetricComparison {
  /** `search.p95Ms`, `overall.rps`. */
  id: string
  scope: Scope
  endpoint?: string
  metric: ComparedMetric
  unit: Unit
  baseline?: number
  current?: number
  absDelta?: number
  /** (current − baseline) / baseline; absent when the baseline is 0 or missing. */
  relDelta?: number
  verdict: MetricVerdict
  evidence: Evidence
  tolerance: MetricTolerance
  /** One line for the report, e.g. `search p95 112 ms → 148 ms (+32%), p=0.001: regression`. */
  message: string
}

export interface RunRef {
  startedAt?: string
  sha?: string
  ref?: string
  /** Present when the run's load part is missing. */
  loadUnavailable?: string
  /** Present when the run's load did not finish. */
  partial?: string
}

export interface Comparison {
  baselineFound: boolean
  baseline?: RunRef
  current: RunRef
  /** Distinct earlier base-branch runs used for the run-to-run band. */
  historyRuns: number
  rows: MetricComparison[]
  counts: Record<MetricVerdict, number>
  /** Run-level remarks (no baseline yet, scenario differs, load unavailable…). */
  notes: string[]
}

export type GateOutcome = 'pass' | 'warn' | 'fail' | 'no-baseline'

export interface GateVerdict {
  /**
   * `fail` when the job must fail; `no-baseline` on a first run that passed its SLOs; `warn` when
   * something is wrong but fail-on does not gate it; `pass` otherwise.
   */
  verdict: GateOutcome
  failed: boolean
  /** Why, one line each, gating reasons first. */
  reasons: string[]
  /** E.g. `search p95 +32% (p=0.001)`. */
  regressions: string[]
}
