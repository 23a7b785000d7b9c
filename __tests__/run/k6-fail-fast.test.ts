// A missing k6 ends the run before anything touches the target (issue 18): no target check, no
// warm-up, no collector's before-snapshot, no cool-down, and one line saying what to do.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { measure } from '../../src/pipeline.ts'
import { testPlan } from './support/plan.ts'

test('no collector contacts the target when k6 cannot be found, and the run fails within seconds', async () => {
  let requests = 0
  const target = createServer((req, res) => {
    requests++
    res.end('ok')
  })
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`
  // A closed port as the release host: the download is refused at once, as offline.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-k6-fail-fast-'))
  const savedCache = process.env.RUNNER_TOOL_CACHE
  process.env.RUNNER_TOOL_CACHE = join(dir, 'tool-cache')
  const plan = testPlan(base, {
    outputDir: join(dir, 'out'),
    warmUpS: 2,
    collectors: {
      ...testPlan(base).collectors,
      metricsUrl: `${base}/debug/metrics`,
      pprofUrl: `${base}/debug/pprof`,
      appStatsUrls: [`${base}/health/stats`],
    },
  })
  const lines: string[] = []
  const started = Date.now()
  try {
    await assert.rejects(
      measure(plan, {
        env: { PATH: join(dir, 'empty'), PERFGATE_K6_DOWNLOAD_URL: closedUrl },
        log: (line) => lines.push(line),
      }),
      (error: Error) => {
        assert.match(
          error.message,
          /^k6 not found .* give the k6-path input, put k6 on PATH, or run scripts\/install-k6\.sh$/,
        )
        assert.doesNotMatch(error.message, /\n/)
        return true
      },
    )
  } finally {
    process.env.RUNNER_TOOL_CACHE = savedCache
    if (savedCache === undefined) delete process.env.RUNNER_TOOL_CACHE
    await new Promise<void>((resolve) => target.close(() => resolve()))
  }
  assert.equal(requests, 0, 'the target was contacted')
  assert.ok(Date.now() - started < 5000, `failed after ${Date.now() - started} ms`)
  assert.ok(!lines.some((line) => /collectors|cool-down/.test(line)), `collector lines: ${lines.join(' / ')}`)
})
