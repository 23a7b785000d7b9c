// The lookup table of metrics compared from the load part: how each is read (whole-run value and
// the samples its noise test needs), its unit, and which tolerance applies. A new load metric is
// one more entry here; metrics with one value per run (database, cache) are in run-level.ts.
import type { Tolerances } from '../plan/types.ts'
import type { ComparedMetric, MetricTolerance, Unit } from '../record/compare.ts'
import type { EndpointLoad, LoadPart } from '../record/load.ts'
import {
  pooledProportionTest,
  pooledQuantileTest,
  type PermutationOptions,
  type WindowHistogram,
  type WindowPermutationTest,
} from './stats.ts'
import { errorRateValue, latencyValue, rpsValue } from '../record/values.ts'
import { errorWindowProportions, latencyWindowHistograms, rpsWindows } from './samples.ts'

export interface MetricSpec {
  metric: ComparedMetric
  unit: Unit
  /** Short name in messages: `p95`, `error rate`. */
  label: string
  tolerance(t: Tolerances): MetricTolerance
  value(ep: EndpointLoad, load: LoadPart): number | undefined
  /** Rows tested with the rank test (request rate): one value per window. */
  windows?(ep: EndpointLoad, load: LoadPart): number[]
  /**
   * Rows tested on pooled windows (latency quantiles, error rate): the windows of each run and the
   * window permutation test over them (see stats.ts).
   */
  pooled?(ep: EndpointLoad): PooledSamples
  /** Latency rows: judged after dividing the current run by its run-wide drift (drift.ts). */
  drifts?: boolean
  /** Latency quantile rows: the quantile (0..1), for the least number of requests it needs. */
  quantile?: number
}

/**
 * A quantile rests on the requests above it: the p95 of 40 requests is the second slowest, and one
 * slow request more or less (a cold cache entry, another tag) moves it by half. So a quantile row is
 * judged only when each run has at least this many requests above the quantile (p50: 20 requests,
 * p95: 200, p99: 1,000); a rule of thumb for a quantile estimate, stated in the row when it applies.
 */
export const MIN_REQUESTS_ABOVE_QUANTILE = 10

/** Why `count` requests are too few for quantile `q`, or undefined when they are enough. */
export function tooFewForQuantile(
  label: string,
  q: number,
  counts: { baseline: number; current: number },
): string | undefined {
  const need = Math.ceil(MIN_REQUESTS_ABOVE_QUANTILE / (1 - q) - 1e-9)
  if (counts.baseline >= need && counts.current >= need) return undefined
  return `too few requests for a ${label} (${counts.baseline} baseline, ${counts.current} current): it rests on at least ${MIN_REQUESTS_ABOVE_QUANTILE} requests above it, so it needs ${need.toLocaleString('en-US')} per run`
}

/** One run's windows for a pooled test, and the test of a current run's against a baseline's. */
export interface PooledSamples {
  windows: number
  against(baseline: PooledSamples, options: PermutationOptions): WindowPermutationTest
  /** The same windows with every value divided by `factor` (the run-wide drift). */
  scaled(factor: number): PooledSamples
}

/** Every window with a request takes part: pooling makes a window of one request harmless. */
function pooledLatency(quantile: number): MetricSpec['pooled'] {
  return (ep) => latencySamples(latencyWindowHistograms(ep, 1), quantile)
}

// Both sides of a test come from the same spec, so `baseline` has the same shape as the samples.
function latencySamples(histograms: WindowHistogram[], quantile: number): PooledSamples {
  const samples = {
    histograms,
    windows: histograms.length,
    against: (baseline: PooledSamples, options: PermutationOptions) =>
      pooledQuantileTest((baseline as typeof samples).histograms, histograms, quantile, options),
    scaled: (factor: number) =>
      latencySamples(
        histograms.map((h) => ({ values: h.values.map((v) => v / factor), counts: h.counts })),
        quantile,
      ),
  }
  return samples
}

function pooledErrors(ep: EndpointLoad): PooledSamples {
  const proportions = errorWindowProportions(ep)
  const samples: PooledSamples & { proportions: typeof proportions } = {
    proportions,
    windows: proportions.length,
    against: (baseline: PooledSamples, options: PermutationOptions) =>
      pooledProportionTest((baseline as typeof samples).proportions, proportions, options),
    scaled: () => samples,
  }
  return samples
}

export const METRICS: readonly MetricSpec[] = [
  {
    metric: 'p50Ms',
    unit: 'ms',
    label: 'p50',
    tolerance: (t) => ({ relative: t.p50, worse: 'higher' }),
    value: (ep) => latencyValue(ep, 'p50Ms'),
    pooled: pooledLatency(0.5),
    drifts: true,
    quantile: 0.5,
  },
  {
    metric: 'p95Ms',
    unit: 'ms',
    label: 'p95',
    tolerance: (t) => ({ relative: t.p95, worse: 'higher' }),
    value: (ep) => latencyValue(ep, 'p95Ms'),
    pooled: pooledLatency(0.95),
    drifts: true,
    quantile: 0.95,
  },
  {
    metric: 'p99Ms',
    unit: 'ms',
    label: 'p99',
    tolerance: (t) => ({ relative: t.p99, worse: 'higher' }),
    value: (ep) => latencyValue(ep, 'p99Ms'),
    pooled: pooledLatency(0.99),
    drifts: true,
    quantile: 0.99,
  },
  {
    metric: 'errorRate',
    unit: 'ratio',
    label: 'error rate',
    tolerance: (t) => ({ relative: t.errorRate, floor: t.errorRateFloor, worse: 'higher' }),
    value: (ep) => errorRateValue(ep),
    pooled: pooledErrors,
  },
  {
    metric: 'rps',
    unit: 'req/s',
    label: 'rps',
    tolerance: (t) => ({ relative: t.rps, worse: 'lower' }),
    value: (ep, load) => rpsValue(ep, load),
    windows: (ep, load) => rpsWindows(ep, load),
  },
]

const RUN_LEVEL_LABELS: Partial<Record<ComparedMetric, string>> = {
  dbTimeMsPerRequest: 'DB time per request',
  statementsPerRequest: 'statements per request',
  cacheHitRate: 'cache hit rate',
  latencyDrift: 'run-wide latency',
}

export function metricLabel(metric: ComparedMetric): string {
  return METRICS.find((m) => m.metric === metric)?.label ?? RUN_LEVEL_LABELS[metric] ?? metric
}
