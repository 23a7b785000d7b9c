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

import { isAscii } from 'node:buffer'

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

const EMPTY = Buffer.alloc(0)
const decode = (bytes: Buffer) => (isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8'))
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
  private restBytes: Buffer = EMPTY
  private secondPrefix = '\u0000'
  private zone = ''
  private secondMs = 0

  constructor(private readonly sink: PointSink) {}

  /** Feeds a decoded text chunk; an unfinished last line waits for the next chunk. */
  push(chunk: string): void {
    let start = 0
    if (this.rest !== '') {
      const nl = chunk.indexOf('\n')
      if (nl < 0) {
        this.rest += chunk
        return
      }
      const first = this.rest + chunk.slice(0, nl)
      this.rest = ''
      this.line(first)
      start = nl + 1
    }
    let nl = chunk.indexOf('\n', start)
    while (nl >= 0) {
      // A sliced string shares the chunk's memory; searches below then stop at the line's end.
      if (nl > start) this.line(chunk.slice(start, nl))
      start = nl + 1
      nl = chunk.indexOf('\n', start)
    }
    if (start < chunk.length) this.rest = chunk.slice(start)
  }

  /**
   * Feeds raw bytes. Only whole lines are decoded (a line never splits a UTF-8 character), and
   * ASCII — nearly all k6 output — is decoded as latin1, several times faster than UTF-8.
   */
  pushBytes(chunk: Buffer): void {
    let from = 0
    if (this.restBytes.length) {
      // Only the line split across chunks is copied, not the whole chunk.
      const nl = chunk.indexOf(10)
      if (nl < 0) {
        this.restBytes = Buffer.concat([this.restBytes, chunk])
        return
      }
      this.push(decode(Buffer.concat([this.restBytes, chunk.subarray(0, nl + 1)])))
      from = nl + 1
    }
    const last = chunk.lastIndexOf(10)
    if (last < from) {
      this.restBytes = Buffer.from(chunk.subarray(from))
      return
    }
    this.push(decode(chunk.subarray(from, last + 1)))
    this.restBytes = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : EMPTY
  }

  /**
   * Ends the input. Returns false when the last line was cut off (k6 killed mid-write):
   * that line is dropped rather than guessed at.
   */
  end(): boolean {
    if (this.restBytes.length) this.push(this.restBytes.toString('utf8'))
    this.restBytes = EMPTY
    const rest = this.rest.trim()
    this.rest = ''
    if (rest === '') return true
    try {
      JSON.parse(rest)
    } catch {
      this.malformed++
      return false
    }
    this.line(rest)
    return true
  }

  private line(line: string): void {
    this.lines++
    if (!line.startsWith(POINT_PREFIX)) {
      if (!line.startsWith('{"type":"Metric"')) this.slowLine(line)
      return
    }
    const nameEnd = line.indexOf('"', POINT_PREFIX.length)
    if (nameEnd < 0) return this.slowLine(line)
    const metric = METRIC_BY_NAME.get(line.slice(POINT_PREFIX.length, nameEnd))
    if (metric === undefined) return
    if (!line.startsWith(TYPE_POINT, nameEnd + 1)) return this.slowLine(line)

    const timeStart = line.indexOf(TIME_KEY, nameEnd) + TIME_KEY.length
    const timeEnd = line.indexOf('"', timeStart)
    const valueStart = line.indexOf(VALUE_KEY, timeEnd) + VALUE_KEY.length
    const tagsKey = line.indexOf(TAGS_KEY, valueStart)
    if (timeStart < TIME_KEY.length || timeEnd < 0 || valueStart < VALUE_KEY.length || tagsKey < 0) {
      return this.slowLine(line)
    }
    const timeMs = this.parseTime(line, timeStart, timeEnd)
    const value = Number(line.slice(valueStart, line.lastIndexOf(',', tagsKey)))
    const tagsStart = tagsKey + TAGS_KEY.length
    let tagsText: string
    if (line.charCodeAt(tagsStart) !== 123 /* { */) {
      tagsText = '{}'
    } else {
      const metadata = line.indexOf(METADATA_AFTER_TAGS, tagsStart)
      // Without metadata the line ends with the tags' `}` followed by `}}`.
      tagsText = line.slice(tagsStart, metadata >= 0 ? metadata + 1 : line.length - 2)
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
