// Reads k6's `--out json` NDJSON and hands on only the points perfgate aggregates.
//
// Why a hand-written scanner rather than JSON.parse per line: a 3-minute run at 100 VUs is
// ~14 points per request, and most lines (sending, receiving, data_sent, iteration_duration…)
// are thrown away. Parsing each line builds a nested object with ~12 tag strings only to read
// four fields. bench/aggregate.ts measures both side by side.
//
// Why it scans bytes rather than decoded text: decoding every chunk to a string (and checking it
// is ASCII first) cost as much as the scanning itself, and tag strings sliced from a chunk kept
// the whole chunk alive in the aggregator's tag cache. Here a line is never decoded: the metric
// name is matched byte by byte and unwanted lines are dropped at once; time and value are parsed
// from their digits; the tags text is compared with the previous line's (the points of one
// request are written together with the same tags) and only decoded when it differs.
//
// The layout relied on is k6's Sample envelope, stable since v0.2x:
//   {"metric":"<name>","type":"Point","data":{"time":"<RFC3339>","value":<n>,"tags":{…}[,"metadata":{…}]}}
// Raw `"` never occurs inside a JSON string (it is escaped), and bytes of multi-byte UTF-8
// characters are all ≥ 0x80, so the ASCII markers checked below only ever match structure.
// Lines in any other layout fall back to JSON.parse.

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
const METRIC_BY_NAME = new Map<string, TrackedMetric>(TRACKED_METRICS.map((m) => [m, m]))
/** Tracked names by byte length, matched without decoding. */
const NAMES_BY_LENGTH: { bytes: Buffer; metric: TrackedMetric }[][] = []
for (const metric of TRACKED_METRICS)
  (NAMES_BY_LENGTH[metric.length] ??= []).push({ metric, bytes: Buffer.from(metric) })

const ascii = (s: string) => Buffer.from(s, 'latin1')
const POINT_PREFIX = ascii('{"metric":"')
const METRIC_HEADER = ascii('{"type":"Metric"')
const AFTER_NAME = ascii('","type":"Point","data":{"time":"')
const VALUE_KEY = ascii(',"value":')
const TAGS_KEY = ascii('"tags":')
const NULL = ascii('null')
const METADATA_KEY = ascii(',"metadata":')
/** 10^k for the exact fast path of number parsing (exact as doubles up to 10^22). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k)
const MAX_EXACT_DIGITS = 15

const C_QUOTE = 34
const C_BACKSLASH = 92
const C_LBRACE = 123
const C_RBRACE = 125
const C_COMMA = 44
const C_DOT = 46
const C_MINUS = 45
const C_PLUS = 43
const C_0 = 48
const C_NL = 10
const C_CR = 13

/** True when `bytes` occurs in `buf` at `at` (`at + bytes.length` must be within the line). */
function matches(buf: Buffer, at: number, bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false
  return true
}

interface KnownTags {
  bytes: Buffer
  text: string
}

/** Distinct tag sets the scanner remembers (per-VU or per-URL tags would grow them forever). */
const MAX_KNOWN_TAGS = 4096
const MAX_TAGS_PER_FINGERPRINT = 8

/**
 * Length and 8 bytes spread over the text: cheap, and enough to tell apart the few dozen tag sets
 * of a run (endpoint, status…); equal fingerprints are told apart by comparing the bytes.
 */
function fingerprintOf(buf: Buffer, at: number, to: number): number {
  const length = to - at
  let h = length
  for (let k = 1; k <= 8; k++) h = (Math.imul(h, 31) + buf[at + (((length - 1) * k) >> 3)]!) | 0
  return h
}

/** After the tags object: the line's closing `}}`, or the sample's metadata. */
function endsObject(buf: Buffer, at: number, end: number): boolean {
  return at === end - 2 ? buf[at] === C_RBRACE && buf[at + 1] === C_RBRACE : matches(buf, at, METADATA_KEY)
}

