import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compare } from '../../src/compare/index.ts'
import type { Comparison, MetricComparison } from '../../src/record/compare.ts'
import type { LoadPart, RunRecord } from '../../src/record/index.ts'
import { ENDPOINTS, endpointsWith, policy, recordWith, syntheticRecord, type RecordGen } from './helpers.ts'

const row = (c: Comparison, id: string): MetricComparison => {
  const found = c.rows.find((r) => r.id === id)
  assert.ok(found, `no row ${id}`)
  return found
}

const BASE = syntheticRecord({ seed: 1, endpoints: ENDPOINTS })

describe('compare: latency verdicts', () => {
  const cases: {
    name: string
    baseline?: RecordGen
    current: RecordGen
    id: string
    verdict: MetricComparison['verdict']
    note?: RegExp
  }[] = [
    {
      name: 'identical distributions are unchanged',
      current: { seed: 2, endpoints: ENDPOINTS },
      id: 'search.p95Ms',
      verdict: 'unchanged',
      note: /within the \+10% tolerance/,
    },
    {
      name: 'a +30% p95 shift is a regression',
      current: { seed: 3, endpoints: endpointsWith({ search: { scale: 1.3 } }) },
      id: 'search.p95Ms',
      verdict: 'regression',
      note: /significant/,
    },
    {
      name: 'a +30% shift also moves p99 beyond its +15% tolerance',
      current: { seed: 3, endpoints: endpointsWith({ search: { scale: 1.3 } }) },
      id: 'search.p99Ms',
      verdict: 'regression',
    },
    {
      name: 'a -30% shift is an improvement',
      current: { seed: 4, endpoints: endpointsWith({ feed: { scale: 0.7 } }) },
      id: 'feed.p95Ms',
      verdict: 'improvement',
    },
    {
      name: 'an endpoint that did not change stays unchanged next to one that regressed',
      current: { seed: 3, endpoints: endpointsWith({ search: { scale: 1.3 } }) },
      id: 'feed.p95Ms',
      verdict: 'unchanged',
    },
    {
      name: 'a small shift under heavy window noise is inconclusive',
      baseline: { seed: 109, windows: 8, endpoints: endpointsWith({ search: { windowNoise: 0.35 } }) },
      current: {
        seed: 9,
        windows: 8,
        endpoints: endpointsWith({ search: { scale: 1.15, windowNoise: 0.35 } }),
      },
      id: 'search.p95Ms',
      verdict: 'inconclusive',
      note: /not distinguishable from window-to-window noise/,
    },
    {
      name: 'too few windows is no-data, not pass',
      baseline: { seed: 11, windows: 3, endpoints: ENDPOINTS },
      current: { seed: 12, windows: 3, endpoints: ENDPOINTS },
      id: 'search.p95Ms',
      verdict: 'no-data',
      note: /too few windows .*3 baseline, 3 current; need 5/,
    },
    {
      name: 'too few windows never claims a regression, even for +50%',
      baseline: { seed: 11, windows: 4, endpoints: ENDPOINTS },
      current: { seed: 12, windows: 4, endpoints: endpointsWith({ search: { scale: 1.5 } }) },
      id: 'search.p95Ms',
      verdict: 'no-data',
      note: /too few windows/,
    },
    {
      name: 'windows of two requests still count once pooled: a doubling of the median is found',
      baseline: { seed: 13, endpoints: endpointsWith({ vote: { perWindow: 2 } }) },
      current: { seed: 14, endpoints: endpointsWith({ vote: { perWindow: 2, scale: 2 } }) },
      id: 'vote.p50Ms',
      verdict: 'regression',
      note: /18 vs 18 windows/,
    },
    {
      name: 'windows of two requests: a p95 of 36 requests (the second slowest) gets no verdict',
      baseline: { seed: 13, endpoints: endpointsWith({ vote: { perWindow: 2 } }) },
      current: { seed: 16, endpoints: endpointsWith({ vote: { perWindow: 2 } }) },
      id: 'vote.p95Ms',
      verdict: 'no-data',
      note: /too few requests for a p95 \(36 baseline, 36 current\)/,
    },
    {
      name: 'an endpoint missing from the current run is no-data',
      current: { seed: 15, endpoints: ENDPOINTS.filter((e) => e.name !== 'vote') },
      id: 'vote.p95Ms',
      verdict: 'no-data',
      note: /current: endpoint not in this run/,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const baseline = c.baseline ? syntheticRecord(c.baseline) : BASE
      const r = row(compare(baseline, syntheticRecord(c.current), policy()), c.id)
      assert.equal(r.verdict, c.verdict, r.message)
      if (c.note) assert.match(r.evidence.note, c.note)
      assert.ok(r.message.length > 0)
    })
  }
})

