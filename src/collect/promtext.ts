// Prometheus text exposition format: parse, group histograms by series, delta two scrapes and
// compute quantiles as PromQL's histogram_quantile does. Pure functions.
//
// Why not a library: `parse-prometheus-text-format` (the usual npm choice, last released 2020)
// folds all series of a histogram into one bucket map (`flattenMetrics` returns a single object),
// so `http_request_duration_seconds{path="/a"}` and `{path="/b"}` overwrite each other's buckets,
// and it throws on the first line it does not know (OpenMetrics exemplars, `# EOF`). The format
// is small; this parser keeps every series apart and skips what it cannot read, counting it.

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'gaugehistogram' | 'info'

export type Labels = Record<string, string>

export interface Sample {
  name: string
  labels: Labels
  value: number
}

export interface MetricFamily {
  name: string
  type: MetricType
  help?: string
  samples: Sample[]
}

export interface ParsedMetrics {
  families: Map<string, MetricFamily>
  /** Lines that were neither comments nor readable samples. */
  badLines: number
  /** The first of them, to show in an error. */
  firstBadLine?: string
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const SUFFIXES: [string, MetricType[]][] = [
  ['_bucket', ['histogram', 'gaugehistogram']],
  ['_count', ['histogram', 'summary']],
  ['_sum', ['histogram', 'summary']],
  ['_gcount', ['gaugehistogram']],
  ['_gsum', ['gaugehistogram']],
  ['_created', ['histogram', 'summary', 'counter']],
  ['_total', ['counter']],
  ['_info', ['info']],
]

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Infinity
    case '-Inf':
      return -Infinity
    case 'NaN':
      return NaN
  }
  // Number('') is 0 and Number('0x10') is 16: neither is a Prometheus value.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return NaN
  return Number(text)
}

/** Reads a quoted string starting at `i` (on the quote); returns the unescaped text and the index after it. */
function readQuoted(line: string, i: number): [string, number] | undefined {
  let out = ''
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j]!
    if (c === '\\') {
      const next = line[j + 1]
      out += next === 'n' ? '\n' : (next ?? '')
      j++
    } else if (c === '"') return [out, j + 1]
    else out += c
  }
  return undefined
}

/** Parses `{a="b",c="d"}` from index i (on `{`); a quoted name without `=` (UTF-8 names) is returned apart. */
function readLabels(line: string, i: number): { labels: Labels; name?: string; end: number } | undefined {
  const labels: Labels = {}
  let name: string | undefined
  let j = i + 1
  for (;;) {
    while (line[j] === ' ' || line[j] === ',') j++
    if (line[j] === '}') return { labels, name, end: j + 1 }
    let key: string
    if (line[j] === '"') {
      const quoted = readQuoted(line, j)
      if (!quoted) return undefined
      ;[key, j] = quoted
      while (line[j] === ' ') j++
      if (line[j] !== '=') {
        name = key
        continue
      }
    } else {
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(j))
      if (!m) return undefined
      key = m[0]
      j += key.length
      while (line[j] === ' ') j++
    }
    if (line[j] !== '=') return undefined
    j++
    while (line[j] === ' ') j++
    if (line[j] !== '"') return undefined
    const value = readQuoted(line, j)
    if (!value) return undefined
    labels[key] = value[0]
    j = value[1]
  }
}

/** One sample line, or undefined when it cannot be read. */
export function parseSampleLine(line: string): Sample | undefined {
  let name: string | undefined
  let labels: Labels = {}
  let i = 0
  const m = NAME.exec(line)
  if (m) {
    name = m[0]
    i = name.length
  }
  if (line[i] === '{') {
    const read = readLabels(line, i)
    if (!read) return undefined
    labels = read.labels
    name = name ?? read.name
    i = read.end
  }
  if (!name) return undefined
  // Value, then an optional timestamp and an optional OpenMetrics exemplar (` # {...} v`).
  const rest = line.slice(i).trim().split(/\s+/)
  if (rest.length === 0 || rest[0] === '') return undefined
  const value = parseValue(rest[0]!)
  if (Number.isNaN(value) && rest[0] !== 'NaN') return undefined
  return { name, labels, value }
}

