import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluateSlos, operatorOf } from '../../src/analyze/slo.ts'
import { cacheHitRateOf } from '../../src/record/values.ts'
import { DEFAULT_SLOS } from '../../src/plan/defaults.ts'
import type { Slos } from '../../src/plan/types.ts'
import type { SloMetric, SloResult } from '../../src/record/compare.ts'
import type { AppStatsData, RedisData, RunRecord } from '../../src/record/index.ts'
import type { LoadPart } from '../../src/record/load.ts'
import { ENDPOINTS, recordWith, syntheticRecord, t } from '../compare/helpers.ts'

const RECORD = syntheticRecord({ seed: 5, endpoints: ENDPOINTS })
const LOAD = RECORD.load as LoadPart
const feed = LOAD.endpoints.find((e) => e.name === 'feed')!
const redisWith = (hitRate?: number): RedisData => ({
  files: [],
  version: '7.0.15',
  hitsCount: 0,
  missesCount: 0,
  ...(hitRate !== undefined ? { hitRate } : {}),
  evictedKeysCount: 0,
  expiredKeysCount: 0,
  commandsCount: 0,
  commands: [],
  memory: { usedBytes: 0, peakBytes: 0, maxmemoryBytes: 0, policy: 'noeviction' },
  keysPerDb: [],
  sample: { keysCount: 0, complete: true, prefixes: [] },
  notes: [],
})
const appStatsWith = (hits: number, misses: number): AppStatsData => ({
  files: [],
  sources: [
    {
      url: 'http://127.0.0.1:8080/health/cache',
      values: { 'cache.keyspace_hits': { delta: hits }, 'cache.keyspace_misses': { delta: misses } },
    },
  ],
})
const one = (record: RunRecord, slos: Partial<Slos>): SloResult => {
  // The overall error-rate target also yields one row per endpoint; these cases look at the overall one.
  const rows = evaluateSlos(record, { endpoints: [], ...slos }).filter(
    (r) => r.scope === 'overall' || slos.endpoints?.length,
  )
  assert.equal(rows.length, 1)
  return rows[0]!
}

describe('evaluateSlos: per endpoint', () => {
  const p95 = feed.duration.p95Ms
  const cases: {
    name: string
    slos: Partial<Slos>
    status: SloResult['status']
    message: RegExp
    hint?: RegExp
  }[] = [
    {
      name: 'a p95 under its target passes',
      slos: { endpoints: [{ endpoint: 'feed', p95Ms: t(`<${Math.ceil(p95 + 1)}ms`, Math.ceil(p95 + 1)) }] },
      status: 'pass',
      message: /^feed p95 \d+ ms, target <\d+ms: pass$/,
    },
    {
      name: 'a p95 over its target fails with a hint',
      slos: { endpoints: [{ endpoint: 'feed', p95Ms: t('<20ms', 20) }] },
      status: 'fail',
      message: /^feed p95 \d+ ms, target <20ms: fail$/,
      hint: /slow queries/,
    },
    {
      name: 'a strict target equal to the actual value fails',
      slos: { endpoints: [{ endpoint: 'feed', p95Ms: t(`<${p95}ms`, p95) }] },
      status: 'fail',
      message: /: fail$/,
    },
    {
      name: 'a non-strict target equal to the actual value passes',
      slos: { endpoints: [{ endpoint: 'feed', p95Ms: t(`<=${p95}ms`, p95) }] },
      status: 'pass',
      message: /: pass$/,
    },
    {
      name: 'p50 and p99 are read too',
      slos: { endpoints: [{ endpoint: 'feed', p99Ms: t('<1000ms', 1000) }] },
      status: 'pass',
      message: /^feed p99 /,
    },
    {
      name: 'an endpoint error rate over its target fails',
      slos: { endpoints: [{ endpoint: 'feed', errorRate: t('<0%', 0) }] },
      status: 'fail',
      message: /^feed error rate 0\.00%, target <0%: fail$/,
      hint: /status codes/,
    },
    {
      name: 'a minimum rps is met at or above the target',
      slos: { endpoints: [{ endpoint: 'feed', minRps: t('>=10', 10) }] },
      status: 'pass',
      message: /^feed rps \d+\.\d req\/s, target >=10: pass$/,
    },
    {
      name: 'an endpoint with no requests is no-data with a hint',
      slos: { endpoints: [{ endpoint: 'tag_browse', p95Ms: t('<50ms', 50) }] },
      status: 'no-data',
      message: /^tag_browse p95, target <50ms: no data \(tag_browse had no requests in this run\)$/,
      hint: /route pattern/,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const r = one(RECORD, c.slos)
      assert.equal(r.status, c.status, r.message)
      assert.match(r.message, c.message)
      if (c.hint) assert.match(r.hint ?? '', c.hint)
      if (c.status === 'pass') assert.equal(r.hint, undefined)
      if (c.status !== 'no-data') assert.equal(typeof r.actual, 'number')
    })
  }

  it('a row has the id, scope, operator and the target as written', () => {
    const r = one(RECORD, { endpoints: [{ endpoint: 'feed', p95Ms: t('<=100ms', 100) }] })
    assert.deepEqual(
      {
        id: r.id,
        scope: r.scope,
        endpoint: r.endpoint,
        metric: r.metric,
        operator: r.operator,
        target: r.target,
      },
      {
        id: 'feed.p95Ms',
        scope: 'endpoint',
        endpoint: 'feed',
        metric: 'p95Ms',
        operator: '<=',
        target: t('<=100ms', 100),
      },
    )
    assert.equal(r.actual, feed.duration.p95Ms)
  })
})