describe('compare: evidence', () => {
  const current = syntheticRecord({ seed: 3, endpoints: endpointsWith({ search: { scale: 1.3 } }) })
  const c = compare(BASE, current, policy())

  it('a regression carries its deltas, p-value and bootstrap interval', () => {
    const r = row(c, 'search.p95Ms')
    assert.equal(r.evidence.test, 'window-permutation')
    assert.ok(r.evidence.pValue !== undefined && r.evidence.pValue < 0.01)
    assert.ok(r.relDelta !== undefined && r.relDelta > 0.2 && r.relDelta < 0.45, `${r.relDelta}`)
    assert.ok(r.absDelta !== undefined && r.absDelta > 0)
    assert.ok(r.evidence.ci && r.evidence.ci[0] > 0, `${r.evidence.ci}`)
    assert.equal(r.evidence.windowsBaseline, 18)
    assert.equal(r.evidence.windowsCurrent, 18)
    assert.deepEqual(r.tolerance, { relative: 0.1, worse: 'higher' })
    assert.match(r.message, /^search p95 \d+ ms → \d+ ms \(\+\d+%\), p<0\.001: regression$/)
  })

  it('has rows for overall and every endpoint, overall first', () => {
    const scopes = [...new Set(c.rows.map((r) => r.endpoint ?? 'overall'))]
    assert.deepEqual(scopes, ['overall', 'feed', 'search', 'vote'])
    assert.deepEqual(
      c.rows.filter((r) => r.endpoint === 'feed').map((r) => r.metric),
      ['p50Ms', 'p95Ms', 'p99Ms', 'errorRate', 'rps'],
    )
  })

  it('counts the verdicts', () => {
    const total = Object.values(c.counts).reduce((a, b) => a + b, 0)
    assert.equal(total, c.rows.length)
    assert.equal(c.counts.regression, c.rows.filter((r) => r.verdict === 'regression').length)
  })

  it('is deterministic: the same inputs give the same comparison', () => {
    assert.deepEqual(compare(BASE, current, policy()), c)
  })

  it('is JSON-serialisable without losing anything', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c)
  })
})

describe('compare: false alarms', () => {
  it('ten pairs of runs from the same distributions give no regression and no improvement', () => {
    for (let seed = 20; seed < 30; seed++) {
      const c = compare(
        syntheticRecord({ seed, endpoints: ENDPOINTS }),
        syntheticRecord({ seed: seed + 100, endpoints: ENDPOINTS }),
        policy(),
      )
      const claimed = c.rows.filter((r) => r.verdict === 'regression' || r.verdict === 'improvement')
      assert.deepEqual(
        claimed.map((r) => r.message),
        [],
      )
    }
  })
})

