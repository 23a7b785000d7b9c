// The record's latency histograms: HDR histograms in whole microseconds, travelling in the record
// as hdr-histogram-js compressed base64, and the summaries read from them. The encoding is part of
// the RunRecord contract (run/ writes it; compare/, report/ and shard/ read it), so its codec lives
// with the record. Histograms stay mergeable (shards, windows → totals).
import * as hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'
import type { LatencyStats, LoadWindow } from './load.ts'
import { countsOf, encodeCompressedBase64, nonZeroIndexes } from './histogram-counts.ts'

/** Three significant digits: values are exact below 2 048 µs and within 0.1 % above. */
export const SIGNIFICANT_DIGITS = 3

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    autoResize: true,
  })
}

/** k6 reports milliseconds as floats; the histogram keeps whole microseconds. */
export function msToMicros(ms: number): number {
  return ms <= 0 ? 0 : Math.round(ms * 1000)
}

/**
 * hdr-histogram-js's compressed base64, byte for byte (read from the counts directly; `nonZero`:
 * the indexes of its non-zero counts when known, see histogram-counts.ts).
 */
export function encodeHistogram(histogram: Histogram, nonZero?: Int32Array): string {
  return encodeCompressedBase64(histogram, nonZero ?? nonZeroIndexes(histogram))
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded)
}

/** A percentile (ms) of an encoded histogram; undefined when it is empty or cannot be read. */
export function histogramPercentileMs(encoded: string | undefined, percentile: number): number | undefined {
  if (typeof encoded !== 'string' || encoded.length === 0) return undefined
  try {
    const h = decodeHistogram(encoded)
    if (h.totalCount === 0) return undefined
    return h.getValueAtPercentile(percentile) / 1000
  } catch {
    return undefined
  }
}

/** A window's latencies as buckets: each bucket's value in ms (see histogramBuckets) and count. */
export interface WindowLatencies {
  valuesMs: number[]
  counts: number[]
}

const windowLatencies = new WeakMap<LoadWindow, WindowLatencies | null>()

/**
 * The window's histogram as buckets, decoded once per window object (a baseline compared many
 * times, the accuracy bench, decodes each window once); null when it is empty or cannot be read.
 */
export function windowBuckets(w: LoadWindow): WindowLatencies | null {
  let out = windowLatencies.get(w)
  if (out === undefined) {
    out = null
    try {
      if (typeof w.histogram === 'string' && w.histogram.length > 0) {
        const h = decodeHistogram(w.histogram)
        if (h.totalCount > 0) {
          const { values, counts } = histogramBuckets(h)
          out = { valuesMs: values.map((us) => us / 1000), counts }
        }
      }
    } catch {
      out = null
    }
    windowLatencies.set(w, out)
  }
  return out
}

/** Sum of encoded histograms (shards, windows), encoded again. */
export function mergeEncodedHistograms(encoded: string[]): string {
  const total = newHistogram()
  for (const one of encoded) total.add(decodeHistogram(one))
  return encodeHistogram(total)
}

/**
 * Values at percentiles `ps` (0..1), computed the way k6 does for its summary — linear
 * interpolation between the sorted samples at ranks floor/ceil of p·(n−1) — with each sample
 * read back as the middle of its histogram bucket, so results agree with k6 within the
 * histogram's precision instead of differing by nearest-rank rounding on small runs.
 * One pass over the counts for all percentiles.
 */