/** Parses a scrape in the Prometheus text format (0.0.4) or OpenMetrics text. */
export function parsePrometheusText(text: string): ParsedMetrics {
  const families = new Map<string, MetricFamily>()
  let badLines = 0
  let firstBadLine: string | undefined
  const family = (name: string): MetricFamily => {
    let f = families.get(name)
    if (!f) {
      f = { name, type: 'untyped', samples: [] }
      families.set(name, f)
    }
    return f
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (line.startsWith('#')) {
      const meta = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line)
      if (!meta) continue
      const [, kind, name, rest] = meta
      const f = family(name!)
      if (kind === 'TYPE') f.type = (rest ?? 'untyped').trim().toLowerCase() as MetricType
      else f.help = rest ?? ''
      continue
    }
    const sample = parseSampleLine(line)
    if (!sample) {
      badLines++
      firstBadLine ??= line
      continue
    }
    family(familyOf(families, sample.name)).samples.push(sample)
  }
  for (const [name, f] of families)
    if (f.samples.length === 0 && f.help === undefined && f.type === 'untyped') families.delete(name)
  return { families, badLines, ...(firstBadLine !== undefined ? { firstBadLine } : {}) }
}

function familyOf(families: Map<string, MetricFamily>, sampleName: string): string {
  const exact = families.get(sampleName)
  if (exact && exact.type !== 'untyped') return sampleName
  for (const [suffix, types] of SUFFIXES) {
    if (!sampleName.endsWith(suffix)) continue
    const base = families.get(sampleName.slice(0, -suffix.length))
    if (base && types.includes(base.type)) return base.name
  }
  return sampleName
}

/** A stable key for a label set (sorted), `le` and `quantile` left out when asked. */
export function seriesKey(labels: Labels, omit: string[] = []): string {
  return JSON.stringify(
    Object.keys(labels)
      .filter((k) => !omit.includes(k))
      .sort()
      .map((k) => [k, labels[k]]),
  )
}

export function without(labels: Labels, omit: string[]): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !omit.includes(k)))
}

export interface Bucket {
  /** Upper bound; Infinity for `+Inf`. */
  le: number
  /** Cumulative count. */
  count: number
}

export interface HistogramSeries {
  labels: Labels
  buckets: Bucket[]
  count: number
  sum: number
}

/** The series of a histogram family, one per label set (without `le`), buckets sorted. */
export function histogramSeries(parsed: ParsedMetrics, name: string): HistogramSeries[] {
  const f = parsed.families.get(name)
  if (!f) return []
  const byKey = new Map<string, HistogramSeries>()
  const get = (labels: Labels) => {
    const key = seriesKey(labels, ['le'])
    let s = byKey.get(key)
    if (!s) {
      s = { labels: without(labels, ['le']), buckets: [], count: NaN, sum: NaN }
      byKey.set(key, s)
    }
    return s
  }
  for (const sample of f.samples) {
    if (sample.name === `${name}_bucket` && sample.labels.le !== undefined) {
      get(sample.labels).buckets.push({ le: parseValue(sample.labels.le), count: sample.value })
    } else if (sample.name === `${name}_count`) get(sample.labels).count = sample.value
    else if (sample.name === `${name}_sum`) get(sample.labels).sum = sample.value
  }
  for (const s of byKey.values()) {
    s.buckets.sort((a, b) => a.le - b.le)
    if (Number.isNaN(s.count)) s.count = s.buckets.find((b) => b.le === Infinity)?.count ?? 0
    if (Number.isNaN(s.sum)) s.sum = 0
  }
  return [...byKey.values()]
}

/** Names of the histogram families in a scrape. */
export function histogramNames(parsed: ParsedMetrics): string[] {
  return [...parsed.families.values()].filter((f) => f.type === 'histogram').map((f) => f.name)
}

/** The samples of one metric name (e.g. `http_requests_total`), whatever family they are in. */
export function samplesNamed(parsed: ParsedMetrics, name: string): Sample[] {
  const out: Sample[] = []
  for (const f of parsed.families.values()) for (const s of f.samples) if (s.name === name) out.push(s)
  return out
}

/** The value of an unlabelled (or first) sample of a metric, if present. */
export function valueOf(parsed: ParsedMetrics, name: string, labels?: Labels): number | undefined {
  const samples = samplesNamed(parsed, name)
  const match = labels ? samples.find((s) => seriesKey(s.labels) === seriesKey(labels)) : samples[0]
  return match?.value
}