describe('compare: error rate', () => {
  const cases: {
    name: string
    baseline: number
    current: number
    floor?: number
    verdict: MetricComparison['verdict']
  }[] = [
    { name: 'from 0 to 3% is a regression', baseline: 0, current: 0.03, verdict: 'regression' },
    { name: 'from 1% to 3% is a regression', baseline: 0.01, current: 0.03, verdict: 'regression' },
    {
      name: 'from 2% to 2.4% stays within the +50% tolerance',
      baseline: 0.02,
      current: 0.024,
      verdict: 'unchanged',
    },
    {
      name: 'tripling below the absolute floor is not a regression',
      baseline: 0.002,
      current: 0.006,
      floor: 0.01,
      verdict: 'unchanged',
    },
    { name: 'from 3% to 0.5% is an improvement', baseline: 0.03, current: 0.005, verdict: 'improvement' },
    { name: 'no errors in either run is unchanged', baseline: 0, current: 0, verdict: 'unchanged' },
  ]
  for (const c of cases) {
    it(c.name, () => {
      const c1 = compare(
        syntheticRecord({ seed: 31, endpoints: endpointsWith({ feed: { errorRate: c.baseline } }) }),
        syntheticRecord({ seed: 32, endpoints: endpointsWith({ feed: { errorRate: c.current } }) }),
        policy(['slo', 'regression'], c.floor !== undefined ? { errorRateFloor: c.floor } : {}),
      )
      const r = row(c1, 'feed.errorRate')
      assert.equal(r.verdict, c.verdict, r.message)
    })
  }

  it('a rise from 0 has no relative delta, only an absolute one', () => {
    const c = compare(
      syntheticRecord({ seed: 31, endpoints: ENDPOINTS }),
      syntheticRecord({ seed: 32, endpoints: endpointsWith({ feed: { errorRate: 0.03 } }) }),
      policy(),
    )
    const r = row(c, 'feed.errorRate')
    assert.equal(r.relDelta, undefined)
    assert.ok(r.absDelta !== undefined && r.absDelta > 0.02)
    assert.deepEqual(r.tolerance, { relative: 0.5, floor: 0.002, worse: 'higher' })
  })
})

describe('compare: throughput', () => {
  it('a 20% drop in request rate is a regression', () => {
    const slower = ENDPOINTS.map((e) => ({ ...e, perWindow: (e.perWindow ?? 200) * 0.8 }))
    const c = compare(BASE, syntheticRecord({ seed: 33, endpoints: slower }), policy())
    const r = row(c, 'overall.rps')
    assert.equal(r.verdict, 'regression', r.message)
    assert.deepEqual(r.tolerance, { relative: 0.1, worse: 'lower' })
  })

  it('a 20% rise in request rate is an improvement', () => {
    const faster = ENDPOINTS.map((e) => ({ ...e, perWindow: (e.perWindow ?? 200) * 1.2 }))
    const r = row(compare(BASE, syntheticRecord({ seed: 34, endpoints: faster }), policy()), 'overall.rps')
    assert.equal(r.verdict, 'improvement', r.message)
  })

  it('a different scenario makes request rates inconclusive', () => {
    const slower = ENDPOINTS.map((e) => ({ ...e, perWindow: (e.perWindow ?? 200) * 0.5 }))
    const c = compare(BASE, syntheticRecord({ seed: 35, vus: 50, endpoints: slower }), policy())
    const r = row(c, 'overall.rps')
    assert.equal(r.verdict, 'inconclusive')
    assert.match(
      r.message,
      /^overall rps [\d.]+ req\/s → [\d.]+ req\/s \(-\d+%\): inconclusive, not comparable: the scenario differs \(VUs 100 → 50\)$/,
    )
    assert.ok(c.notes.some((n) => n.includes('request rates are not comparable')))
  })

  it('a user script is compared on what ran (k6 inspect), not on the plan’s default scenario', () => {
    const ran = (vus: number) => ({
      scenarios: [{ name: 'default', executor: 'constant-vus', startS: 0, durationS: 60, maxVUs: vus, vus }],
      maxVUs: vus,
      durationS: 60,
    })
    const withScript = (record: RunRecord, vus: number, planVus: number): RunRecord => {
      const load = record.load as LoadPart
      return {
        ...record,
        plan: { ...record.plan, vus: planVus, script: 's.js' },
        load: { ...load, scriptRun: ran(vus) },
      }
    }
    // Same script run, different default-scenario VUs in the plan: no scenario note.
    const same = compare(
      withScript(BASE, 5, 100),
      withScript(syntheticRecord({ seed: 36, endpoints: ENDPOINTS }), 5, 30),
      policy(),
    )
    assert.ok(!same.notes.some((n) => n.includes('not comparable')), same.notes.join('; '))
    // The script ran with other VUs: that is the difference named.
    const other = compare(
      withScript(BASE, 5, 100),
      withScript(syntheticRecord({ seed: 36, endpoints: ENDPOINTS }), 20, 100),
      policy(),
    )
    assert.match(row(other, 'overall.rps').message, /the scenario differs \(VUs 5 → 20\)$/)
  })
})

