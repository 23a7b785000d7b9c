// Reads k6's `--out json` NDJSON and hands on only the points perfgate aggregates.
//
// Why a hand-written scanner rather than JSON.parse per line: a 3-minute run at 100 VUs is
// ~14 points per request, and most lines (sending, receiving, data_sent, iteration_duration…)
// are thrown away. Parsing each line builds a nested object with ~12 tag strings only to read
// four fields; the scanner finds the metric name first, skips unwanted lines after one Map
// lookup, and for the rest slices time, value and the raw tags text (parsed once per distinct
// tag set by the aggregator). bench/aggregate.ts measures both side by side.
//
// The layout relied on is k6's Sample envelope, stable since v0.2x:
//   {"metric":"<name>","type":"Point","data":{"time":"<RFC3339>","value":<n>,"tags":{…}[,"metadata":{…}]}}
// Raw `"` never occurs inside a JSON string (it is escaped), so the quoted markers searched
// for below only ever match structure. Lines in any other layout fall back to JSON.parse.

export const TRACKED_METRICS = [
  'http_reqs',
  'http_req_duration',
  'http_req_waiting',
  'http_req_connecting',
  'http_req_blocked',
  'http_req_failed',
  'checks',
  'vus',
] as const
export type TrackedMetric = (typeof TRACKED_METRICS)[number]

export interface PointSink {
  /** `tagsText` is the raw JSON object text of the sample's tags (`{}` when none). */
  point(metric: TrackedMetric, timeMs: number, value: number, tagsText: string): void
}

const METRIC_BY_NAME = new Map<string, TrackedMetric>(TRACKED_METRICS.map((m) => [m, m]))
const POINT_PREFIX = '{"metric":"'
const TYPE_POINT = ',"type":"Point"'
const TIME_KEY = '"time":"'
const VALUE_KEY = '"value":'
const TAGS_KEY = '"tags":'
const METADATA_AFTER_TAGS = '},"metadata":'

export class K6JsonScanner {
  lines = 0
  points = 0
  malformed = 0
  private rest = ''
  private secondPrefix = '\u0000'
  private zone = ''
  private secondMs = 0

  constructor(private readonly sink: PointSink) {}

  /** Feeds a decoded text chunk; an unfinished last line waits for the next chunk. */
  push(chunk: string): void {
    let text = this.rest === '' ? chunk : this.rest + chunk
    let start = 0
    let nl = text.indexOf('\n', start)
    while (nl >= 0) {
      if (nl > start) this.line(text, start, nl)
      start = nl + 1
      nl = text.indexOf('\n', start)
    }
    this.rest = start < text.length ? text.slice(start) : ''
    text = ''
  }

  /**
   * Ends the input. Returns false when the last line was cut off (k6 killed mid-write):
   * that line is dropped rather than guessed at.
   */
  end(): boolean {
    const rest = this.rest.trim()
    this.rest = ''
    if (rest === '') return true
    try {
      JSON.parse(rest)
    } catch {
      this.malformed++
      return false
    }
    this.line(rest, 0, rest.length)
    return true
  }

  private line(text: string, start: number, end: number): void {
    this.lines++
    if (!text.startsWith(POINT_PREFIX, start)) {
      if (text.startsWith('{"type":"Metric"', start)) return
      this.slowLine(text.slice(start, end))
      return
    }
    const nameStart = start + POINT_PREFIX.length
    const nameEnd = text.indexOf('"', nameStart)
    if (nameEnd < 0 || nameEnd > end) return this.slowLine(text.slice(start, end))
    const metric = METRIC_BY_NAME.get(text.slice(nameStart, nameEnd))
    if (metric === undefined) return
    if (!text.startsWith(TYPE_POINT, nameEnd + 1)) return this.slowLine(text.slice(start, end))

    const timeStart = text.indexOf(TIME_KEY, nameEnd) + TIME_KEY.length
    const timeEnd = text.indexOf('"', timeStart)
    const valueStart = text.indexOf(VALUE_KEY, timeEnd) + VALUE_KEY.length
    const tagsKey = text.indexOf(TAGS_KEY, valueStart)
    if (timeStart < TIME_KEY.length || valueStart < VALUE_KEY.length || tagsKey < 0 || tagsKey > end) {
      return this.slowLine(text.slice(start, end))
    }
    const timeMs = this.parseTime(text, timeStart, timeEnd)
    const value = Number(text.slice(valueStart, text.lastIndexOf(',', tagsKey)))
    const tagsStart = tagsKey + TAGS_KEY.length
    let tagsText: string
    if (text.charCodeAt(tagsStart) !== 123 /* { */) {
      tagsText = '{}'
    } else {
      const metadata = text.indexOf(METADATA_AFTER_TAGS, tagsStart)
      // Without metadata the line ends with the tags' `}` followed by `}}`.
      const tagsEnd = metadata >= 0 && metadata < end ? metadata + 1 : end - 2
      tagsText = text.slice(tagsStart, tagsEnd)
    }
    if (Number.isNaN(timeMs) || Number.isNaN(value)) {
      this.malformed++
      return
    }
    this.points++
    this.sink.point(metric, timeMs, value, tagsText)
  }

  /** RFC 3339 with nanoseconds; Date.parse only once per distinct second (and zone). */
  private parseTime(text: string, start: number, end: number): number {
    // `2026-11-27T03:21:57` is 19 characters; then `.fraction` and the zone (`Z` or ±hh:mm).
    let pos = start + 19
    let micros = 0
    let digits = 0
    if (text.charCodeAt(pos) === 46 /* . */) {
      pos++
      for (let c = text.charCodeAt(pos); c >= 48 && c <= 57; c = text.charCodeAt(++pos)) {
        if (digits < 6) {
          micros = micros * 10 + (c - 48)
          digits++
        }
      }
      for (; digits < 6; digits++) micros *= 10
    }
    if (
      !text.startsWith(this.secondPrefix, start) ||
      !text.startsWith(this.zone, pos) ||
      end - pos !== this.zone.length
    ) {
      this.secondPrefix = text.slice(start, start + 19)
      this.zone = text.slice(pos, end)
      this.secondMs = Date.parse(this.secondPrefix + this.zone)
    }
    return this.secondMs + micros / 1000
  }

  /** Anything not in the usual layout: parse it properly. */
  private slowLine(line: string): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      this.malformed++
      return
    }
    const sample = parsed as {
      metric?: string
      type?: string
      data?: { time?: string; value?: number; tags?: unknown }
    }
    if (sample.type !== 'Point' || typeof sample.metric !== 'string') return
    const metric = METRIC_BY_NAME.get(sample.metric)
    if (metric === undefined || !sample.data) return
    const timeMs = Date.parse(sample.data.time ?? '')
    const value = Number(sample.data.value)
    if (Number.isNaN(timeMs) || Number.isNaN(value)) {
      this.malformed++
      return
    }
    this.points++
    this.sink.point(metric, timeMs, value, JSON.stringify(sample.data.tags ?? {}))
  }
}