/**
 * Growth of a counter between two scrapes. A smaller value after means the process restarted
 * (counter reset): the after value is then the growth, as PromQL's increase() assumes.
 */
export function counterDelta(before: number | undefined, after: number): { delta: number; reset: boolean } {
  const b = before ?? 0
  return after < b ? { delta: after, reset: true } : { delta: after - b, reset: false }
}

/** Bucket-wise growth of a histogram series; a reset (count went down) takes the after series whole. */
export function histogramDelta(
  before: HistogramSeries | undefined,
  after: HistogramSeries,
): HistogramSeries & { reset: boolean } {
  if (!before) return { ...after, reset: false }
  if (after.count < before.count) return { ...after, reset: true }
  const prior = new Map(before.buckets.map((b) => [b.le, b.count]))
  return {
    labels: after.labels,
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prior.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
    reset: false,
  }
}

/** Sum of series bucket-wise by `le` (like `sum by (le) (...)`). */
export function sumSeries(series: HistogramSeries[], labels: Labels = {}): HistogramSeries {
  const byLe = new Map<number, number>()
  let count = 0
  let sum = 0
  for (const s of series) {
    for (const b of s.buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count)
    count += s.count
    sum += s.sum
  }
  const buckets = [...byLe.entries()].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le)
  return { labels, buckets, count, sum }
}

/**
 * The q-quantile of classic histogram buckets, as Prometheus's histogram_quantile computes it:
 * linear interpolation inside the bucket the rank falls in, the lowest bucket starting at 0
 * (unless its upper bound is ≤ 0), the `+Inf` bucket answering the highest finite bound, NaN
 * without a `+Inf` bucket or without observations. Non-monotonic counts are made monotonic.
 */
export function histogramQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN
  if (q < 0) return -Infinity
  if (q > 1) return Infinity
  const buckets = [...input].sort((a, b) => a.le - b.le)
  // Coalesce equal bounds, as Prometheus does.
  const merged: Bucket[] = []
  for (const b of buckets) {
    const last = merged[merged.length - 1]
    if (last && last.le === b.le) last.count += b.count
    else merged.push({ ...b })
  }
  if (merged.length < 2 || merged[merged.length - 1]!.le !== Infinity) return NaN
  for (let i = 1; i < merged.length; i++)
    if (merged[i]!.count < merged[i - 1]!.count) merged[i]!.count = merged[i - 1]!.count
  const observations = merged[merged.length - 1]!.count
  if (observations === 0) return NaN
  let rank = q * observations
  let b = merged.findIndex((bucket) => bucket.count >= rank)
  if (b === -1) b = merged.length - 1
  if (b === merged.length - 1) return merged[merged.length - 2]!.le
  if (b === 0 && merged[0]!.le <= 0) return merged[0]!.le
  let bucketStart = 0
  const bucketEnd = merged[b]!.le
  let count = merged[b]!.count
  if (b > 0) {
    bucketStart = merged[b - 1]!.le
    count -= merged[b - 1]!.count
    rank -= merged[b - 1]!.count
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count)
}

const ms = (seconds: number): number | undefined =>
  Number.isFinite(seconds) ? Math.round(seconds * 1000 * 1000) / 1000 : undefined

/** count, sum, mean and p50/p95/p99 in milliseconds of a (delta) series in seconds. */
export function summariseSeconds(s: HistogramSeries): {
  count: number
  sumSeconds: number
  meanMs?: number
  p50Ms?: number
  p95Ms?: number
  p99Ms?: number
} {
  const out: ReturnType<typeof summariseSeconds> = {
    count: s.count,
    sumSeconds: Math.round(s.sum * 1e6) / 1e6,
  }
  if (s.count > 0) {
    const mean = ms(s.sum / s.count)
    const p50 = ms(histogramQuantile(0.5, s.buckets))
    const p95 = ms(histogramQuantile(0.95, s.buckets))
    const p99 = ms(histogramQuantile(0.99, s.buckets))
    if (mean !== undefined) out.meanMs = mean
    if (p50 !== undefined) out.p50Ms = p50
    if (p95 !== undefined) out.p95Ms = p95
    if (p99 !== undefined) out.p99Ms = p99
  }
  return out
}
