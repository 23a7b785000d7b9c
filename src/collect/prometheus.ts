// Prometheus collector: scrapes `metrics-url` before and after the load (raw text kept beside
// result.json), samples gauges during it, and turns the two scrapes into deltas.
import type { CollectorsPlan, DependencySpec, MetricNames } from '../plan/types.ts'
import type {
  DependencyMetrics,
  PrometheusData,
  RouteMetrics,
  RuntimeDelta,
  RuntimeFigures,
} from '../record/collectors.ts'
import { get, looksLikeHtml, text } from './http.ts'
import {
  counterDelta,
  histogramDelta,
  histogramNames,
  histogramSeries,
  parsePrometheusText,
  samplesNamed,
  seriesKey,
  sumSeries,
  summariseSeconds,
  valueOf,
  type HistogramSeries,
  type ParsedMetrics,
} from './promtext.ts'
import { Unavailable, type Collector } from './types.ts'

/** Metric names of a Clipper-like target (client_golang defaults); perfgate.yml `collectors.metrics` overrides. */
export const METRIC_NAMES: MetricNames = {
  requests: 'http_requests_total',
  duration: 'http_request_duration_seconds',
  inFlight: 'http_in_flight_requests',
  // perfgate's own requests: the CPU profile alone would put a 10-s "route" in the table.
  excludeRoutes: ['/debug/pprof/*'],
}

/**
 * The names to read for this plan: the configured ones over the defaults, and the paths of
 * perfgate's own URLs (metrics, pprof, app stats) always excluded from the route table.
 */
function metricNamesFor(collectors: CollectorsPlan): MetricNames {
  const names = { ...METRIC_NAMES, ...collectors.metricNames }
  const own = [collectors.metricsUrl, ...collectors.appStatsUrls].flatMap((url) => pathOf(url) ?? [])
  const pprof = pathOf(collectors.pprofUrl)
  if (pprof) own.push(`${pprof.replace(/\/+$/, '')}/*`)
  return { ...names, excludeRoutes: [...new Set([...names.excludeRoutes, ...own])] }
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    return new URL(url).pathname
  } catch {
    return url.startsWith('/') ? url.split('?')[0] : undefined
  }
}

/** `/debug/pprof/*` matches `/debug/pprof/profile`; without `*` a pattern matches one path exactly. */
function excluded(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    )
    return re.test(path)
  })
}

const RUNTIME: [Exclude<keyof RuntimeFigures, 'goVersion'>, string][] = [
  ['goroutines', 'go_goroutines'],
  ['threads', 'go_threads'],
  ['gomaxprocs', 'go_sched_gomaxprocs_threads'],
  ['memoryLimitBytes', 'go_gc_gomemlimit_bytes'],
  ['heapAllocBytes', 'go_memstats_heap_alloc_bytes'],
  ['heapInuseBytes', 'go_memstats_heap_inuse_bytes'],
  ['heapObjectsCount', 'go_memstats_heap_objects'],
  ['rssBytes', 'process_resident_memory_bytes'],
  ['openFdsCount', 'process_open_fds'],
  ['cpuSeconds', 'process_cpu_seconds_total'],
  ['gcCount', 'go_gc_duration_seconds_count'],
  ['gcPauseSeconds', 'go_gc_duration_seconds_sum'],
  ['allocatedBytes', 'go_memstats_alloc_bytes_total'],
]

/** The runtime gauges and counters of one scrape, and the Go version from `go_info{version}`. */
export function runtimeFigures(parsed: ParsedMetrics): RuntimeFigures {
  const out: RuntimeFigures = {}
  const goVersion = samplesNamed(parsed, 'go_info').find((s) => s.labels.version)?.labels.version
  if (goVersion) out.goVersion = goVersion
  for (const [field, name] of RUNTIME) {
    const v = valueOf(parsed, name)
    if (v !== undefined && Number.isFinite(v)) out[field] = v
  }
  return out
}

/**
 * A parsed scrape, or Unavailable when the body is HTML, holds no samples, or is mostly lines
 * that are not the text format (then the few lines that happen to parse prove nothing: no figure,
 * and no claim about the backend, is built on them). Prometheus itself refuses a scrape with
 * any bad line; a few odd lines among many good ones are tolerated here.
 */
export function parseScrape(body: string, isHtml: boolean, url: string): ParsedMetrics {
  if (isHtml) throw new Unavailable(`${url} answered HTML, not the Prometheus text format: check metrics-url`)
  const parsed = parsePrometheusText(body)
  let samples = 0
  for (const f of parsed.families.values()) samples += f.samples.length
  if (parsed.badLines > 0 && parsed.badLines >= samples) {
    const example = (parsed.firstBadLine ?? '').replace(/[^\x20-\x7e]/g, '?')
    const shownLine = JSON.stringify(example.length > 40 ? `${example.slice(0, 37)}...` : example)
    throw new Unavailable(
      `${url} answered text that is not the Prometheus text format (${parsed.badLines} of ${parsed.badLines + samples} lines unparseable, e.g. ${shownLine}): check metrics-url`,
    )
  }
  if (samples === 0) throw new Unavailable(`${url} answered no Prometheus samples: check metrics-url`)
  return parsed
}

