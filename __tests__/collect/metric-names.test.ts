// A target whose HTTP metrics have other names than Clipper's (configured in perfgate.yml
// `collectors.metrics`): the Prometheus collector reads them, leaves perfgate's own requests out,
// and the report's route table gets its rows and latencies (issue 15); last, the same against the
// Go testbed exposing such names (METRIC_NAMING=shop, the shared test stack's second app).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startCollectors } from '../../src/collect/index.ts'
import { loadPlan } from '../../src/plan/load.ts'
import type { PrometheusData } from '../../src/record/collectors.ts'
import { buildReportModel, renderMarkdown } from '../../src/report/index.ts'
import { inputFor, loadRecord } from '../report/fixtures.ts'
import { ensureStack, stackAvailable, upSecondApp } from '../helpers/stack.ts'
import { makeDeps, serve, tempDir } from './helpers.ts'

/** One scrape in the Prometheus text format, with `n` multiplying every counter. */
function shopScrape(n: number): string {
  const bucketLines = (route: string, counts: number[]) => {
    const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '+Inf']
    return [
      ...les.map(
        (le, i) =>
          `shop_http_latency_seconds_bucket{verb="GET",route_template="${route}",le="${le}"} ${counts[i]! * n}`,
      ),
      `shop_http_latency_seconds_sum{verb="GET",route_template="${route}"} ${counts.at(-1)! * n * 0.02}`,
      `shop_http_latency_seconds_count{verb="GET",route_template="${route}"} ${counts.at(-1)! * n}`,
    ]
  }
  return [
    '# HELP shop_http_served_total Requests served.',
    '# TYPE shop_http_served_total counter',
    `shop_http_served_total{verb="GET",route_template="/products/{id}",http_status="200"} ${90 * n}`,
    `shop_http_served_total{verb="GET",route_template="/products/{id}",http_status="404"} ${10 * n}`,
    `shop_http_served_total{verb="GET",route_template="/cart",http_status="200"} ${50 * n}`,
    `shop_http_served_total{verb="GET",route_template="/debug/pprof/profile",http_status="200"} ${n}`,
    `shop_http_served_total{verb="GET",route_template="/internal/metrics",http_status="200"} ${n}`,
    '# HELP shop_http_latency_seconds Request latency.',
    '# TYPE shop_http_latency_seconds histogram',
    ...bucketLines('/products/{id}', [20, 60, 90, 98, 100, 100]),
    ...bucketLines('/cart', [0, 5, 20, 45, 50, 50]),
    ...bucketLines('/debug/pprof/profile', [0, 0, 0, 0, 0, 1]),
    ...bucketLines('/internal/metrics', [1, 1, 1, 1, 1, 1]),
    '# HELP shop_http_active Requests in flight.',
    '# TYPE shop_http_active gauge',
    `shop_http_active ${n === 1 ? 0 : 7}`,
    '',
  ].join('\n')
}

const CONFIG = `collectors:
  metrics:
    requests: shop_http_served_total
    duration: shop_http_latency_seconds
    in-flight: shop_http_active
    route-label: route_template
    method-label: verb
    status-label: http_status
`