describe('evaluateSlos: overall', () => {
  const rps = LOAD.overall.rps
  const cases: {
    name: string
    record?: RunRecord
    slos: Partial<Slos>
    status: SloResult['status']
    message: RegExp
  }[] = [
    {
      name: 'a low overall error rate passes',
      slos: { errorRate: t('<1%', 0.01) },
      status: 'pass',
      message: /^overall error rate 0\.00%, target <1%: pass$/,
    },
    {
      name: 'throughput below the minimum fails',
      slos: { minRps: t('>=100', 100) },
      status: 'fail',
      message: /^overall rps \d+\.\d req\/s, target >=100: fail$/,
    },
    {
      name: 'throughput exactly at a >= minimum passes',
      slos: { minRps: t(`>=${rps}`, rps) },
      status: 'pass',
      message: /: pass$/,
    },
    {
      name: 'a cache hit rate over a strict target passes',
      record: { ...RECORD, redis: redisWith(0.85) },
      slos: { cacheHitRate: t('>80%', 0.8) },
      status: 'pass',
      message: /^cache hit rate 85\.0%, target >80%: pass$/,
    },
    {
      name: 'a cache hit rate equal to a strict target fails',
      record: { ...RECORD, redis: redisWith(0.8) },
      slos: { cacheHitRate: t('>80%', 0.8) },
      status: 'fail',
      message: /: fail$/,
    },
    {
      name: 'a cache hit rate equal to a non-strict target passes',
      record: { ...RECORD, redis: redisWith(0.8) },
      slos: { cacheHitRate: t('>=80%', 0.8) },
      status: 'pass',
      message: /: pass$/,
    },
    {
      name: 'an unavailable Redis collector gives a no-data cache row',
      slos: { cacheHitRate: t('>80%', 0.8) },
      status: 'no-data',
      message:
        /^cache hit rate, target >80%: no data \(no cache hit rate \(Redis collector unavailable: not configured\)\)$/,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const r = one(c.record ?? RECORD, c.slos)
      assert.equal(r.status, c.status, r.message)
      assert.match(r.message, c.message)
      assert.equal(r.scope, 'overall')
    })
  }
})

describe('evaluateSlos: missing data', () => {
  it('an unavailable load part makes every load SLO no-data, without throwing', () => {
    const rows = evaluateSlos(recordWith({ unavailable: 'k6 not found' }), DEFAULT_SLOS)
    assert.equal(rows.length, 9)
    assert.ok(rows.every((r) => r.status === 'no-data' && r.actual === undefined))
    assert.match(rows[0]!.message, /no data \(load test unavailable: k6 not found\)/)
    assert.ok(rows.every((r) => r.hint))
  })

  it('a missing metric is no-data', () => {
    const broken: LoadPart = {
      ...LOAD,
      endpoints: LOAD.endpoints.map((e) =>
        e.name === 'feed' ? { ...e, duration: { ...e.duration, p99Ms: Number.NaN }, histogram: '' } : e,
      ),
    }
    const r = one(recordWith(broken), { endpoints: [{ endpoint: 'feed', p99Ms: t('<100ms', 100) }] })
    assert.equal(r.status, 'no-data')
    assert.match(r.message, /no p99 recorded/)
  })

  it('a missing summary percentile is read from the histogram instead', () => {
    const noSummary: LoadPart = {
      ...LOAD,
      endpoints: LOAD.endpoints.map((e) =>
        e.name === 'feed' ? { ...e, duration: { ...e.duration, p99Ms: Number.NaN } } : e,
      ),
    }
    const r = one(recordWith(noSummary), { endpoints: [{ endpoint: 'feed', p99Ms: t('<1000ms', 1000) }] })
    assert.equal(r.status, 'pass')
    assert.ok(Math.abs(r.actual! - feed.duration.p99Ms) / feed.duration.p99Ms < 0.01)
  })

  it('the default SLOs give one row per target, endpoints not in the run as no-data', () => {
    const rows = evaluateSlos(RECORD, DEFAULT_SLOS)
    assert.deepEqual(
      rows.map((r) => `${r.id} ${r.status}`),
      [
        'feed.p95Ms pass',
        'clip_detail.p95Ms no-data',
        'related_clips.p95Ms no-data',
        'search.p95Ms fail',
        'comments_list.p95Ms no-data',
        'create_comment.p95Ms no-data',
        'vote.p95Ms pass',
        ...LOAD.endpoints.map((e) => `${e.name}.errorRate pass`),
        'overall.errorRate pass',
        'overall.cacheHitRate no-data',
      ],
    )
  })
})