export function interpolatedPercentiles(
  histogram: Histogram,
  ps: number[],
  nonZero = nonZeroIndexes(histogram),
): number[] {
  const n = histogram.totalCount
  if (n === 0) return ps.map(() => 0)
  // Every rank needed (floor and ceil of each), visited in increasing order.
  const wanted = [...new Set(ps.flatMap((p) => [Math.floor(p * (n - 1)), Math.ceil(p * (n - 1))]))].sort(
    (a, b) => a - b,
  )
  const valueAt = new Map<number, number>()
  const js = histogram as unknown as JsHistogramInternals
  const counts = countsOf(histogram)
  let seen = 0
  let next = 0
  const visited = nonZero?.length ?? js.countsArrayLength
  for (let k = 0; k < visited && next < wanted.length; k++) {
    const i = nonZero ? nonZero[k]! : k
    const count = counts ? counts[i]! : js.getCountAtIndex(i)
    if (count === 0) continue
    seen += count
    const value = Math.min(js.medianEquivalentValue(js.valueFromIndex(i)), histogram.maxValue)
    while (next < wanted.length && wanted[next]! < seen) valueAt.set(wanted[next++]!, value)
  }
  for (; next < wanted.length; next++) valueAt.set(wanted[next]!, histogram.maxValue)
  return ps.map((p) => {
    const rank = p * (n - 1)
    const low = valueAt.get(Math.floor(rank))!
    const high = valueAt.get(Math.ceil(rank))!
    return low + (high - low) * (rank - Math.floor(rank))
  })
}

/**
 * The histogram's non-empty buckets in ascending order, each as its median-equivalent value (µs,
 * capped at the recorded maximum) and its count: what a test that pools windows needs.
 */
export function histogramBuckets(histogram: Histogram): { values: number[]; counts: number[] } {
  const js = histogram as unknown as JsHistogramInternals
  const values: number[] = []
  const counts: number[] = []
  for (let i = 0; i < js.countsArrayLength; i++) {
    const count = js.getCountAtIndex(i)
    if (count === 0) continue
    values.push(Math.min(js.medianEquivalentValue(js.valueFromIndex(i)), histogram.maxValue))
    counts.push(count)
  }
  return { values, counts }
}

export function interpolatedPercentile(histogram: Histogram, p: number): number {
  return interpolatedPercentiles(histogram, [p])[0]!
}

/** The parts of hdr-histogram-js's JsHistogram used above (public fields, not in the Histogram interface). */
interface JsHistogramInternals {
  countsArrayLength: number
  getCountAtIndex(index: number): number
  valueFromIndex(index: number): number
  medianEquivalentValue(value: number): number
}

/** Exact extremes and sum kept beside a histogram (the histogram only knows buckets). */
export interface ExactMoments {
  count: number
  sumMs: number
  minMs: number
  maxMs: number
}

export function emptyMoments(): ExactMoments {
  return { count: 0, sumMs: 0, minMs: Number.POSITIVE_INFINITY, maxMs: 0 }
}

export function addMoment(m: ExactMoments, ms: number): void {
  m.count++
  m.sumMs += ms
  if (ms < m.minMs) m.minMs = ms
  if (ms > m.maxMs) m.maxMs = ms
}

export function mergeMoments(into: ExactMoments, other: ExactMoments): void {
  into.count += other.count
  into.sumMs += other.sumMs
  if (other.minMs < into.minMs) into.minMs = other.minMs
  if (other.maxMs > into.maxMs) into.maxMs = other.maxMs
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** Latency summary in ms: percentiles from the histogram, min/mean/max exact when known. */
export function latencyStats(histogram: Histogram, moments?: ExactMoments): LatencyStats {
  const count = moments?.count ?? histogram.totalCount
  if (count === 0) return { minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 }
  const [p50, p90, p95, p99] = interpolatedPercentiles(histogram, [0.5, 0.9, 0.95, 0.99]).map((micros) => {
    const clamped = moments ? Math.min(Math.max(micros, moments.minMs * 1000), moments.maxMs * 1000) : micros
    return round3(clamped / 1000)
  }) as [number, number, number, number]
  return {
    minMs: round3(moments ? moments.minMs : histogram.minNonZeroValue / 1000),
    meanMs: round3(moments ? moments.sumMs / moments.count : histogram.mean / 1000),
    p50Ms: p50,
    p90Ms: p90,
    p95Ms: p95,
    p99Ms: p99,
    maxMs: round3(moments ? moments.maxMs : histogram.maxValue / 1000),
  }
}