test('metric and label names from perfgate.yml fill the route table and its latency columns, without perfgate’s own requests', async () => {
  let scrapes = 0
  const server = await serve((req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4')
    res.end(req.url === '/internal/metrics' ? shopScrape(++scrapes === 1 ? 1 : 3) : '')
  })
  try {
    const dir = await tempDir()
    await writeFile(path.join(dir, 'perfgate.yml'), CONFIG)
    const plan = await loadPlan(
      {
        'target-url': server.url,
        'metrics-url': `${server.url}/internal/metrics`,
        baseline: 'none',
        'output-dir': path.join(dir, 'out'),
      },
      { cwd: dir, env: {} },
    )
    assert.equal(plan.collectors.metricNames?.requests, 'shop_http_served_total')
    const session = await startCollectors(plan, dir, makeDeps())
    await session.finish()
    const prom = session.parts().prometheus as PrometheusData
    assert.ok(!('unavailable' in prom), JSON.stringify(prom))

    // Deltas of the second scrape over the first: ×3 − ×1.
    assert.equal(prom.requestsCount, 2 * (90 + 10 + 50))
    assert.deepEqual(
      prom.routes.map((r) => [r.method, r.path, r.count, r.statuses]),
      [
        ['GET', '/products/{id}', 200, { '200': 180, '404': 20 }],
        ['GET', '/cart', 100, { '200': 100 }],
      ],
    )
    const product = prom.routes[0]!
    assert.ok(
      product.p95Ms !== undefined && product.p95Ms > 25 && product.p95Ms <= 50,
      `p95 ${product.p95Ms}`,
    )
    assert.equal(prom.inFlightMax, 7)
    assert.ok(!prom.notes.some((n) => /not exposed/.test(n)), prom.notes.join('; '))
    assert.ok(
      prom.notes.some((n) => n.includes('/debug/pprof/profile') && n.includes('/internal/metrics')),
      prom.notes.join('; '),
    )

    const record = { ...loadRecord('handwritten-run.json'), prometheus: prom }
    const markdown = renderMarkdown(buildReportModel(inputFor(record)))
    const row = markdown.split('\n').find((line) => line.includes('`GET /products/{id}`'))
    assert.ok(row, 'the route table has the product route')
    const cells = row.split('|').map((c) => c.trim())
    assert.equal(cells[2], '200')
    assert.ok(
      cells.slice(3, 6).every((c) => /\d/.test(c) && c !== 'n/a'),
      row,
    )
    assert.doesNotMatch(markdown, /\/debug\/pprof\/profile`/)
  } finally {
    await server.close()
  }
})

test('without configuration the Clipper names are read and /debug/pprof/* is left out of the route table', async () => {
  const scrape = (n: number) =>
    [
      '# TYPE http_requests_total counter',
      `http_requests_total{method="GET",path="/api/v1/clips",status="200"} ${10 * n}`,
      `http_requests_total{method="GET",path="/debug/pprof/heap",status="200"} ${n}`,
      '# TYPE http_request_duration_seconds histogram',
      `http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips",le="0.01"} ${10 * n}`,
      `http_request_duration_seconds_bucket{method="GET",path="/api/v1/clips",le="+Inf"} ${10 * n}`,
      `http_request_duration_seconds_sum{method="GET",path="/api/v1/clips"} ${0.05 * n}`,
      `http_request_duration_seconds_count{method="GET",path="/api/v1/clips"} ${10 * n}`,
      `http_request_duration_seconds_bucket{method="GET",path="/debug/pprof/heap",le="0.01"} 0`,
      `http_request_duration_seconds_bucket{method="GET",path="/debug/pprof/heap",le="+Inf"} ${n}`,
      `http_request_duration_seconds_sum{method="GET",path="/debug/pprof/heap"} ${10 * n}`,
      `http_request_duration_seconds_count{method="GET",path="/debug/pprof/heap"} ${n}`,
      '',
    ].join('\n')
  let scrapes = 0
  const server = await serve((_req, res) => res.end(scrape(++scrapes === 1 ? 1 : 2)))
  try {
    const dir = await tempDir()
    const plan = await loadPlan(
      {
        'target-url': server.url,
        'metrics-url': `${server.url}/debug/metrics`,
        baseline: 'none',
        'output-dir': path.join(dir, 'out'),
      },
      { cwd: dir, env: {} },
    )
    const session = await startCollectors(plan, dir, makeDeps())
    await session.finish()
    const prom = session.parts().prometheus as PrometheusData
    assert.deepEqual(
      prom.routes.map((r) => [r.path, r.count]),
      [['/api/v1/clips', 10]],
    )
    assert.equal(prom.requestsCount, 10)
  } finally {
    await server.close()
  }
})

test(
  'the Go testbed with METRIC_NAMING=shop, configured in perfgate.yml, gets its route table and latency rows filled',
  { skip: !stackAvailable() && 'scripts/stack.mjs is missing', timeout: 600_000 },
  async () => {
    await ensureStack()
    // The shared stack's second app, exposing shop_http_* with verb/route_template/http_status.
    const shop = await upSecondApp('shared', { METRIC_NAMING: 'shop' })
    const target = shop.BASELINE_URL!
    const metrics = await (await fetch(shop.BASELINE_METRICS_URL!)).text()
    assert.match(metrics, /^shop_http_served_total\{/m)
    assert.doesNotMatch(metrics, /^http_requests_total/m)

    const dir = await tempDir()
    await writeFile(path.join(dir, 'perfgate.yml'), CONFIG)
    const plan = await loadPlan(
      {
        'target-url': target,
        'metrics-url': shop.BASELINE_METRICS_URL!,
        baseline: 'none',
        'output-dir': path.join(dir, 'out'),
      },
      { cwd: dir, env: {} },
    )
    const session = await startCollectors(plan, dir, makeDeps())
    const paths = [
      '/api/v1/clips?sort=hot&limit=25',
      '/api/v1/clips/1',
      '/api/v1/clips/2',
      '/api/v1/search?q=tower',
    ]
    for (let i = 0; i < 40; i++) await (await fetch(`${target}${paths[i % paths.length]}`)).arrayBuffer()
    await session.finish()
    const prom = session.parts().prometheus as PrometheusData
    assert.ok(!('unavailable' in prom), JSON.stringify(prom))
    assert.ok(!prom.notes.some((n) => /not exposed/.test(n)), prom.notes.join('; '))
    const byPath = Object.fromEntries(prom.routes.map((r) => [`${r.method} ${r.path}`, r]))
    assert.equal(byPath['GET /api/v1/clips']?.count, 10)
    assert.equal(byPath['GET /api/v1/clips/:id']?.count, 20)
    assert.equal(byPath['GET /api/v1/search']?.count, 10)
    for (const r of Object.values(byPath))
      assert.ok(r.p95Ms !== undefined && r.p95Ms > 0 && r.p95Ms <= 10_000, `${r.path} p95 ${r.p95Ms}`)

    const record = { ...loadRecord('handwritten-run.json'), prometheus: prom }
    const markdown = renderMarkdown(buildReportModel(inputFor(record)))
    const row = markdown.split('\n').find((line) => line.includes('`GET /api/v1/clips/:id`'))
    assert.ok(row, 'the route table has the clip detail route')
    const cells = row.split('|').map((c) => c.trim())
    assert.equal(cells[2], '20')
    assert.ok(
      cells.slice(3, 6).every((c) => /\d/.test(c) && c !== 'n/a'),
      row,
    )
  },
)

test('a misspelt collectors.metrics key or a route pattern without a leading slash fails with the key named', async () => {
  for (const [yaml, pattern] of [
    ['collectors:\n  metrics:\n    request: shop_total\n', /collectors\.metrics.*request/],
    ["collectors:\n  metrics:\n    exclude-routes: ['debug/*']\n", /collectors\.metrics\.exclude-routes/],
  ] as const) {
    const dir = await tempDir()
    await writeFile(path.join(dir, 'perfgate.yml'), yaml)
    await assert.rejects(loadPlan({ 'target-url': 'http://127.0.0.1:1' }, { cwd: dir, env: {} }), pattern)
  }
})
