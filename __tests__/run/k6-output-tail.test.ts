// K6OutputTail: k6's output read while it is being written (issue 18/19). The aggregate after the
// last poll must equal reading the finished file at once, whatever the polls saw in between, for
// gzip (what perfgate asks k6 for) and plain files; a file k6 never closed is read to where it ends.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants as zlib, createGzip, gzipSync } from 'node:zlib'
import { aggregateK6File } from '../../src/run/aggregate-file.ts'
import { LoadAggregator } from '../../src/run/aggregate.ts'
import { K6OutputTail } from '../../src/run/k6-output-tail.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'

const point = (metric: string, time: string, value: number, tags: Record<string, string>) =>
  `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${JSON.stringify(tags)}}}`
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString()
const ENDPOINTS = ['feed', 'clip_detail', 'search']

/** `n` requests over ~n × 37 ms, three endpoints, durations that are not round. */
function requestLines(n: number): string[] {
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    const tags = { endpoint: ENDPOINTS[i % 3]!, status: i % 17 === 0 ? '500' : '200', scenario: 'perfgate' }
    const t = at(i * 37)
    lines.push(
      point('http_reqs', t, 1, tags),
      point('http_req_duration', t, 3 + ((i * 7919) % 1000) / 37, tags),
      point('http_req_failed', t, tags.status === '500' ? 1 : 0, tags),
    )
  }
  return lines
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex')
const options = { endpoints: DEFAULT_ENDPOINTS }

test('a gzip file followed while it is written aggregates exactly as the finished file read at once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-tail-'))
  const file = join(dir, 'k6.ndjson.gz')
  const lines = requestLines(3000)
  const aggregator = new LoadAggregator(options)
  const tail = new K6OutputTail(file, aggregator)
  await tail.poll() // before k6 created the file: nothing, no error

  const gzip = createGzip()
  gzip.on('data', (chunk: Buffer) => appendFileSync(file, chunk))
  const written = (text: string, flush: boolean) =>
    new Promise<void>((resolve) => {
      gzip.write(text)
      // like k6's deflate stream, most polls see only what deflate has emitted so far
      if (flush) gzip.flush(zlib.Z_SYNC_FLUSH, () => setImmediate(resolve))
      else setImmediate(resolve)
    })
  const seen: number[] = []
  for (let i = 0; i < lines.length; i += 500) {
    // each batch ends mid-line, as a poll may find it
    const batch = lines.slice(i, i + 500).join('\n') + '\n'
    const cut = Math.floor(batch.length / 2)
    await written(batch.slice(0, cut), i % 1000 === 0)
    await tail.poll()
    await written(batch.slice(cut), true)
    await tail.poll()
    seen.push(aggregator.result().overall.count)
  }
  await new Promise<void>((resolve) => gzip.end(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  const read = await tail.finish()

  assert.ok(seen[0]! > 0, 'the first polls already saw requests')
  assert.ok(
    seen.every((n, i) => i === 0 || n >= seen[i - 1]!),
    `counts only grow: ${seen.join(', ')}`,
  )
  assert.ok(seen.at(-1)! >= 2900, `the polls kept up: ${seen.at(-1)} of 3000 requests before the end`)
  const once = await aggregateK6File(file, options)
  assert.equal(read.lines, once.lines)
  assert.equal(read.truncated, undefined)
  assert.equal(aggregator.result().overall.count, 3000)
  assert.equal(digest(aggregator.result()), digest(once.result))
})

test('a plain file followed in pieces, and a gzip file k6 never closed, aggregate as read at once', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-tail-plain-'))
  const lines = requestLines(900)
  const text = lines.join('\n') + '\n'

  const plain = join(dir, 'k6.ndjson')
  const plainAggregator = new LoadAggregator(options)
  const plainTail = new K6OutputTail(plain, plainAggregator)
  await writeFile(plain, text.slice(0, 1001))
  await plainTail.poll()
  await appendFile(plain, text.slice(1001))
  await plainTail.poll()
  const plainRead = await plainTail.finish()
  assert.equal(plainRead.truncated, undefined)
  assert.equal(digest(plainAggregator.result()), digest((await aggregateK6File(plain, options)).result))

  // killed k6: the deflate stream was flushed but never finished (no gzip trailer)
  const whole = gzipSync(text)
  const cut = join(dir, 'cut.ndjson.gz')
  await writeFile(cut, whole.subarray(0, whole.length - 8))
  const cutAggregator = new LoadAggregator(options)
  const cutRead = await new K6OutputTail(cut, cutAggregator).finish()
  const cutOnce = await aggregateK6File(cut, options)
  assert.equal(cutAggregator.result().overall.count, cutOnce.result.overall.count)
  assert.equal(cutRead.lines, cutOnce.lines)
})

test('a file k6 never wrote ends in ENOENT, as reading it at once does', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-tail-none-'))
  const tail = new K6OutputTail(join(dir, 'k6.ndjson.gz'), new LoadAggregator(options))
  await tail.poll()
  await assert.rejects(tail.finish(), { code: 'ENOENT' })
})