/** Value of the two decimal digits at `at`, or -1. */
function twoDigits(buf: Buffer, at: number): number {
  const a = buf[at]! - C_0
  const b = buf[at + 1]! - C_0
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

export class K6JsonScanner {
  lines = 0
  points = 0
  malformed = 0
  /** An unfinished last line, waiting for the rest of it in the next chunk. */
  private rest: Buffer = EMPTY
  /** Tag sets seen, by fingerprint (see tags()), and the one of the previous point. */
  private known = new Map<number, KnownTags[]>()
  private knownCount = 0
  private lastTags: KnownTags = { bytes: EMPTY, text: '{}' }
  /** Date part (yyyymmdd) of the previous timestamp, and that day's midnight UTC. */
  private dayKey = -1
  private dayMs = 0
  /** Set by parseTime and parseValue: where the field ended. */
  private fieldEnd = 0

  constructor(private readonly sink: PointSink) {}

  /** Feeds text; an unfinished last line waits for the next chunk. */
  push(chunk: string): void {
    this.pushBytes(Buffer.from(chunk, 'utf8'))
  }

  /** Feeds raw bytes; an unfinished last line waits for the next chunk. */
  pushBytes(chunk: Buffer): void {
    let from = 0
    if (this.rest.length) {
      // Only the line split across chunks is copied, not the whole chunk.
      const nl = chunk.indexOf(C_NL)
      if (nl < 0) {
        this.rest = Buffer.concat([this.rest, chunk])
        return
      }
      const line = Buffer.concat([this.rest, chunk.subarray(0, nl)])
      this.rest = EMPTY
      this.line(line, 0, line.length)
      from = nl + 1
    }
    let nl = chunk.indexOf(C_NL, from)
    while (nl >= 0) {
      if (nl > from) this.line(chunk, from, nl)
      from = nl + 1
      nl = chunk.indexOf(C_NL, from)
    }
    if (from < chunk.length) this.rest = Buffer.from(chunk.subarray(from))
  }

  /**
   * Ends the input. Returns false when the last line was cut off (k6 killed mid-write):
   * that line is dropped rather than guessed at.
   */
  end(): boolean {
    const rest = this.rest.toString('utf8').trim()
    this.rest = EMPTY
    if (rest === '') return true
    try {
      JSON.parse(rest)
    } catch {
      this.malformed++
      return false
    }
    const line = Buffer.from(rest, 'utf8')
    this.line(line, 0, line.length)
    return true
  }

  /** The line is `buf[start, end)`, without its newline. */
  private line(buf: Buffer, start: number, end: number): void {
    this.lines++
    // A CRLF file (written on Windows, or edited): the line is the same without its CR.
    if (end > start && buf[end - 1] === C_CR) end--
    if (end - start < POINT_PREFIX.length + AFTER_NAME.length || !matches(buf, start, POINT_PREFIX)) {
      // `{"type":"Metric"…` headers describe metrics; nothing to aggregate.
      if (end - start < METRIC_HEADER.length || !matches(buf, start, METRIC_HEADER))
        this.slowLine(buf, start, end)
      return
    }
    const nameStart = start + POINT_PREFIX.length
    let nameEnd = nameStart
    while (nameEnd < end && buf[nameEnd] !== C_QUOTE) nameEnd++
    const candidates = NAMES_BY_LENGTH[nameEnd - nameStart]
    if (candidates === undefined) return
    let metric: TrackedMetric | undefined
    for (const c of candidates) {
      if (matches(buf, nameStart, c.bytes)) {
        metric = c.metric
        break
      }
    }
    if (metric === undefined) return
    if (nameEnd + AFTER_NAME.length > end || !matches(buf, nameEnd, AFTER_NAME))
      return this.slowLine(buf, start, end)

    const timeMs = this.parseTime(buf, nameEnd + AFTER_NAME.length, end)
    let pos = this.fieldEnd
    if (timeMs < 0 || pos + VALUE_KEY.length > end || !matches(buf, pos, VALUE_KEY))
      return this.slowLine(buf, start, end)
    const value = this.parseValue(buf, pos + VALUE_KEY.length, end)
    pos = this.fieldEnd + 1 // past the comma
    if (pos + TAGS_KEY.length > end || !matches(buf, pos, TAGS_KEY)) return this.slowLine(buf, start, end)
    const tagsText = this.tags(buf, pos + TAGS_KEY.length, end)
    if (tagsText === undefined) return this.slowLine(buf, start, end)
    if (Number.isNaN(value)) {
      this.malformed++
      return
    }
    this.points++
    this.sink.point(metric, timeMs, value, tagsText)
  }

  /**
   * RFC 3339 with up to nanoseconds (`2026-11-27T03:21:57.123456789Z` or `…+02:00`), parsed from
   * its digits rather than decoded for Date.parse: no string is built per line, and only a new day
   * costs a Date.UTC. Returns -1 when the text is not in that form; otherwise epoch ms with
   * microseconds as the fraction, and the position after the closing quote in `fieldEnd`.
   */
  private parseTime(buf: Buffer, at: number, end: number): number {
    if (at + 21 > end) return -1
    const y1 = twoDigits(buf, at)
    const y2 = twoDigits(buf, at + 2)
    const mo = twoDigits(buf, at + 5)
    const d = twoDigits(buf, at + 8)
    const h = twoDigits(buf, at + 11)
    const mi = twoDigits(buf, at + 14)
    const s = twoDigits(buf, at + 17)
    if (
      (y1 | y2 | mo | d | h | mi | s) < 0 ||
      buf[at + 4] !== C_MINUS ||
      buf[at + 7] !== C_MINUS ||
      buf[at + 10] !== 84 /* T */ ||
      buf[at + 13] !== 58 /* : */ ||
      buf[at + 16] !== 58 ||
      h > 23 ||
      mi > 59 ||
      s > 59
    )
      return -1
    const key = (y1 * 100 + y2) * 10000 + mo * 100 + d
    if (key !== this.dayKey) {
      if (mo < 1 || mo > 12 || d < 1) return -1
      const dayMs = Date.UTC(y1 * 100 + y2, mo - 1, d)
      // Date.UTC rolls 2026-02-30 over to March; k6 never writes such a date.
      if (new Date(dayMs).getUTCDate() !== d) return -1
      this.dayKey = key
      this.dayMs = dayMs
    }
    let pos = at + 19
    let micros = 0
    let digits = 0
    if (buf[pos] === C_DOT) {
      pos++
      for (let c = buf[pos]! - C_0; c >= 0 && c <= 9 && pos < end; c = buf[++pos]! - C_0) {
        if (digits < 6) {
          micros = micros * 10 + c
          digits++
        }
      }
      if (digits === 0) return -1
      for (; digits < 6; digits++) micros *= 10
    }
    let offsetMin = 0
    const z = buf[pos]
    if (z === 90 /* Z */) {
      pos++
    } else if (z === C_PLUS || z === C_MINUS) {
      const oh = twoDigits(buf, pos + 1)
      const om = twoDigits(buf, pos + 4)
      if (oh < 0 || om < 0 || buf[pos + 3] !== 58 || oh > 23 || om > 59) return -1
      offsetMin = (z === C_PLUS ? 1 : -1) * (oh * 60 + om)
      pos += 6
    } else {
      return -1
    }
    if (pos >= end || buf[pos] !== C_QUOTE) return -1
    this.fieldEnd = pos + 1
    const secondMs = this.dayMs + ((h * 60 + mi - offsetMin) * 60 + s) * 1000
    return secondMs + micros / 1000
  }

  /**
   * A JSON number; `fieldEnd` is set to the `,` that follows it. Plain decimals of up to 15 digits are
   * computed as digits / 10^k, which is exactly what Number() returns (both operands are exact
   * doubles, and one division rounds correctly); anything else goes through Number().
   */
  private parseValue(buf: Buffer, at: number, end: number): number {
    let pos = at
    let negative = false
    if (buf[pos] === C_MINUS) {
      negative = true
      pos++
    }
    let mantissa = 0
    let digits = 0
    let fraction = -1
    for (; pos < end; pos++) {
      const c = buf[pos]!
      if (c >= C_0 && c <= C_0 + 9) {
        mantissa = mantissa * 10 + (c - C_0)
        digits++
        if (fraction >= 0) fraction++
      } else if (c === C_DOT && fraction < 0) {
        fraction = 0
      } else {
        break
      }
    }
    if (buf[pos] === C_COMMA && digits > 0 && digits <= MAX_EXACT_DIGITS && fraction !== 0) {
      this.fieldEnd = pos
      const v = fraction > 0 ? mantissa / POW10[fraction]! : mantissa
      return negative ? -v : v
    }
    // Exponents, long digit strings, anything odd.
    while (pos < end && buf[pos] !== C_COMMA) pos++
    this.fieldEnd = pos
    return Number(buf.toString('latin1', at, pos))
  }

  /** The tags object's text, from its `{` at `at`; undefined when not in the expected layout. */
  private tags(buf: Buffer, at: number, end: number): string | undefined {
    if (buf[at] !== C_LBRACE) {
      return end - at === NULL.length + 2 && matches(buf, at, NULL) && buf[end - 1] === C_RBRACE
        ? '{}'
        : undefined
    }
    // Without metadata the object ends right before the line's closing `}}`. If the text up to
    // there is a tag set already seen, it is that object (a complete object's text cannot be the
    // beginning of a longer one), and nothing needs scanning or decoding.
    if (buf[end - 1] === C_RBRACE && buf[end - 2] === C_RBRACE && buf[end - 3] === C_RBRACE) {
      const seen = this.seenTags(buf, at, end - 2)
      if (seen !== undefined) return seen.text
    }
    // Otherwise find the end of the object: tags are a flat object of strings.
    let pos = at + 1
    let inString = false
    for (; pos < end; pos++) {
      const c = buf[pos]
      if (inString) {
        if (c === C_BACKSLASH) pos++
        else if (c === C_QUOTE) inString = false
      } else if (c === C_QUOTE) {
        inString = true
      } else if (c === C_RBRACE) {
        break
      } else if (c === C_LBRACE) {
        return undefined
      }
    }
    const after = pos + 1
    if (pos >= end || !endsObject(buf, after, end)) return undefined
    const seen = this.seenTags(buf, at, after)
    if (seen !== undefined) return seen.text
    const text = buf.toString('utf8', at, after)
    const fingerprint = fingerprintOf(buf, at, after)
    const list = this.known.get(fingerprint)
    if (list !== undefined && list.length >= MAX_TAGS_PER_FINGERPRINT) return text
    if (this.knownCount >= MAX_KNOWN_TAGS) {
      this.known.clear()
      this.knownCount = 0
    }
    const bytes = Buffer.allocUnsafe(after - at)
    buf.copy(bytes, 0, at, after)
    this.lastTags = { bytes, text }
    if (list !== undefined) list.push(this.lastTags)
    else this.known.set(fingerprint, [this.lastTags])
    this.knownCount++
    return text
  }

  /** The tag set whose text is `buf[at, to)`, when already seen. */
  private seenTags(buf: Buffer, at: number, to: number): KnownTags | undefined {
    const length = to - at
    const last = this.lastTags
    if (last.bytes.length === length && buf.compare(last.bytes, 0, length, at, to) === 0) return last
    const list = this.known.get(fingerprintOf(buf, at, to))
    if (list === undefined) return undefined
    for (const known of list) {
      if (known.bytes.length === length && buf.compare(known.bytes, 0, length, at, to) === 0) {
        this.lastTags = known
        return known
      }
    }
    return undefined
  }

  /** A time string as the fast path reads it (to the microsecond), else as Date.parse does. */
  private parseTimeText(time: unknown): number {
    if (typeof time !== 'string') return Number.NaN
    const quoted = Buffer.from(`"${time}"`, 'utf8')
    const ms = this.parseTime(quoted, 1, quoted.length)
    return ms >= 0 && this.fieldEnd === quoted.length ? ms : Date.parse(time)
  }

  /** Anything not in the usual layout: parse it properly. */
  private slowLine(buf: Buffer, start: number, end: number): void {
    let parsed: unknown
    try {
      parsed = JSON.parse(buf.toString('utf8', start, end))
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
    const timeMs = this.parseTimeText(sample.data.time)
    const value = Number(sample.data.value)
    if (Number.isNaN(timeMs) || Number.isNaN(value)) {
      this.malformed++
      return
    }
    this.points++
    this.sink.point(metric, timeMs, value, JSON.stringify(sample.data.tags ?? {}))
  }
}
