// Streams k6 points into per-endpoint and per-window histograms (bounded memory: one set of
// histograms per endpoint and window, whatever the number of points), then summarises them
// into the record's EndpointLoad shape.
//
// Why windows keep raw durations first: a 3-significant-digit HDR histogram is ~28 KB (7 168
// Int32 counts for latencies up to ~65 ms, more for longer ones), while a 2-second window of
// one endpoint usually holds a few dozen requests. An hour-long run of 8 endpoints is 14 400
// windows: 400 MB of mostly empty counts. A window therefore keeps its durations in a small
// Uint32Array and becomes a histogram only when it outgrows one (WINDOW_SAMPLES_MAX), so memory
// is never more than with histograms alone. Window histograms are built from the durations, in
// the order they came, when the result is summarised: the record is the same as if they had
// been histograms from the start (same precision, same encoding, shards still merge).
import type { Histogram } from 'hdr-histogram-js'
import type { EndpointSpec } from '../plan/types.ts'
import type { EndpointLoad, LoadWindow, VuSegment } from '../record/load.ts'
import {
  addMoment,
  emptyMoments,
  encodeHistogram,
  latencyStats,
  mergeMoments,
  msToMicros,
  newHistogram,
  interpolatedPercentiles,
  type ExactMoments,
} from '../record/histogram.ts'
import { addHistogram, nonZeroIndexes, recordValue, unionIndexes } from '../record/histogram-counts.ts'
import type { PointSink, TrackedMetric } from './k6-json-scanner.ts'
import { endpointResolver, type EndpointResolver, type SampleTags } from './routes.ts'
import { vuCurve } from './vu-curve.ts'

/**
 * Window length. Windows are the units the regression test shuffles (compare/), so they are short:
 * with 10-second windows a 90-second run has 9 units a side, too few to see a +25 % tail shift
 * when cache misses come in bursts; 2-second windows (45 a side) find it while A/A p-values stay
 * at their nominal rate (bench/README.md, "Gate accuracy").
 */
export const DEFAULT_WINDOW_S = 2
/** Beyond this many distinct endpoints (an un-normalisable URL space), the rest share one bucket. */
const MAX_ENDPOINTS = 200
const OTHER_ENDPOINT = 'other'
/** Distinct tag sets remembered; cleared when full (per-VU or per-iteration tags would grow it forever). */
const MAX_CACHED_TAG_SETS = 20_000
/** Durations a window keeps raw (16 KB) before it becomes a histogram (≥ 16 KB at 3 digits). */
const WINDOW_SAMPLES_MAX = 4096
const NO_SAMPLES = new Uint32Array(0)

export interface AggregateOptions {
  endpoints: EndpointSpec[]
  windowS?: number
  /** Load start (epoch ms) windows count from; default: the first sample's time. */
  startMs?: number
}

interface Phase {
  histogram: Histogram
  moments: ExactMoments
}

interface WindowAccumulator {
  count: number
  errors: number
  /** Durations in µs, `n` of them, while the window is small; see WINDOW_SAMPLES_MAX. */
  samples: Uint32Array
  n: number
  /** The durations once too many to keep raw. */
  histogram: Histogram | undefined
}

interface EndpointAccumulator {
  name: string
  count: number
  errors: number
  checksPass: number
  checksFail: number
  statuses: Map<string, number>
  duration: ExactMoments
  waiting: Phase
  connecting: Phase
  blocked: Phase
  /** Durations live only per window; totals are their sum (one record per sample). */
  windows: Map<number, WindowAccumulator>
  /** The window of the last point, which the next point is nearly always in. */
  lastIndex: number
  lastWindow: WindowAccumulator | undefined
}

interface TagInfo {
  /** undefined: setup()/teardown() traffic, not part of the load. */
  endpoint: EndpointAccumulator | undefined
  status: string
}

