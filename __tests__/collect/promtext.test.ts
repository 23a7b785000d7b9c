import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  counterDelta,
  histogramDelta,
  histogramQuantile,
  histogramSeries,
  parsePrometheusText,
  parseSampleLine,
  samplesNamed,
  sumSeries,
} from '../../src/collect/promtext.ts'
import { analyseScrapes, runtimeFigures } from '../../src/collect/prometheus.ts'
import { SCRAPE_AFTER, SCRAPE_BEFORE } from './fixtures.ts'

describe('Prometheus text parsing', () => {
  it('keeps every labelled series of a histogram apart', () => {
    const parsed = parsePrometheusText(SCRAPE_BEFORE)
    const series = histogramSeries(parsed, 'http_request_duration_seconds')
    assert.equal(series.length, 2)
    const feed = series.find((s) => s.labels.path === '/api/v1/clips')!
    assert.deepEqual(feed.labels, { method: 'GET', path: '/api/v1/clips' })
    assert.deepEqual(feed.buckets, [
      { le: 0.01, count: 5 },
      { le: 0.1, count: 10 },
      { le: Infinity, count: 10 },
    ])
    assert.equal(feed.count, 10)
    assert.equal(feed.sum, 0.3)
  })

  it('puts summary and counter samples in their families', () => {
    const parsed = parsePrometheusText(SCRAPE_BEFORE)
    assert.equal(parsed.families.get('go_gc_duration_seconds')!.samples.length, 4)
    assert.equal(samplesNamed(parsed, 'go_gc_duration_seconds_count')[0]!.value, 4)
    assert.equal(parsed.badLines, 0)
  })

  it('reads escaped label values, timestamps, special values and exemplars', () => {
    assert.deepEqual(parseSampleLine('m{a="x\\"y\\\\z\\n",b="c, d"} 1.5e3 1700000000000'), {
      name: 'm',
      labels: { a: 'x"y\\z\n', b: 'c, d' },
      value: 1500,
    })
    assert.equal(parseSampleLine('m +Inf')!.value, Infinity)
    assert.ok(Number.isNaN(parseSampleLine('m NaN')!.value))
    assert.equal(parseSampleLine('m_bucket{le="0.1"} 3 # {trace_id="abc"} 0.05 1.6e9')!.value, 3)
    assert.deepEqual(parseSampleLine('{"my.metric", a="b"} 2'), {
      name: 'my.metric',
      labels: { a: 'b' },
      value: 2,
    })
  })

  it('counts unreadable lines instead of throwing', () => {
    const parsed = parsePrometheusText('<html>\nok 1\nbad{ 2\n# EOF\n')
    assert.equal(parsed.badLines, 2)
    assert.equal(parsed.firstBadLine, '<html>')
    assert.equal(samplesNamed(parsed, 'ok')[0]!.value, 1)
  })
})

describe('histogram_quantile', () => {
  const buckets = [
    { le: 0.1, count: 50 },
    { le: 0.2, count: 80 },
    { le: 0.5, count: 100 },
    { le: Infinity, count: 100 },
  ]
  it('interpolates linearly inside the bucket the rank falls in', () => {
    assert.equal(histogramQuantile(0.5, buckets), 0.1)
    assert.ok(Math.abs(histogramQuantile(0.95, buckets) - 0.425) < 1e-12)
    assert.ok(Math.abs(histogramQuantile(0.25, buckets) - 0.05) < 1e-12)
  })
  it('answers the highest finite bound when the rank falls in the +Inf bucket', () => {
    assert.equal(
      histogramQuantile(0.99, [
        { le: 0.1, count: 10 },
        { le: Infinity, count: 20 },
      ]),
      0.1,
    )
  })
  it('answers NaN without observations or without a +Inf bucket', () => {
    assert.ok(
      Number.isNaN(
        histogramQuantile(0.5, [
          { le: 0.1, count: 0 },
          { le: Infinity, count: 0 },
        ]),
      ),
    )
    assert.ok(
      Number.isNaN(
        histogramQuantile(0.5, [
          { le: 0.1, count: 1 },
          { le: 1, count: 2 },
        ]),
      ),
    )
  })
  it('treats non-monotonic buckets as monotonic and sorts them', () => {
    const q = histogramQuantile(0.5, [
      { le: Infinity, count: 10 },
      { le: 1, count: 10 },
      { le: 0.5, count: 12 },
    ])
    // 0.5 → 12, 1 → 12, +Inf → 12 after the fix; rank 6 of 12 in [0, 0.5].
    assert.equal(q, 0.25)
  })
  it('handles quantiles outside [0, 1] as PromQL does', () => {
    assert.equal(histogramQuantile(-1, buckets), -Infinity)
    assert.equal(histogramQuantile(2, buckets), Infinity)
  })
})

