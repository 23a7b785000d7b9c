// The figures of the report: p95 per endpoint against its target (and the baseline), and p95 over
// time per endpoint from the load windows. Pure.
import type { EndpointLoad, LoadPart, LoadWindow } from '../record/load.ts'
import { windowBuckets } from '../record/histogram.ts'
import type { BarChart, EndpointRow, TimeSeries } from './model.ts'

const CHART_MAX = 20

export function p95Chart(rows: EndpointRow[], hasBaseline: boolean): BarChart | undefined {
  const measured = rows.filter((r) => r.count > 0 && Number.isFinite(r.p95Ms))
  if (measured.length === 0) return undefined
  // Keep the endpoints closest to (or over) their target first when there are too many.
  const ranked =
    measured.length <= CHART_MAX
      ? measured
      : [...measured]
          .map((r, i) => ({ r, i, k: r.targetMs ? r.p95Ms / r.targetMs : 0 }))
          .sort((a, b) => b.k - a.k || b.r.p95Ms - a.r.p95Ms)
          .slice(0, CHART_MAX)
          .sort((a, b) => a.i - b.i)
          .map((x) => x.r)
  const withBaseline = hasBaseline && ranked.some((r) => r.baseline?.p95Ms !== undefined)
  return {
    title: 'p95 latency by endpoint (ms)',
    unit: 'ms',
    labels: ranked.map((r) => r.name),
    current: ranked.map((r) => r.p95Ms),
    target: ranked.map((r) => r.targetMs ?? NaN),
    ...(withBaseline ? { baseline: ranked.map((r) => r.baseline?.p95Ms ?? NaN) } : {}),
    omitted: measured.length - ranked.length,
  }
}

/** Shortest step of the latency-over-time figure: test windows are 2 s, too jittery to read. */
const SERIES_STEP_MIN_S = 10
/** At most this many points per endpoint, so hour-long runs stay readable. */
const SERIES_POINTS_MAX = 120

export function latencySeries(load: LoadPart | undefined): { step: number; series: TimeSeries[] } {
  if (!load) return { step: SERIES_STEP_MIN_S, series: [] }
  const windowS = load.windowS > 0 ? load.windowS : SERIES_STEP_MIN_S
  const stepS = Math.max(
    windowS,
    SERIES_STEP_MIN_S,
    Math.ceil(load.durationS / SERIES_POINTS_MAX / SERIES_STEP_MIN_S) * SERIES_STEP_MIN_S,
  )
  const series = load.endpoints
    .filter((ep) => ep.windows.length > 0)
    .map((ep) => ({ name: ep.name, points: seriesPoints(ep, stepS) }))
  return { step: stepS, series }
}

/**
 * The endpoint's windows merged into steps of `stepS`: the p95 of each step's merged histograms,
 * or, when a window histogram cannot be read, the highest window p95 of the step. The histograms
 * come from `windowBuckets`, which decodes each window once for the whole pipeline (compare has
 * usually decoded them already).
 */
function seriesPoints(ep: EndpointLoad, stepS: number): TimeSeries['points'] {
  const steps = new Map<number, LoadWindow[]>()
  for (const w of ep.windows) {
    if (!(w.count > 0)) continue
    const at = Math.floor(w.startMs / 1000 / stepS) * stepS
    steps.set(at, [...(steps.get(at) ?? []), w])
  }
  return [...steps.entries()].map(([tS, windows]) => {
    if (windows.length === 1) return { tS, p95Ms: windows[0]!.p95Ms }
    const merged = mergedP95Ms(windows)
    return { tS, p95Ms: merged ?? Math.max(...windows.map((w) => w.p95Ms)) }
  })
}

/**
 * The p95 (ms) of the windows' buckets pooled, interpolated between the two nearest ranks as
 * `interpolatedPercentile` does for a histogram; undefined when a window cannot be read.
 */
function mergedP95Ms(windows: readonly LoadWindow[]): number | undefined {
  const pooled = new Map<number, number>()
  for (const w of windows) {
    const buckets = windowBuckets(w)
    if (!buckets) return undefined
    buckets.valuesMs.forEach((v, i) => pooled.set(v, (pooled.get(v) ?? 0) + buckets.counts[i]!))
  }
  const values = [...pooled.keys()].sort((a, b) => a - b)
  const total = values.reduce((sum, v) => sum + pooled.get(v)!, 0)
  if (!(total > 0)) return undefined
  const rank = 0.95 * (total - 1)
  const at = (r: number): number => {
    let seen = 0
    for (const v of values) {
      seen += pooled.get(v)!
      if (r < seen) return v
    }
    return values[values.length - 1]!
  }
  const low = at(Math.floor(rank))
  return low + (at(Math.ceil(rank)) - low) * (rank - Math.floor(rank))
}