export interface AggregateResult {
  startMs: number
  endMs: number
  durationS: number
  windowS: number
  vusMax: number
  /** The `vus` metric as segments (run/vu-curve.ts), from the windows' anchor. */
  vusCurve: VuSegment[]
  points: number
  /** Set when more than MAX_ENDPOINTS undeclared endpoint names were seen: what happened to the rest. */
  foldedEndpoints?: string
  overall: EndpointLoad
  endpoints: EndpointLoad[]
}

export class LoadAggregator implements PointSink {
  points = 0
  private readonly windowMs: number
  private readonly resolve: EndpointResolver
  private readonly specs: EndpointSpec[]
  private readonly byName = new Map<string, EndpointAccumulator>()
  private readonly tagCache = new Map<string, TagInfo>()
  private readonly checkCache = new Map<string, string | undefined>()
  private overallChecksPass = 0
  private overallChecksFail = 0
  private startMs: number | undefined
  private firstMs = Number.POSITIVE_INFINITY
  private lastMs = Number.NEGATIVE_INFINITY
  private vusMax = 0
  /** k6's `vus` points, [time ms, VUs]: one a second, so a long run keeps a few thousand. */
  private readonly vusSamples: [number, number][] = []
  /** Declared endpoints always get their own bucket, however many undeclared names came first. */
  private readonly declared: Set<string>
  /** Whether some endpoint names went to the `other` bucket. */
  private folded = false

  constructor(options: AggregateOptions) {
    this.windowMs = (options.windowS ?? DEFAULT_WINDOW_S) * 1000
    this.specs = options.endpoints
    this.declared = new Set(options.endpoints.map((e) => e.name))
    this.resolve = endpointResolver(options.endpoints)
    this.startMs = options.startMs
  }

  /** Anchors the windows at `ms` unless they are anchored already (paired sides share one anchor). */
  startAt(ms: number): void {
    this.startMs ??= ms
  }

  point(metric: TrackedMetric, timeMs: number, value: number, tagsText: string): void {
    if (metric === 'vus') {
      if (value > this.vusMax) this.vusMax = value
      this.vusSamples.push([timeMs, value])
      return
    }
    if (metric === 'checks') return this.check(value, tagsText)
    let info = this.tagCache.get(tagsText)
    if (info === undefined) info = this.describe(tagsText)
    const acc = info.endpoint
    if (acc === undefined) return
    this.points++
    switch (metric) {
      case 'http_reqs': {
        acc.count += value
        acc.statuses.set(info.status, (acc.statuses.get(info.status) ?? 0) + value)
        this.windowOf(acc, timeMs).count += value
        if (timeMs < this.firstMs) this.firstMs = timeMs
        if (timeMs > this.lastMs) this.lastMs = timeMs
        return
      }
      case 'http_req_failed':
        if (value > 0) {
          acc.errors++
          this.windowOf(acc, timeMs).errors++
        }
        return
      case 'http_req_duration':
        addMoment(acc.duration, value)
        return addDuration(this.windowOf(acc, timeMs), msToMicros(value))
      case 'http_req_waiting':
        return record(acc.waiting, value)
      case 'http_req_connecting':
        return record(acc.connecting, value)
      case 'http_req_blocked':
        return record(acc.blocked, value)
    }
  }

  /**
   * k6 tags a check's sample with the check, group and scenario only, not with the request's tags:
   * a check counts for an endpoint only when the script tagged it (`endpoint`, or a `name` naming
   * a declared endpoint or matching its route). Endpoints none counted for get no check figure.
   */
  private check(value: number, tagsText: string): void {
    if (value > 0) this.overallChecksPass++
    else this.overallChecksFail++
    let endpoint = this.checkCache.get(tagsText)
    if (endpoint === undefined && !this.checkCache.has(tagsText)) {
      const tags = parseTags(tagsText)
      endpoint = isSetupOrTeardown(tags) ? undefined : this.checkEndpoint(tags)
      if (this.checkCache.size >= MAX_CACHED_TAG_SETS) this.checkCache.clear()
      this.checkCache.set(tagsText, endpoint)
    }
    if (endpoint === undefined) return
    const acc = this.accumulator(endpoint)
    if (value > 0) acc.checksPass++
    else acc.checksFail++
  }

