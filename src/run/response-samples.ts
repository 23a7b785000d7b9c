// Response samples of failing requests (issue 16): the generated k6 script logs the first few
// failing answers per (endpoint, status) as one marker line each (k6's JSON output carries no
// bodies); this module reads those lines from k6's stderr and keeps a bounded, scrubbed set.
// Everything here is text from the target: it is cut, stripped of control characters and
// scrubbed before it reaches the record. Pure but for the collector's own state.
import type { ResponseSample } from '../record/load.ts'
import { cleanText, RESPONSE_SAMPLE_BYTES, SAMPLES_PER_STATUS } from '../record/response-text.ts'
import type { SecretScrubber } from '../secrets.ts'

/** The prefix of the generated script's marker lines; the payload after it is URI-encoded JSON. */
export const SAMPLE_MARKER = 'perfgate-response-sample:v1:'
/** (endpoint, status) pairs kept at most: an endpoint space gone wild must not grow the record. */
const MAX_KEYS = 100
const HEADER_VALUE_CHARS = 120

export { cleanText, RESPONSE_SAMPLE_BYTES, SAMPLES_PER_STATUS }

/**
 * Headers that explain a refusal: rate limits (Retry-After, RateLimit-*, X-RateLimit-*), the
 * authentication asked for (WWW-Authenticate), what the body is (Content-Type) and who answered
 * (Server, Via: a CDN or WAF in front of the target). Nothing else is kept (cookies, ids).
 */
export const RELEVANT_HEADER =
  /^(retry-after|www-authenticate|content-type|server|via|(x-)?ratelimit(-[a-z-]+)?)$/

/** The relevant headers of an answer, lower-case names, values cleaned and cut. */
export function relevantHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    const key = name.toLowerCase()
    if (!RELEVANT_HEADER.test(key)) continue
    const text = Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : ''
    const clean = cleanText(text, HEADER_VALUE_CHARS).text
    if (clean) out[key] = clean
  }
  return out
}

/** What the generated script logs per failing answer (short keys: one line per answer). */
interface Marker {
  e: string
  s: number
  b?: string
  /** The body had more than the script sent along. */
  t?: boolean
  h?: Record<string, unknown>
  err?: string
}

/** The marker of one k6 log line (logfmt or JSON, quoted or not), or undefined. */
export function parseSampleLine(line: string): Marker | undefined {
  const at = line.indexOf(SAMPLE_MARKER)
  if (at < 0) return undefined
  // encodeURIComponent's alphabet: no quote or backslash, so k6's quoting never changes it.
  const payload = /^[A-Za-z0-9\-_.!~*'()%]+/.exec(line.slice(at + SAMPLE_MARKER.length))?.[0]
  if (!payload) return undefined
  try {
    const data = JSON.parse(decodeURIComponent(payload)) as Partial<Marker>
    if (typeof data.e !== 'string' || typeof data.s !== 'number' || !Number.isInteger(data.s))
      return undefined
    return data as Marker
  } catch {
    return undefined
  }
}

/** Keeps the first SAMPLES_PER_STATUS distinct answers of each (endpoint, status), scrubbed and cut. */
export class ResponseSampleCollector {
  private readonly byKey = new Map<string, ResponseSample[]>()

  constructor(
    private readonly scrubber: SecretScrubber,
    private readonly source: ResponseSample['source'] = 'load',
  ) {}

  /** Reads one k6 log line; true when it was a marker line (the caller leaves it out of k6's log). */
  line(line: string): boolean {
    if (!line.includes(SAMPLE_MARKER)) return false
    const marker = parseSampleLine(line)
    if (marker)
      this.add({
        endpoint: marker.e,
        status: marker.s,
        body: typeof marker.b === 'string' ? marker.b : '',
        truncated: marker.t === true,
        headers: marker.h && typeof marker.h === 'object' ? marker.h : {},
        ...(typeof marker.err === 'string' && marker.err ? { error: marker.err } : {}),
      })
    return true
  }

  /** Adds one answer (raw text from the target) unless its (endpoint, status) has enough. */
  add(raw: {
    endpoint: string
    status: number
    body: string
    truncated?: boolean
    headers?: Record<string, unknown>
    error?: string
  }): void {
    const key = `${raw.endpoint}\u0000${raw.status}`
    let list = this.byKey.get(key)
    if (!list) {
      if (this.byKey.size >= MAX_KEYS) return
      list = []
      this.byKey.set(key, list)
    }
    if (list.length >= SAMPLES_PER_STATUS) return
    // Scrubbed before it is cut, so a secret cut in half cannot survive as its first half.
    const body = cleanText(this.scrubber.scrub(raw.body), RESPONSE_SAMPLE_BYTES)
    const headers = relevantHeaders(
      Object.fromEntries(
        Object.entries(raw.headers ?? {}).map(([k, v]) => [
          k,
          this.scrubber.scrub(Array.isArray(v) ? v.join(', ') : String(v)),
        ]),
      ),
    )
    const error = raw.error ? cleanText(this.scrubber.scrub(raw.error), RESPONSE_SAMPLE_BYTES).text : ''
    // The same answer again says nothing new: the samples kept are distinct ones.
    const same = (s: ResponseSample) =>
      s.body === body.text &&
      s.error === (error || undefined) &&
      JSON.stringify(s.headers) === JSON.stringify(headers)
    if (list.some(same)) return
    list.push({
      endpoint: cleanText(raw.endpoint, 200).text,
      status: raw.status,
      body: body.text,
      truncated: body.truncated || raw.truncated === true,
      headers,
      source: this.source,
      ...(error ? { error } : {}),
    })
  }

  /** The samples kept, by endpoint then status. */
  samples(): ResponseSample[] {
    return [...this.byKey.values()]
      .flat()
      .sort((a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : a.status - b.status))
  }
}