describe('compare: history band', () => {
  const current = syntheticRecord({ seed: 40, endpoints: endpointsWith({ search: { scale: 1.3 } }) })
  const historyOf = (scales: number[]) =>
    scales.map((scale, i) =>
      syntheticRecord({ seed: 41 + i, endpoints: endpointsWith({ search: { scale } }) }),
    )

  it('with three or more base-branch runs a change inside their spread is inconclusive', () => {
    const c = compare(BASE, current, policy(), historyOf([0.85, 1.0, 1.4]))
    const r = row(c, 'search.p95Ms')
    assert.equal(r.verdict, 'inconclusive', r.message)
    assert.equal(r.evidence.history?.n, 4)
    assert.match(r.evidence.note, /within the run-to-run spread of 4 base-branch runs/)
    assert.equal(c.historyRuns, 4)
  })

  it('with a tight history a real shift is still a regression', () => {
    const r = row(compare(BASE, current, policy(), historyOf([1, 1, 1])), 'search.p95Ms')
    assert.equal(r.verdict, 'regression', r.message)
    assert.ok(r.evidence.history && r.current! > r.evidence.history.hi)
    assert.match(r.evidence.note, /outside the spread of 4 base-branch runs/)
  })

  it('with fewer than three base-branch runs no band is used', () => {
    const r = row(compare(BASE, current, policy(), historyOf([1.4])), 'search.p95Ms')
    assert.equal(r.verdict, 'regression', r.message)
    assert.equal(r.evidence.history, undefined)
  })

  it('the baseline listed again in the history is counted once', () => {
    const c = compare(BASE, current, policy(), [BASE, ...historyOf([1, 1])])
    assert.equal(c.historyRuns, 3)
  })
})

describe('compare: missing data', () => {
  it('without a baseline every row is no-data and says so', () => {
    const c = compare(undefined, BASE, policy())
    assert.equal(c.baselineFound, false)
    assert.ok(c.rows.length > 0)
    assert.ok(c.rows.every((r) => r.verdict === 'no-data' && r.current !== undefined))
    assert.match(row(c, 'search.p95Ms').message, /no data \(no baseline yet\)/)
    assert.ok(c.notes.some((n) => n.startsWith('no baseline yet')))
  })

  it('an unavailable current load gives no-data rows, not an exception', () => {
    const c = compare(BASE, recordWith({ unavailable: 'k6 not found' }), policy())
    assert.equal(c.current.loadUnavailable, 'load test unavailable: k6 not found')
    assert.ok(c.rows.every((r) => r.verdict === 'no-data'))
    assert.match(row(c, 'feed.p95Ms').message, /no data \(current: load test unavailable: k6 not found\)/)
  })

  it('an unavailable baseline load gives no-data rows and a note', () => {
    const c = compare(recordWith({ unavailable: 'k6 crashed' }), BASE, policy())
    assert.ok(c.rows.every((r) => r.verdict === 'no-data'))
    assert.equal(c.baseline?.loadUnavailable, 'load test unavailable: k6 crashed')
    assert.ok(c.notes.some((n) => n.startsWith('baseline has no load data')))
  })

  it('a partial current load is carried to the comparison', () => {
    const c = compare(
      BASE,
      syntheticRecord({ seed: 50, endpoints: ENDPOINTS, partial: 'k6 exited 107' }),
      policy(),
    )
    assert.equal(c.current.partial, 'k6 exited 107')
    assert.ok(c.notes.includes('current load is partial: k6 exited 107'))
  })
})