  private checkEndpoint(tags: Record<string, string>): string | undefined {
    if (tags.endpoint) return tags.endpoint
    if (!tags.name) return undefined
    if (this.declared.has(tags.name)) return tags.name
    const byRoute = this.resolve({ name: tags.name, ...(tags.method ? { method: tags.method } : {}) })
    return this.declared.has(byRoute) ? byRoute : undefined
  }

  private describe(tagsText: string): TagInfo {
    const tags = parseTags(tagsText)
    const info: TagInfo = {
      endpoint: isSetupOrTeardown(tags) ? undefined : this.accumulator(this.resolve(tags as SampleTags)),
      status: tags.status ?? '',
    }
    if (this.tagCache.size >= MAX_CACHED_TAG_SETS) this.tagCache.clear()
    this.tagCache.set(tagsText, info)
    return info
  }

  /**
   * The accumulator of an endpoint name. Past MAX_ENDPOINTS undeclared names, new ones share the
   * `other` bucket (which itself is created once, whatever the count): their requests still count.
   */
  private accumulator(name: string): EndpointAccumulator {
    let acc = this.byName.get(name)
    if (acc !== undefined) return acc
    const full = this.byName.size >= MAX_ENDPOINTS + (this.byName.has(OTHER_ENDPOINT) ? 1 : 0)
    if (full && !this.declared.has(name)) {
      this.folded = true
      name = OTHER_ENDPOINT
      acc = this.byName.get(name)
      if (acc !== undefined) return acc
    }
    acc = emptyAccumulator(name)
    this.byName.set(name, acc)
    return acc
  }

  private windowOf(acc: EndpointAccumulator, timeMs: number): WindowAccumulator {
    if (this.startMs === undefined) this.startMs = timeMs
    const index = Math.max(0, Math.floor((timeMs - this.startMs) / this.windowMs))
    if (index === acc.lastIndex) return acc.lastWindow!
    let window = acc.windows.get(index)
    if (window === undefined) {
      window = { count: 0, errors: 0, samples: NO_SAMPLES, n: 0, histogram: undefined }
      acc.windows.set(index, window)
    }
    acc.lastIndex = index
    acc.lastWindow = window
    return window
  }

  /** Seconds of load seen so far (first window's anchor to the last request): cheap, for polling. */
  spanS(): number {
    if (!Number.isFinite(this.lastMs)) return 0
    return (this.lastMs - (this.startMs ?? this.firstMs)) / 1000
  }

  /** Summarises everything seen so far. */
  result(): AggregateResult {
    const startMs = this.startMs ?? (Number.isFinite(this.firstMs) ? this.firstMs : 0)
    const endMs = Number.isFinite(this.lastMs) ? this.lastMs : startMs
    const durationS = Math.max((endMs - startMs) / 1000, 0.001)
    const order = new Map(this.specs.map((s, i) => [s.name, i]))
    const accs = [...this.byName.values()]
      .filter((a) => a.count > 0 || a.checksPass + a.checksFail > 0)
      .sort(
        (a, b) =>
          (order.get(a.name) ?? Infinity) - (order.get(b.name) ?? Infinity) || a.name.localeCompare(b.name),
      )
    const overall = mergeAccumulators('overall', accs)
    overall.checksPass = this.overallChecksPass
    overall.checksFail = this.overallChecksFail
    // With checks in the run, an endpoint none was attributed to has an unknown count, not zero.
    const checksRan = this.overallChecksPass + this.overallChecksFail > 0
    const specByName = new Map(this.specs.map((s) => [s.name, s]))
    // The overall windows are the sum of the endpoints' windows (below), built one at a time.
    const overallWindows = new Map<number, WindowAccumulator[]>()
    for (const acc of accs) {
      for (const [index, w] of acc.windows) {
        const list = overallWindows.get(index)
        if (list) list.push(w)
        else overallWindows.set(index, [w])
      }
    }
    return {
      startMs,
      endMs,
      durationS,
      windowS: this.windowMs / 1000,
      vusMax: this.vusMax,
      vusCurve: vuCurve(this.vusSamples.map(([t, v]) => [t - startMs, v] as const)),
      points: this.points,
      ...(this.folded
        ? {
            foldedEndpoints: `more than ${MAX_ENDPOINTS} distinct endpoint names: the ones after the first ${MAX_ENDPOINTS} are counted together as "${OTHER_ENDPOINT}"`,
          }
        : {}),
      overall: summarise(overall, overallWindowsOf(overallWindows), durationS, this.windowMs, undefined),
      endpoints: accs.map((a) => {
        const load = summarise(a, windowsOf(a), durationS, this.windowMs, specByName.get(a.name))
        if (checksRan && a.checksPass + a.checksFail === 0) delete load.checks
        return load
      }),
    }
  }
}

