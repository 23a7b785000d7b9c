// Writes a large, realistic k6 NDJSON file for bench/aggregate.ts: the line layout of k6 v1
// `--out json` (every metric of every request, Metric headers, vus points), 8 endpoints,
// log-normal-ish latencies in whole nanoseconds, 1 % failures, ~120 requests/s over simulated time.
//   node --import tsx bench/aggregate-fixture.ts <out.ndjson> [points=5000000]   (.gz: gzip too)
import { createWriteStream } from 'node:fs'
import { createGzip } from 'node:zlib'
import type { Writable } from 'node:stream'
import { once } from 'node:events'

const ENDPOINTS = [
  ['feed', 'GET', '/api/v1/clips'],
  ['clip_detail', 'GET', '/api/v1/clips/:id'],
  ['related_clips', 'GET', '/api/v1/clips/:id/related'],
  ['search', 'GET', '/api/v1/search'],
  ['comments_list', 'GET', '/api/v1/clips/:id/comments'],
  ['create_comment', 'POST', '/api/v1/clips/:id/comments'],
  ['vote', 'POST', '/api/v1/clips/:id/vote'],
  ['tag_browse', 'GET', '/api/v1/tags/:tag/clips'],
] as const
const PER_REQUEST = [
  'http_reqs',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'http_req_failed',
]
const PER_ITERATION = ['data_sent', 'data_received', 'iteration_duration', 'iterations']

export async function writeFixture(path: string, points: number): Promise<void> {
  const file = createWriteStream(path)
  let out: Writable = file
  if (path.endsWith('.gz')) {
    const gzip = createGzip({ level: 6 })
    gzip.pipe(file)
    out = gzip
  }
  let buffer = ''
  const flush = async () => {
    if (!out.write(buffer)) await once(out, 'drain')
    buffer = ''
  }
  for (const m of [...PER_REQUEST, ...PER_ITERATION, 'checks', 'vus']) {
    buffer += `{"type":"Metric","data":{"name":"${m}","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"${m}"}\n`
  }
  let written = 0
  let t = Date.parse('2026-01-01T00:00:00Z') * 1e6 // ns
  let seed = 42
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  for (let i = 0; written < points; i++) {
    t += Math.floor(rand() * 16_000_000) // ~120 requests per second
    const [endpoint, method, route] = ENDPOINTS[i % ENDPOINTS.length]!
    const failed = rand() < 0.01
    const status = failed ? '500' : method === 'POST' && endpoint === 'create_comment' ? '201' : '200'
    const time = isoNanos(t)
    const tags = `{"endpoint":"${endpoint}","expected_response":"${failed ? 'false' : 'true'}","group":"","method":"${method}","name":"${route}","proto":"HTTP/1.1","scenario":"perfgate","status":"${status}","tls_version":"","url":"${route}","user_type":"casual browser"}`
    const duration = nanos(Math.exp(1 + rand() * 3) / 3)
    for (const m of PER_REQUEST) {
      const value =
        m === 'http_reqs'
          ? 1
          : m === 'http_req_failed'
            ? failed
              ? 1
              : 0
            : m === 'http_req_duration'
              ? duration
              : nanos(duration * rand())
      buffer += `{"metric":"${m}","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}}}\n`
    }
    buffer += `{"metric":"checks","type":"Point","data":{"time":"${time}","value":${failed ? 0 : 1},"tags":{"check":"${endpoint} answered as expected","endpoint":"${endpoint}","group":"","scenario":"perfgate"}}}\n`
    written += PER_REQUEST.length + 1
    if (i % 4 === 3) {
      const iterTags = `{"group":"","scenario":"perfgate","user_type":"casual browser"}`
      for (const m of PER_ITERATION) {
        buffer += `{"metric":"${m}","type":"Point","data":{"time":"${time}","value":${(rand() * 1000).toFixed(3)},"tags":${iterTags}}}\n`
      }
      written += PER_ITERATION.length
    }
    if (i % 1000 === 0) {
      buffer += `{"metric":"vus","type":"Point","data":{"time":"${time}","value":100,"tags":{}}}\n`
      written++
    }
    if (buffer.length > 1 << 20) await flush()
  }
  await flush()
  out.end()
  await once(file, 'close')
}

/**
 * k6 measures whole nanoseconds and writes milliseconds (`459.865729`), never the 16–17 digits
 * of an arbitrary double.
 */
function nanos(ms: number): number {
  return Math.round(ms * 1e6) / 1e6
}

function isoNanos(ns: number): string {
  const ms = Math.floor(ns / 1e6)
  const frac = String(Math.floor(ns % 1e9)).padStart(9, '0')
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z'
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, points] = process.argv.slice(2)
  if (!path) throw new Error('usage: aggregate-fixture.ts <out.ndjson[.gz]> [points]')
  await writeFixture(path, Number(points ?? 5_000_000))
}
