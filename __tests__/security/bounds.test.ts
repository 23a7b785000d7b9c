// Bounds: inputs of any size end in a result or one clear line, never a crash or a silent cut.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { spawnSync } from 'node:child_process'
import { REPO } from './run-support.ts'
import { aggregateK6File } from '../../src/run/aggregate-file.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'
import { decodeProfile } from '../../src/pprof/decode.ts'

function requestLines(i: number, endpoint: string): string {
  const time = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 5)).toISOString()
  const tags = JSON.stringify({ endpoint, status: '200', method: 'GET' })
  return ['http_reqs', 'http_req_duration', 'http_req_failed']
    .map(
      (metric) =>
        `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${metric === 'http_req_duration' ? 3 : metric === 'http_reqs' ? 1 : 0},"tags":${tags}}}`,
    )
    .join('\n')
}

test('5,000 distinct endpoint tags are aggregated without a crash and every request is counted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-bounds-'))
  try {
    const file = join(dir, 'k6.ndjson.gz')
    const lines: string[] = []
    // Two requests per tag, the second lap after every tag was seen once.
    for (let lap = 0; lap < 2; lap++)
      for (let i = 0; i < 5000; i++) lines.push(requestLines(lap * 5000 + i, `tag-${i}`))
    await writeFile(file, gzipSync(`${lines.join('\n')}\n`))
    const { result, truncated } = await aggregateK6File(file, { endpoints: DEFAULT_ENDPOINTS })
    assert.equal(truncated, undefined)
    assert.equal(result.overall.count, 10_000)
    assert.equal(
      result.endpoints.reduce((n, e) => n + e.count, 0),
      10_000,
    )
    const other = result.endpoints.find((e) => e.name === 'other')
    assert.ok(other, 'the names past the cap share the "other" bucket')
    assert.equal(other.count, 2 * (5000 - 200))
    assert.ok(result.endpoints.length <= 201)
    assert.match(result.foldedEndpoints ?? '', /more than 200 distinct endpoint names/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a gzip bomb profile is refused at 256 MB decompressed, with the limit in the reason', () => {
  // 20 gzip members of 16 MB of zeros each: 320 MB inflated from about 300 KB.
  const member = gzipSync(Buffer.alloc(16 * 2 ** 20))
  const bomb = Buffer.concat(Array.from({ length: 20 }, () => member))
  assert.ok(bomb.length < 1 << 20)
  const started = process.hrtime.bigint()
  const decoded = decodeProfile(bomb)
  assert.equal(decoded.ok, false)
  assert.match(decoded.ok ? '' : decoded.reason, /more than 256 MB/)
  assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 10)
})

test('an empty GITHUB_EVENT_PATH file fails the action with one line, and the CLI warns and goes on', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-bounds-'))
  try {
    const event = join(dir, 'event.json')
    await writeFile(event, '')
    const env = { ...process.env, GITHUB_EVENT_PATH: event, 'INPUT_TARGET-URL': 'http://127.0.0.1:9' }
    const action = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'index.ts')], {
      cwd: REPO,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(action.status, 1)
    assert.equal(action.stderr, '')
    assert.equal(
      action.stdout,
      `::error::GITHUB_EVENT_PATH ${event} is empty: the runner writes the event's JSON payload there; run perfgate in a GitHub Actions job or unset GITHUB_EVENT_PATH\n`,
    )
    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli.ts'), '--version'], {
      cwd: REPO,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(cli.status, 0, cli.stderr)
    assert.match(cli.stderr, /^perfgate: warning: GITHUB_EVENT_PATH .* is empty/)
    assert.equal(cli.stderr.trim().split('\n').length, 1)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('an empty k6 event file gives a record with no requests and one line saying why, not a crash', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-bounds-'))
  try {
    const file = join(dir, 'k6.ndjson.gz')
    await writeFile(file, '')
    const { result, truncated } = await aggregateK6File(file, { endpoints: DEFAULT_ENDPOINTS })
    assert.equal(result.overall.count, 0)
    assert.match(truncated ?? '', /k6\.ndjson\.gz is empty: k6 recorded no samples$/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