describe('evaluateSlos: the overall error-rate target per endpoint', () => {
  const failing = (name: string): RunRecord =>
    recordWith({
      ...LOAD,
      endpoints: LOAD.endpoints.map((e) =>
        e.name === name
          ? {
              ...e,
              errors: e.count,
              errorRate: 1,
              statuses: { '400': e.count },
              checks: { passes: 0, fails: e.count },
            }
          : e,
      ),
    })

  it('an endpoint answering only errors fails its own error-rate row under the overall target', () => {
    const rows = evaluateSlos(failing('feed'), { endpoints: [], errorRate: t('<1%', 0.01) })
    const feedRow = rows.find((r) => r.id === 'feed.errorRate')
    assert.equal(feedRow?.status, 'fail', feedRow?.message)
    assert.equal(feedRow?.scope, 'endpoint')
    assert.equal(feedRow?.actual, 1)
    assert.match(feedRow!.message, /^feed error rate 100\.0%, target <1%: fail$/)
    const others = rows.filter((r) => r.scope === 'endpoint' && r.endpoint !== 'feed')
    assert.ok(others.length > 0 && others.every((r) => r.status === 'pass'))
  })

  it("an endpoint's own error-rate target replaces the overall one for it", () => {
    const rows = evaluateSlos(failing('feed'), {
      endpoints: [{ endpoint: 'feed', errorRate: t('<=100%', 1) }],
      errorRate: t('<1%', 0.01),
    })
    const feedRows = rows.filter((r) => r.endpoint === 'feed')
    assert.deepEqual(
      feedRows.map((r) => [r.target.text, r.status]),
      [['<=100%', 'pass']],
    )
  })

  it('without an overall error-rate target no endpoint gets an error-rate row', () => {
    const rows = evaluateSlos(failing('feed'), { endpoints: [] })
    assert.deepEqual(rows, [])
  })
})

describe('operatorOf', () => {
  const cases: [string, SloMetric, string][] = [
    ['<100ms', 'p95Ms', '<'],
    ['<=100ms', 'p95Ms', '<='],
    ['≤ 100ms', 'p95Ms', '<='],
    ['100ms', 'p95Ms', '<'],
    ['>=100', 'rps', '>='],
    ['100', 'rps', '>='],
    ['>80%', 'cacheHitRate', '>'],
    ['80%', 'cacheHitRate', '>'],
    ['< 1%', 'errorRate', '<'],
  ]
  for (const [text, metric, operator] of cases) {
    it(`reads "${text}" for ${metric} as ${operator}`, () => {
      assert.equal(operatorOf(t(text, 0), metric), operator)
    })
  }
})

describe('cacheHitRateOf', () => {
  const cases: [string, RunRecord['redis'], number | undefined][] = [
    ['reads the Redis hit rate', redisWith(0.9), 0.9],
    ['is undefined when Redis is unavailable', { unavailable: 'no redis-url' }, undefined],
    ['is undefined when Redis saw no lookups', redisWith(), undefined],
    ['is undefined when the hit rate is not a fraction', redisWith(85), undefined],
  ]
  for (const [name, redis, expected] of cases) {
    it(name, () => assert.equal(cacheHitRateOf({ ...RECORD, redis }), expected))
  }

  it('falls back to the keyspace hits and misses an app-stats endpoint counted', () => {
    assert.equal(cacheHitRateOf({ ...RECORD, appStats: appStatsWith(900, 100) }), 0.9)
  })

  it('prefers the Redis collector over app stats', () => {
    assert.equal(cacheHitRateOf({ ...RECORD, redis: redisWith(0.5), appStats: appStatsWith(900, 100) }), 0.5)
  })

  it('is undefined when app stats counted no lookups', () => {
    assert.equal(cacheHitRateOf({ ...RECORD, appStats: appStatsWith(0, 0) }), undefined)
  })
})