describe('deltas', () => {
  it('takes the after value of a counter that went down', () => {
    assert.deepEqual(counterDelta(100, 30), { delta: 30, reset: true })
    assert.deepEqual(counterDelta(100, 130), { delta: 30, reset: false })
    assert.deepEqual(counterDelta(undefined, 7), { delta: 7, reset: false })
  })
  it('subtracts histogram buckets by bound and sums series by bound', () => {
    const before = histogramSeries(parsePrometheusText(SCRAPE_BEFORE), 'http_request_duration_seconds')
    const after = histogramSeries(parsePrometheusText(SCRAPE_AFTER), 'http_request_duration_seconds')
    const d = histogramDelta(before[0], after[0]!)
    assert.equal(d.count, 102)
    assert.deepEqual(
      d.buckets.map((b) => b.count),
      [50, 90, 102],
    )
    const total = sumSeries(after)
    assert.equal(total.count, 117)
  })
})

describe('analyseScrapes', () => {
  const before = parsePrometheusText(SCRAPE_BEFORE)
  const after = parsePrometheusText(SCRAPE_AFTER)
  const during = [parsePrometheusText('http_in_flight_requests 7\ngo_goroutines 44\n')]
  const data = analyseScrapes(before, after, {
    dependencies: [
      { name: 'Twitch API', metric: 'external_request_duration_seconds', labels: { service: 'twitch' } },
    ],
    intervalS: 10,
    during,
  })

  it('counts requests by route and status over the load', () => {
    assert.equal(data.requestsCount, 102)
    const feed = data.routes.find((r) => r.path === '/api/v1/clips')!
    assert.deepEqual(feed.statuses, { '200': 100, '500': 2 })
    assert.equal(feed.count, 102)
    assert.equal(feed.method, 'GET')
    // Rank 51 of 102 in the (0.01, 0.1] bucket holding 40: 10 + 90 × 1/40 ms.
    assert.equal(feed.p50Ms, 12.25)
    assert.equal(feed.p99Ms, 100)
    assert.equal(
      data.routes.find((r) => r.path === '/api/v1/clips/:id'),
      undefined,
    )
  })

  it('keeps the maximum of the in-flight gauge and goroutines over the samples', () => {
    assert.equal(data.inFlightMax, 7)
    assert.equal(data.runtime.goroutinesMax, 44)
    assert.equal(data.samplesCount, 1)
  })

  it('reports runtime figures and their growth', () => {
    assert.equal(data.runtime.before.gomaxprocs, 4)
    assert.equal(data.runtimeDelta.gcCount, 10)
    assert.equal(data.runtimeDelta.cpuSeconds, 10)
    assert.equal(data.runtimeDelta.cpuCores, 1)
  })

  it('reads the Go version from go_info and the memory limit from go_gc_gomemlimit_bytes', () => {
    const figures = runtimeFigures(
      parsePrometheusText(
        [
          'go_info{version="go1.26.8"} 1',
          'go_gc_gomemlimit_bytes 9.223372036854776e+18',
          'go_sched_gomaxprocs_threads 2',
        ].join('\n'),
      ),
    )
    assert.equal(figures.goVersion, 'go1.26.8')
    assert.equal(figures.memoryLimitBytes, 9.223372036854776e18)
    assert.equal(figures.gomaxprocs, 2)
    assert.deepEqual(runtimeFigures(parsePrometheusText('go_goroutines 7\n')), { goroutines: 7 })
  })

  it('reports a declared dependency with its call count and p95', () => {
    const dep = data.dependencies.find((d) => d.declared)!
    assert.equal(dep.name, 'Twitch API')
    assert.equal(dep.count, 20)
    assert.ok(dep.p95Ms! > 10 && dep.p95Ms! <= 100)
  })

  it('discovers a duration histogram that grew when none is declared', () => {
    const found = analyseScrapes(before, after, { dependencies: [], intervalS: 10, during: [] })
    assert.deepEqual(
      found.dependencies.map((d) => [d.name, d.count, d.declared]),
      [['external_request_duration_seconds{service="twitch"}', 20, false]],
    )
  })
})