function addDuration(w: WindowAccumulator, micros: number): void {
  if (w.histogram === undefined) {
    // Over 71 minutes does not fit in a Uint32: such a window is a histogram from then on.
    if (micros <= 0xffff_ffff) {
      if (w.n < w.samples.length) {
        w.samples[w.n++] = micros
        return
      }
      if (w.n < WINDOW_SAMPLES_MAX) {
        const grown = new Uint32Array(Math.max(64, w.n * 2))
        grown.set(w.samples)
        w.samples = grown
        w.samples[w.n++] = micros
        return
      }
    }
    w.histogram = windowHistogram(w)
    w.samples = NO_SAMPLES
    w.n = 0
  }
  recordValue(w.histogram, micros)
}

/** The window's durations as a histogram: its own once it has one, else a new one. */
function windowHistogram(w: WindowAccumulator): Histogram {
  if (w.histogram !== undefined) return w.histogram
  const h = newHistogram()
  if (w.n === 0) return h
  // The largest first: the histogram grows once to its final size instead of step by step
  // (the counts, the size and so the encoding do not depend on the order).
  let top = 0
  for (let i = 1; i < w.n; i++) if (w.samples[i]! > w.samples[top]!) top = i
  recordValue(h, w.samples[top]!)
  for (let i = 0; i < w.n; i++) if (i !== top) recordValue(h, w.samples[i]!)
  return h
}

/**
 * A window's histogram and the indexes of its non-zero counts: taken from its raw durations while
 * it has them, so summarising a small window never scans its whole counts array.
 */
interface BuiltWindow {
  histogram: Histogram
  nonZero: Int32Array | undefined
}

function builtWindow(w: WindowAccumulator): BuiltWindow {
  const histogram = windowHistogram(w)
  const raw = w.histogram === undefined
  return { histogram, nonZero: raw ? nonZeroIndexes(histogram, w.samples, w.n) : nonZeroIndexes(histogram) }
}

/** A window to summarise: its histogram is built only when it is its turn. */
interface WindowToSummarise {
  index: number
  count: number
  errors: number
  histogram: () => BuiltWindow
}

function windowsOf(acc: EndpointAccumulator): WindowToSummarise[] {
  return [...acc.windows.entries()].map(([index, w]) => ({
    index,
    count: w.count,
    errors: w.errors,
    histogram: () => builtWindow(w),
  }))
}

/** Each overall window sums the endpoints' histograms of that window, as if merged from records. */
function overallWindowsOf(byIndex: Map<number, WindowAccumulator[]>): WindowToSummarise[] {
  return [...byIndex.entries()].map(([index, ws]) => ({
    index,
    count: ws.reduce((n, w) => n + w.count, 0),
    errors: ws.reduce((n, w) => n + w.errors, 0),
    histogram: () => {
      const total = newHistogram()
      const lists: Int32Array[] = []
      for (const w of ws) {
        const built = builtWindow(w)
        addHistogram(total, built.histogram, built.nonZero)
        if (built.nonZero) lists.push(built.nonZero)
      }
      const complete = lists.length === ws.length
      return { histogram: total, nonZero: complete ? unionIndexes(lists) : nonZeroIndexes(total) }
    },
  }))
}

