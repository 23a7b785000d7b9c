// Reading a run's load part as point values (the whole run) and per-window samples (what the
// noise test uses). Decoded window percentiles are memoised per window object, so a baseline that
// is compared many times (the accuracy bench) is decoded once.
import { decodeFromCompressedBase64 } from 'hdr-histogram-js'
import { isUnavailable } from '../record/common.ts'
import type { RunRecord } from '../record/index.ts'
import type { EndpointLoad, LoadPart, LoadWindow } from '../record/load.ts'
import { histogramBuckets } from '../run/histogram.ts'
import type { WindowHistogram, WindowProportion } from './stats.ts'

export type LatencyMetric = 'p50Ms' | 'p95Ms' | 'p99Ms'

const PERCENTILE: Record<LatencyMetric, number> = { p50Ms: 50, p95Ms: 95, p99Ms: 99 }

/** The load part of a record, or why there is none. */
export function loadOf(record: RunRecord | undefined): { load?: LoadPart; missing?: string } {
  if (record === undefined) return { missing: 'no record' }
  const load = record.load
  if (load === undefined || load === null) return { missing: 'the record has no load part' }
  if (isUnavailable(load)) return { missing: `load test unavailable: ${load.unavailable}` }
  return { load }
}

/** The endpoint's load by name, or the overall load when `endpoint` is undefined. */
export function endpointOf(load: LoadPart, endpoint: string | undefined): EndpointLoad | undefined {
  if (endpoint === undefined) return load.overall
  return load.endpoints.find((e) => e.name === endpoint)
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

const decoded = new WeakMap<LoadWindow | EndpointLoad, Partial<Record<LatencyMetric, number>>>()

/** A percentile (ms) read from an HDR histogram in microseconds; undefined when it cannot be read. */
export function histogramPercentileMs(base64: string | undefined, percentile: number): number | undefined {
  if (typeof base64 !== 'string' || base64.length === 0) return undefined
  try {
    const h = decodeFromCompressedBase64(base64, 32, false)
    if (h.totalCount === 0) return undefined
    return h.getValueAtPercentile(percentile) / 1000
  } catch {
    return undefined
  }
}

function percentileOf(
  owner: LoadWindow | EndpointLoad,
  histogram: string | undefined,
  metric: LatencyMetric,
): number | undefined {
  let cache = decoded.get(owner)
  if (cache === undefined) {
    cache = {}
    decoded.set(owner, cache)
  }
  if (!(metric in cache)) cache[metric] = histogramPercentileMs(histogram, PERCENTILE[metric])
  return cache[metric]
}

/** Whole-run latency percentile: the recorded summary, else the endpoint's histogram. */
export function latencyValue(ep: EndpointLoad, metric: LatencyMetric): number | undefined {
  if (!(ep.count > 0)) return undefined
  const recorded = ep.duration?.[metric]
  if (finite(recorded)) return recorded
  return percentileOf(ep, ep.histogram, metric)
}

/** Per-window latency percentiles of windows with at least `minRequests` requests. */
export function latencyWindows(ep: EndpointLoad, metric: LatencyMetric, minRequests: number): number[] {
  const out: number[] = []
  for (const w of ep.windows ?? []) {
    if (!(w.count >= minRequests)) continue
    const recorded = metric === 'p99Ms' ? undefined : w[metric]
    const v = finite(recorded) ? recorded : percentileOf(w, w.histogram, metric)
    if (v !== undefined) out.push(v)
  }
  return out
}

const buckets = new WeakMap<LoadWindow, WindowHistogram | null>()

/** A window's latencies in ms as buckets, or null when its histogram cannot be read. */
function windowBuckets(w: LoadWindow): WindowHistogram | null {
  let out = buckets.get(w)
  if (out === undefined) {
    out = null
    try {
      if (typeof w.histogram === 'string' && w.histogram.length > 0) {
        const h = decodeFromCompressedBase64(w.histogram, 32, false)
        if (h.totalCount > 0) {
          const { values, counts } = histogramBuckets(h)
          out = { values: values.map((us) => us / 1000), counts }
        }
      }
    } catch {
      out = null
    }
    buckets.set(w, out)
  }
  return out
}

/** Per-window latency histograms (ms) of windows with at least `minRequests` requests. */
export function latencyWindowHistograms(ep: EndpointLoad, minRequests: number): WindowHistogram[] {
  const out: WindowHistogram[] = []
  for (const w of ep.windows ?? []) {
    if (!(w.count >= minRequests)) continue
    const h = windowBuckets(w)
    if (h) out.push(h)
  }
  return out
}

export function errorRateValue(ep: EndpointLoad): number | undefined {
  if (!(ep.count > 0)) return undefined
  if (finite(ep.errorRate)) return ep.errorRate
  return finite(ep.errors) ? ep.errors / ep.count : undefined
}

/** Failed requests and all requests of every window with a request. */
export function errorWindowProportions(ep: EndpointLoad): WindowProportion[] {
  const out: WindowProportion[] = []
  for (const w of ep.windows ?? []) {
    if (w.count > 0 && finite(w.errors)) out.push({ events: w.errors, total: w.count })
  }
  return out
}

export function rpsValue(ep: EndpointLoad, load: LoadPart): number | undefined {
  if (finite(ep.rps) && ep.count > 0) return ep.rps
  if (finite(ep.count) && load.durationS > 0) return ep.count / load.durationS
  return undefined
}

/**
 * Per-window request rates. Windows without a request are not in the record, so the gaps between
 * the start and the end of the load count as 0. The last window is usually cut short by the end
 * of the load: its rate uses its real length, and a window shorter than half the nominal length is
 * left out.
 */
export function rpsWindows(ep: EndpointLoad, load: LoadPart): number[] {
  const windowMs = (load.windowS > 0 ? load.windowS : 10) * 1000
  const counts = new Map<number, number>()
  for (const w of ep.windows ?? []) {
    if (finite(w.count) && finite(w.startMs)) counts.set(Math.round(w.startMs / windowMs), w.count)
  }
  const lastIndex = Math.max(-1, ...counts.keys())
  const endMs = load.durationS > 0 ? Math.max(load.durationS * 1000, 0) : (lastIndex + 1) * windowMs
  const out: number[] = []
  const n = Math.max(lastIndex + 1, Math.ceil(endMs / windowMs))
  for (let i = 0; i < n; i++) {
    const lengthMs = Math.min(windowMs, endMs - i * windowMs)
    if (!(lengthMs >= windowMs / 2)) continue
    out.push((counts.get(i) ?? 0) / (lengthMs / 1000))
  }
  return out
}
