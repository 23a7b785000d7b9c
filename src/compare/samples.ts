// Reading a run's windows as the samples the noise tests use: latency histograms, error
// proportions and request rates per window. Whole-run values are in record/values.ts; a window's
// histogram is decoded once (record/histogram.ts memoises it per window object), so a baseline that
// is compared many times (the accuracy bench) is decoded once.
import { windowBuckets } from '../record/histogram.ts'
import type { EndpointLoad, LoadPart } from '../record/load.ts'
import type { WindowHistogram, WindowProportion } from './stats.ts'

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** Per-window latency histograms (ms) of windows with at least `minRequests` requests. */
export function latencyWindowHistograms(ep: EndpointLoad, minRequests: number): WindowHistogram[] {
  const out: WindowHistogram[] = []
  for (const w of ep.windows ?? []) {
    if (!(w.count >= minRequests)) continue
    const h = windowBuckets(w)
    if (h) out.push({ values: h.valuesMs, counts: h.counts })
  }
  return out
}

/** Failed requests and all requests of every window with a request. */
export function errorWindowProportions(ep: EndpointLoad): WindowProportion[] {
  const out: WindowProportion[] = []
  for (const w of ep.windows ?? []) {
    if (w.count > 0 && finite(w.errors)) out.push({ events: w.errors, total: w.count })
  }
  return out
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
