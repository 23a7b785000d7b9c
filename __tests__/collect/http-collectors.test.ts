import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startCollectors } from '../../src/collect/index.ts'
import { createAppStatsCollector, diffNumbers, flattenNumbers, numeric } from '../../src/collect/appstats.ts'
import { createPrometheusCollector } from '../../src/collect/prometheus.ts'
import type { AppStatsData, PrometheusData } from '../../src/record/collectors.ts'
import { freePort, makeDeps, makePlan, serve, tempDir } from './helpers.ts'
import { SCRAPE_AFTER, SCRAPE_BEFORE } from './fixtures.ts'

describe('the Prometheus collector', () => {
  let server: Awaited<ReturnType<typeof serve>>
  let scrapes = 0
  before(async () => {
    server = await serve((req, res) => {
      if (req.url === '/metrics') {
        scrapes++
        res.setHeader('content-type', 'text/plain; version=0.0.4')
        res.end(scrapes === 1 ? SCRAPE_BEFORE : scrapes === 2 ? 'http_in_flight_requests 9\n' : SCRAPE_AFTER)
      } else if (req.url === '/html') {
        res.setHeader('content-type', 'text/html')
        res.end('<!doctype html><html><body>login</body></html>')
      } else if (req.url === '/garbage') {
        res.end('garbage 1\nnot metrics at all\n!!! ###\nfoo{bar 2\nx 3\nhello 7\n')
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('x 1\n'), 3000)
      } else {
        res.statusCode = 401
        res.end('unauthorized')
      }
    })
  })
  after(() => server.close())

  it('scrapes before, during and after the load and keeps the raw scrapes', async () => {
    const dir = await tempDir()
    const plan = makePlan({ metricsUrl: `${server.url}/metrics` })
    const session = await startCollectors(plan, dir, makeDeps())
    session.tick(1)
    await new Promise((r) => setTimeout(r, 100))
    await session.finish()
    const part = session.parts().prometheus as PrometheusData
    assert.equal(part.requestsCount, 102)
    assert.equal(part.inFlightMax, 9)
    assert.deepEqual(part.files, ['metrics_before.txt', 'metrics_after.txt'])
    assert.equal(await readFile(path.join(dir, 'metrics_after.txt'), 'utf8'), SCRAPE_AFTER)
  })

  for (const [name, url, reason] of [
    ['a metrics URL answering HTML', '/html', /answered HTML, not the Prometheus text format/],
    [
      'a metrics URL answering text that is not the Prometheus format',
      '/garbage',
      /^metrics-url answered text that is not the Prometheus text format \(3 of 6 lines unparseable, e\.g\. "not metrics at all"\): check metrics-url$/,
    ],
    ['a metrics URL answering 401', '/nope', /answered 401 Unauthorized/],
    ['a metrics URL that times out', '/slow', /timed out/],
    ['a metrics URL nobody listens on', 'closed', /unreachable: ECONNREFUSED/],
  ] as const) {
    it(`ends in unavailable for ${name} while the run goes on`, async () => {
      const full = url === 'closed' ? `http://127.0.0.1:${await freePort()}/metrics` : `${server.url}${url}`
      const plan = makePlan({ metricsUrl: full, timeoutS: 0.5 })
      const session = await startCollectors(plan, await tempDir(), makeDeps(), {
        collectors: [createPrometheusCollector(full)],
      })
      await session.finish()
      const part = session.parts().prometheus as { unavailable: string }
      assert.match(part.unavailable, reason)
    })
  }
})

describe('app stats', () => {
  it('reads numbers written as strings and percentages', () => {
    assert.equal(numeric('1234'), 1234)
    assert.equal(numeric('85.20%'), 85.2)
    assert.equal(numeric('1.5e3'), 1500)
    assert.equal(numeric('1.2M'), undefined)
    assert.equal(numeric(true), undefined)
    assert.equal(numeric(''), undefined)
  })

  it('flattens nested numeric fields by dotted path and diffs them', () => {
    const before = flattenNumbers({
      status: 'ok',
      database: { acquire_count: 10, idle: '3' },
      list: [1, 'x'],
    })
    assert.deepEqual(before, { 'database.acquire_count': 10, 'database.idle': 3, 'list.0': 1 })
    const diff = diffNumbers(before, { 'database.acquire_count': 25, 'database.idle': 1, extra: 4 })
    assert.deepEqual(diff['database.acquire_count'], { before: 10, after: 25, delta: 15 })
    assert.deepEqual(diff['database.idle'], { before: 3, after: 1, delta: -2 })
    assert.deepEqual(diff.extra, { after: 4 })
    assert.deepEqual(diff['list.0'], { before: 1 })
  })

  it('diffs each endpoint before and after the load and notes one that fails', async () => {
    let n = 0
    const server = await serve((req, res) => {
      res.setHeader('content-type', 'application/json')
      const url = new URL(req.url!, 'http://x')
      if (url.pathname === '/health/stats')
        res.end(JSON.stringify({ database: { acquire_count: 100 + 50 * n++ } }))
      else if (url.pathname === '/health/cache')
        res.end(JSON.stringify({ cache: { keyspace_hits: String(10 * ++n), hit_rate: '90.5%' } }))
      else {
        res.statusCode = 404
        res.end('{}')
      }
    })
    try {
      const urls = [
        `${server.url}/health/stats`,
        `${server.url}/health/cache?token=abcdefgh`,
        `${server.url}/gone`,
      ]
      const dir = await tempDir()
      const session = await startCollectors(makePlan({ appStatsUrls: urls }), dir, makeDeps(), {
        collectors: [createAppStatsCollector(urls)],
      })
      await session.finish()
      const part = session.parts().appStats as AppStatsData
      assert.equal(part.sources.length, 3, JSON.stringify(part))
      assert.equal(part.sources[0]!.values['database.acquire_count']!.delta! > 0, true)
      assert.equal(part.sources[1]!.url, `${server.url}/health/cache`)
      assert.equal(part.sources[1]!.values['cache.hit_rate']!.after, 90.5)
      assert.match(part.sources[2]!.error!, /^before: .* answered 404/)
      assert.ok(part.files.includes('app_stats_health_stats_before.json'))
      assert.ok(!JSON.stringify(part).includes('abcdefgh'))
    } finally {
      await server.close()
    }
  })

  it('is unavailable when every endpoint fails', async () => {
    const urls = [`http://127.0.0.1:${await freePort()}/health/stats`]
    const session = await startCollectors(makePlan({ appStatsUrls: urls }), await tempDir(), makeDeps())
    await session.finish()
    assert.match((session.parts().appStats as { unavailable: string }).unavailable, /unreachable/)
  })
})
