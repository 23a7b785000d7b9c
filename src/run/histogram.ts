// HDR histograms of latencies in whole microseconds, and the summaries read from them.
// Histograms stay mergeable (shards, windows → totals) and travel in the record as
// hdr-histogram-js compressed base64.
import * as hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'
import type { LatencyStats } from '../record/load.ts'

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

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram)
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded)
}

/** Sum of encoded histograms (shards, windows), encoded again. */
export function mergeEncodedHistograms(encoded: string[]): string {
  const total = newHistogram()
  for (const one of encoded) total.add(decodeHistogram(one))
  return encodeHistogram(total)
}

/**
 * The value at percentile `p` (0..1) computed the way k6 does for its summary — linear
 * interpolation between the sorted samples at ranks floor/ceil of p·(n−1) — with each sample
 * read back as the middle of its histogram bucket, so results agree with k6 within the
 * histogram's precision rather than differing by nearest-rank rounding on small runs.
 */
export function interpolatedPercentile(histogram: Histogram, p: number): number {
  const n = histogram.totalCount
  if (n === 0) return 0
  const rank = p * (n - 1)
  const lowRank = Math.floor(rank)
  const highRank = Math.ceil(rank)
  const low = valueAtRank(histogram, lowRank)
  const high = highRank === lowRank ? low : valueAtRank(histogram, highRank)
  return low + (high - low) * (rank - lowRank)
}

/** Sample at 0-based `rank` in sorted order, as the bucket's median value, clamped to min/max. */
function valueAtRank(histogram: Histogram, rank: number): number {
  const js = histogram as unknown as JsHistogramInternals
  const iterator = js.recordedValuesIterator
  iterator.reset()
  let seen = 0
  while (iterator.hasNext()) {
    const step = iterator.next()
    seen += step.countAddedInThisIterationStep
    if (seen > rank) {
      const value = js.medianEquivalentValue(step.valueIteratedTo)
      return Math.min(value, histogram.maxValue)
    }
  }
  return histogram.maxValue
}

interface JsHistogramInternals {
  recordedValuesIterator: {
    reset(): void
    hasNext(): boolean
    next(): { valueIteratedTo: number; countAddedInThisIterationStep: number }
  }
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
  const pct = (p: number) => {
    let micros = interpolatedPercentile(histogram, p)
    if (moments && moments.count > 0)
      micros = Math.min(Math.max(micros, moments.minMs * 1000), moments.maxMs * 1000)
    return round3(micros / 1000)
  }
  const count = moments?.count ?? histogram.totalCount
  if (count === 0) return { minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 }
  return {
    minMs: round3(moments ? moments.minMs : histogram.minNonZeroValue / 1000),
    meanMs: round3(moments ? moments.sumMs / moments.count : histogram.mean / 1000),
    p50Ms: pct(0.5),
    p90Ms: pct(0.9),
    p95Ms: pct(0.95),
    p99Ms: pct(0.99),
    maxMs: round3(moments ? moments.maxMs : histogram.maxValue / 1000),
  }
}