function matches(labels: Record<string, string>, wanted: Record<string, string> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([k, v]) => labels[k] === v)
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels)
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}` : ''
}

function deltaSeries(
  before: ParsedMetrics,
  after: ParsedMetrics,
  name: string,
  notes: string[],
): HistogramSeries[] {
  const prior = new Map(histogramSeries(before, name).map((s) => [seriesKey(s.labels), s]))
  return histogramSeries(after, name).map((s) => {
    const d = histogramDelta(prior.get(seriesKey(s.labels)), s)
    if (d.reset)
      notes.push(`${name}${labelText(s.labels)} went down between the scrapes (restart?): after value used`)
    return d
  })
}

export interface AnalyseOptions {
  dependencies: DependencySpec[]
  /** List other `*_duration_seconds` histograms whose count grew (default true). */
  discoverDependencies?: boolean
  intervalS: number
  /** Scrapes taken during the load (gauges only). */
  during: ParsedMetrics[]
  names?: MetricNames
}

const routeOf = (labels: Record<string, string>, names: MetricNames): string =>
  names.routeLabel !== undefined
    ? (labels[names.routeLabel] ?? '')
    : (labels.path ?? labels.route ?? labels.handler ?? '')

const methodOf = (labels: Record<string, string>, names: MetricNames): string =>
  labels[names.methodLabel ?? 'method'] ?? ''

const statusOf = (labels: Record<string, string>, names: MetricNames): string =>
  (names.statusLabel !== undefined ? labels[names.statusLabel] : (labels.status ?? labels.code)) ?? 'unknown'

/** Everything the part holds, from the before and after scrapes; pure. */
export function analyseScrapes(
  before: ParsedMetrics,
  after: ParsedMetrics,
  options: AnalyseOptions,
): Omit<PrometheusData, 'files'> {
  const names = options.names ?? METRIC_NAMES
  const notes: string[] = []

  // Request counter by {method, path} and status; perfgate's own routes left out.
  const excludedRoutes = new Set<string>()
  const statuses = new Map<string, Record<string, number>>()
  let requestsCount = 0
  const priorRequests = new Map(
    samplesNamed(before, names.requests).map((s) => [seriesKey(s.labels), s.value]),
  )
  for (const s of samplesNamed(after, names.requests)) {
    const { delta, reset } = counterDelta(priorRequests.get(seriesKey(s.labels)), s.value)
    if (reset) notes.push(`${names.requests}${labelText(s.labels)} went down between the scrapes (restart?)`)
    if (delta === 0) continue
    const route = routeOf(s.labels, names)
    if (excluded(route, names.excludeRoutes)) {
      excludedRoutes.add(route)
      continue
    }
    requestsCount += delta
    const key = seriesKey({ method: methodOf(s.labels, names), path: route })
    const byStatus = statuses.get(key) ?? {}
    const status = statusOf(s.labels, names)
    byStatus[status] = (byStatus[status] ?? 0) + delta
    statuses.set(key, byStatus)
  }
  if (samplesNamed(after, names.requests).length === 0) notes.push(`${names.requests} is not exposed`)

  // Request histogram per {method, path} (other labels summed).
  const routeSeries = new Map<string, HistogramSeries[]>()
  for (const d of deltaSeries(before, after, names.duration, notes)) {
    const labels = { method: methodOf(d.labels, names), path: routeOf(d.labels, names) }
    if (excluded(labels.path, names.excludeRoutes)) {
      excludedRoutes.add(labels.path)
      continue
    }
    const key = seriesKey(labels)
    routeSeries.set(key, [...(routeSeries.get(key) ?? []), { ...d, labels }])
  }
  if (histogramSeries(after, names.duration).length === 0) notes.push(`${names.duration} is not exposed`)
  const routes: RouteMetrics[] = []
  for (const [key, list] of routeSeries) {
    const summed = sumSeries(list, list[0]!.labels)
    if (summed.count === 0) continue
    routes.push({
      ...(summed.labels.method ? { method: summed.labels.method } : {}),
      path: summed.labels.path ?? '',
      ...summariseSeconds(summed),
      statuses: statuses.get(key) ?? {},
    })
  }
  routes.sort((a, b) => b.count - a.count)
  if (excludedRoutes.size > 0)
    notes.push(
      `left out of the route table (perfgate's own or excluded routes): ${[...excludedRoutes].sort().join(', ')}`,
    )

  // Gauges sampled around and during the load.
  const scrapes = [before, ...options.during, after]
  const maxOf = (name: string) => {
    const values = scrapes.map((p) => valueOf(p, name)).filter((v): v is number => v !== undefined)
    return values.length ? Math.max(...values) : undefined
  }
  const inFlightMax = maxOf(names.inFlight)
  const goroutinesMax = maxOf('go_goroutines')

  const rb = runtimeFigures(before)
  const ra = runtimeFigures(after)
  const runtimeDelta: RuntimeDelta = {}
  for (const field of ['cpuSeconds', 'gcCount', 'gcPauseSeconds', 'allocatedBytes'] as const) {
    if (ra[field] !== undefined)
      runtimeDelta[field] = Math.round(counterDelta(rb[field], ra[field]).delta * 1e6) / 1e6
  }
  if (runtimeDelta.cpuSeconds !== undefined && options.intervalS > 0)
    runtimeDelta.cpuCores = Math.round((runtimeDelta.cpuSeconds / options.intervalS) * 1000) / 1000

  // External dependencies: declared ones, then (by default) any other *_duration_seconds that grew.
  const dependencies: DependencyMetrics[] = []
  for (const dep of options.dependencies) {
    const list = deltaSeries(before, after, dep.metric, notes).filter((s) => matches(s.labels, dep.labels))
    if (list.length === 0) {
      notes.push(`dependency ${dep.name}: ${dep.metric}${labelText(dep.labels ?? {})} is not exposed`)
      continue
    }
    dependencies.push({
      name: dep.name,
      metric: dep.metric,
      labels: dep.labels ?? {},
      declared: true,
      ...summariseSeconds(sumSeries(list)),
    })
  }
  if (options.discoverDependencies ?? true) {
    const declared = new Set(options.dependencies.map((d) => d.metric))
    for (const name of histogramNames(after)) {
      if (name === names.duration || declared.has(name) || !name.endsWith('_duration_seconds')) continue
      for (const s of deltaSeries(before, after, name, notes)) {
        if (s.count <= 0) continue
        dependencies.push({
          name: `${name}${labelText(s.labels)}`,
          metric: name,
          labels: s.labels,
          declared: false,
          ...summariseSeconds(s),
        })
      }
    }
  }

  return {
    intervalS: Math.round(options.intervalS * 1000) / 1000,
    requestsCount,
    routes,
    ...(inFlightMax !== undefined ? { inFlightMax } : {}),
    samplesCount: options.during.length,
    runtime: { before: rb, after: ra, ...(goroutinesMax !== undefined ? { goroutinesMax } : {}) },
    runtimeDelta,
    dependencies,
    notes: [...new Set(notes)],
  }
}