function newPhase(): Phase {
  return { histogram: newHistogram(), moments: emptyMoments() }
}

function record(phase: Phase, ms: number): void {
  addMoment(phase.moments, ms)
  recordValue(phase.histogram, msToMicros(ms))
}

function parseTags(tagsText: string): Record<string, string> {
  try {
    const tags: unknown = JSON.parse(tagsText)
    return tags && typeof tags === 'object' ? (tags as Record<string, string>) : {}
  } catch {
    return {}
  }
}

function isSetupOrTeardown(tags: Record<string, string>): boolean {
  const group = tags.group ?? ''
  return group.startsWith('::setup') || group.startsWith('::teardown')
}

function emptyAccumulator(name: string): EndpointAccumulator {
  return {
    name,
    count: 0,
    errors: 0,
    checksPass: 0,
    checksFail: 0,
    statuses: new Map(),
    duration: emptyMoments(),
    waiting: newPhase(),
    connecting: newPhase(),
    blocked: newPhase(),
    windows: new Map(),
    lastIndex: -1,
    lastWindow: undefined,
  }
}

function mergeAccumulators(name: string, accs: EndpointAccumulator[]): EndpointAccumulator {
  const total = emptyAccumulator(name)
  for (const acc of accs) {
    total.count += acc.count
    total.errors += acc.errors
    total.checksPass += acc.checksPass
    total.checksFail += acc.checksFail
    for (const [status, n] of acc.statuses) total.statuses.set(status, (total.statuses.get(status) ?? 0) + n)
    mergeMoments(total.duration, acc.duration)
    for (const key of ['waiting', 'connecting', 'blocked'] as const) {
      total[key].histogram.add(acc[key].histogram)
      mergeMoments(total[key].moments, acc[key].moments)
    }
  }
  return total
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

function windowPercentiles({ histogram, nonZero }: BuiltWindow): { p50Ms: number; p95Ms: number } {
  const [p50, p95] = interpolatedPercentiles(histogram, [0.5, 0.95], nonZero) as [number, number]
  return { p50Ms: round3(p50 / 1000), p95Ms: round3(p95 / 1000) }
}

function summarise(
  acc: EndpointAccumulator,
  accWindows: WindowToSummarise[],
  durationS: number,
  windowMs: number,
  spec: EndpointSpec | undefined,
): EndpointLoad {
  const duration = newHistogram()
  const windows: LoadWindow[] = accWindows
    .sort((a, b) => a.index - b.index)
    .map((w) => {
      const built = w.histogram()
      addHistogram(duration, built.histogram, built.nonZero)
      return {
        startMs: w.index * windowMs,
        count: w.count,
        errors: w.errors,
        ...windowPercentiles(built),
        histogram: encodeHistogram(built.histogram, built.nonZero),
      }
    })
  const statuses: Record<string, number> = {}
  for (const [status, n] of [...acc.statuses.entries()].sort(([a], [b]) => a.localeCompare(b)))
    statuses[status] = n
  return {
    name: acc.name,
    ...(spec ? { method: spec.method, route: spec.route } : {}),
    count: acc.count,
    rps: round3(acc.count / durationS),
    errors: acc.errors,
    errorRate: acc.count > 0 ? acc.errors / acc.count : 0,
    checks: { passes: acc.checksPass, fails: acc.checksFail },
    statuses,
    duration: latencyStats(duration, acc.duration),
    waiting: latencyStats(acc.waiting.histogram, acc.waiting.moments),
    connecting: latencyStats(acc.connecting.histogram, acc.connecting.moments),
    blocked: latencyStats(acc.blocked.histogram, acc.blocked.moments),
    histogram: encodeHistogram(duration),
    phaseHistograms: {
      waiting: encodeHistogram(acc.waiting.histogram),
      connecting: encodeHistogram(acc.connecting.histogram),
      blocked: encodeHistogram(acc.blocked.histogram),
    },
    windows,
  }
}