/** Only the gauges of a scrape taken during the load, to keep memory flat. */
function gaugesOnly(parsed: ParsedMetrics, keep: string[]): ParsedMetrics {
  const families = new Map([...parsed.families].filter(([name]) => keep.includes(name)))
  return { families, badLines: 0 }
}

/** The in-flight gauge's level: the sum of its series (one per handler on some targets). */
function inFlightLevel(parsed: ParsedMetrics, name: string): number | undefined {
  const samples = samplesNamed(parsed, name).filter((s) => Number.isFinite(s.value))
  return samples.length > 0 ? samples.reduce((sum, s) => sum + s.value, 0) : undefined
}

export function createPrometheusCollector(url: string): Collector<PrometheusData> {
  let before: ParsedMetrics | undefined
  let after: ParsedMetrics | undefined
  let beforeAt = 0
  let afterAt = 0
  const during: ParsedMetrics[] = []
  const files: string[] = []
  let dependencies: DependencySpec[] = []
  let names = METRIC_NAMES
  const headers = { Accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' }

  return {
    name: 'prometheus',
    async before(ctx) {
      dependencies = ctx.plan.collectors.dependencies
      names = metricNamesFor(ctx.plan.collectors)
      const fetched = await get(ctx, url, headers)
      const body = text(fetched)
      before = parseScrape(body, looksLikeHtml(fetched), 'metrics-url')
      beforeAt = ctx.deps.now()
      files.push(await ctx.writeFile('metrics_before.txt', body))
    },
    async sample(ctx) {
      const fetched = await get(ctx, url, headers).catch(() => undefined)
      if (!fetched || looksLikeHtml(fetched)) return
      during.push(gaugesOnly(parsePrometheusText(text(fetched)), [names.inFlight, 'go_goroutines']))
    },
    // The adaptive cool-down waits for in-flight requests to return to their level before the load;
    // a target without the gauge gives no reading, and the cool-down watches the rest.
    async settleReading(ctx) {
      const fetched = await get(ctx, url, headers).catch(() => undefined)
      if (!fetched || looksLikeHtml(fetched)) return undefined
      const value = inFlightLevel(parsePrometheusText(text(fetched)), names.inFlight)
      if (value === undefined) return undefined
      const levelBefore = before ? inFlightLevel(before, names.inFlight) : undefined
      return {
        what: `in-flight requests (${names.inFlight})`,
        value,
        ...(levelBefore !== undefined ? { before: levelBefore } : {}),
      }
    },
    async after(ctx) {
      const fetched = await get(ctx, url, headers)
      const body = text(fetched)
      after = parseScrape(body, looksLikeHtml(fetched), 'metrics-url')
      afterAt = ctx.deps.now()
      files.push(await ctx.writeFile('metrics_after.txt', body))
    },
    result() {
      if (!before || !after) throw new Unavailable('metrics-url was not scraped before and after the load')
      return {
        files,
        ...analyseScrapes(before, after, {
          dependencies,
          intervalS: (afterAt - beforeAt) / 1000,
          during,
          names,
        }),
      }
    },
  }
}
