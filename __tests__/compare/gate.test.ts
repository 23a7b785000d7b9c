import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compare, formatRegression, gateVerdict } from '../../src/compare/index.ts'
import type { FailOn } from '../../src/plan/types.ts'
import type { Comparison, GateOutcome, MetricComparison, SloResult } from '../../src/record/compare.ts'
import { ENDPOINTS, endpointsWith, policy, syntheticRecord } from './helpers.ts'

const sloRow = (status: SloResult['status']): SloResult => ({
  id: 'search.p95Ms',
  scope: 'endpoint',
  endpoint: 'search',
  metric: 'p95Ms',
  target: { text: '<100ms', value: 100 },
  operator: '<',
  ...(status !== 'no-data' ? { actual: status === 'pass' ? 80 : 148 } : {}),
  status,
  message: `search p95 ${status === 'pass' ? 80 : 148} ms, target <100ms: ${status}`,
})

const regressionRow: MetricComparison = {
  id: 'search.p95Ms',
  scope: 'endpoint',
  endpoint: 'search',
  metric: 'p95Ms',
  unit: 'ms',
  baseline: 112,
  current: 148,
  absDelta: 36,
  relDelta: 0.32,
  verdict: 'regression',
  evidence: {
    test: 'mann-whitney',
    pValue: 0.001,
    windowsBaseline: 18,
    windowsCurrent: 18,
    note: 'significant',
  },
  tolerance: { relative: 0.1, worse: 'higher' },
  message: 'search p95 112 ms → 148 ms (+32%), p=0.001: regression',
}

const comparisonOf = (rows: MetricComparison[], extra: Partial<Comparison> = {}): Comparison => ({
  baselineFound: true,
  baseline: {},
  current: {},
  historyRuns: 1,
  rows,
  counts: {
    regression: rows.filter((r) => r.verdict === 'regression').length,
    improvement: 0,
    unchanged: 0,
    inconclusive: 0,
    'no-data': 0,
  },
  notes: [],
  ...extra,
})

interface Situation {
  slos: SloResult[]
  comparison: Comparison
  baselineFound: boolean
  partial?: string
}

const SITUATIONS: Record<string, Situation> = {
  'an SLO failure and a regression': {
    slos: [sloRow('fail')],
    comparison: comparisonOf([regressionRow]),
    baselineFound: true,
  },
  'a regression only': {
    slos: [sloRow('pass')],
    comparison: comparisonOf([regressionRow]),
    baselineFound: true,
  },
  'an SLO failure only': { slos: [sloRow('fail')], comparison: comparisonOf([]), baselineFound: true },
  'a clean run': { slos: [sloRow('pass')], comparison: comparisonOf([]), baselineFound: true },
  'a first run that meets its SLOs': {
    slos: [sloRow('pass')],
    comparison: comparisonOf([], { baselineFound: false }),
    baselineFound: false,
  },
  'a first run that misses an SLO': {
    slos: [sloRow('fail')],
    comparison: comparisonOf([], { baselineFound: false }),
    baselineFound: false,
  },
  'a partial load that otherwise passes': {
    slos: [sloRow('pass')],
    comparison: comparisonOf([]),
    baselineFound: true,
    partial: 'k6 exited 107 after 40 s',
  },
}

// Expected outcome per fail-on setting, in SITUATIONS order.
const EXPECTED: [string, FailOn[], GateOutcome[]][] = [
  [
    'slo and regression (the default)',
    ['slo', 'regression'],
    ['fail', 'fail', 'fail', 'pass', 'no-baseline', 'fail', 'fail'],
  ],
  ['slo', ['slo'], ['fail', 'warn', 'fail', 'pass', 'no-baseline', 'fail', 'fail']],
  ['regression', ['regression'], ['fail', 'fail', 'warn', 'pass', 'no-baseline', 'warn', 'fail']],
  ['nothing (never fail)', [], ['warn', 'warn', 'warn', 'pass', 'no-baseline', 'warn', 'warn']],
]

describe('gateVerdict', () => {
  for (const [label, failOn, outcomes] of EXPECTED) {
    describe(`with fail-on ${label}`, () => {
      Object.entries(SITUATIONS).forEach(([name, s], i) => {
        const expected = outcomes[i]!
        it(`${name} gives ${expected}`, () => {
          const g = gateVerdict(s.slos, s.comparison, policy(failOn), {
            baselineFound: s.baselineFound,
            ...(s.partial ? { partial: s.partial } : {}),
          })
          assert.equal(g.verdict, expected, g.reasons.join('\n'))
          assert.equal(g.failed, expected === 'fail')
          if (expected !== 'pass') assert.ok(g.reasons.length > 0)
        })
      })
    })
  }

  it('lists regressions as short lines with their p-value', () => {
    const g = gateVerdict([], comparisonOf([regressionRow]), policy(), { baselineFound: true })
    assert.deepEqual(g.regressions, ['search p95 +32% (p=0.001)'])
    assert.deepEqual(g.reasons, ['regression: search p95 +32% (p=0.001)'])
  })

  it('says "no baseline yet" on a first run and lists no regressions', () => {
    const g = gateVerdict(
      [sloRow('pass')],
      comparisonOf([regressionRow], { baselineFound: false }),
      policy(),
      {
        baselineFound: false,
      },
    )
    assert.equal(g.verdict, 'no-baseline')
    assert.deepEqual(g.regressions, [])
    assert.ok(g.reasons.some((r) => r.startsWith('no baseline yet')))
  })

  it('names the partial load in its reasons, first', () => {
    const g = gateVerdict([sloRow('fail')], comparisonOf([]), policy(), {
      baselineFound: true,
      partial: 'shard 2 of 3 missing',
    })
    assert.match(g.reasons[0]!, /partial load.*shard 2 of 3 missing/)
  })

  it('reads a partial load from the comparison when the context does not say', () => {
    const g = gateVerdict([], comparisonOf([], { current: { partial: 'k6 killed' } }), policy(), {
      baselineFound: true,
    })
    assert.equal(g.verdict, 'fail')
  })

  it('fails when the current run has no load data at all', () => {
    const g = gateVerdict(
      [sloRow('no-data')],
      comparisonOf([], { current: { loadUnavailable: 'k6 not found' } }),
      policy(),
      {
        baselineFound: true,
      },
    )
    assert.equal(g.verdict, 'fail')
    assert.match(g.reasons[0]!, /no load data: k6 not found/)
  })

  it('reports an SLO without data beside evaluated ones without failing on it', () => {
    const evaluated = { ...sloRow('pass'), id: 'overall.errorRate' }
    const g = gateVerdict([evaluated, sloRow('no-data')], comparisonOf([]), policy(), {
      baselineFound: true,
    })
    assert.equal(g.verdict, 'pass')
    assert.ok(g.reasons.some((r) => r.includes('SLOs without data') && r.includes('search.p95Ms')))
  })

  it('fails when no gated SLO has data, and only warns under fail-on never', () => {
    const g = gateVerdict([sloRow('no-data')], comparisonOf([]), policy(), { baselineFound: true })
    assert.equal(g.verdict, 'fail')
    assert.match(g.reasons[0]!, /^no data: none of the 1 SLOs could be evaluated/)
    const never = gateVerdict([sloRow('no-data')], comparisonOf([]), policy([]), {
      baselineFound: true,
    })
    assert.equal(never.verdict, 'warn')
  })

  it('says which two sides had no data: two runs, or the two sides of a paired run', () => {
    const noData = (test: MetricComparison['evidence']['test']): MetricComparison => ({
      ...regressionRow,
      verdict: 'no-data',
      evidence: { ...regressionRow.evidence, test },
      message: 'search p95 112 ms → 148 ms, 2 paired windows, fewer than 5: no-data',
    })
    const reasonOf = (row: MetricComparison) =>
      gateVerdict([], comparisonOf([row]), policy(), { baselineFound: true }).reasons.find((r) =>
        r.startsWith('no data: none of the 1 compared metrics'),
      )
    assert.match(
      reasonOf(noData('paired-sign-flip'))!,
      /had data on both sides of the paired run \(search p95/,
    )
    assert.match(reasonOf(noData('mann-whitney'))!, /had data in both runs \(search p95/)
  })

  it('turns a real comparison into the same one-liners', () => {
    const base = syntheticRecord({ seed: 1, endpoints: ENDPOINTS })
    const current = syntheticRecord({ seed: 3, endpoints: endpointsWith({ search: { scale: 1.3 } }) })
    const c = compare(base, current, policy())
    const g = gateVerdict([], c, policy(), { baselineFound: true })
    assert.equal(g.verdict, 'fail')
    assert.ok(g.regressions.includes(formatRegression(c.rows.find((r) => r.id === 'search.p95Ms')!)))
    assert.ok(
      g.regressions.every((r) => /^\S+ (p50|p95|p99|error rate|rps) [+-][\d.]+% \(p[<=][\d.]+\)$/.test(r)),
      `${g.regressions}`,
    )
  })

  it('shows a rise from zero errors as values rather than a percentage', () => {
    const row: MetricComparison = {
      ...regressionRow,
      id: 'overall.errorRate',
      scope: 'overall',
      metric: 'errorRate',
      unit: 'ratio',
      baseline: 0,
      current: 0.012,
      absDelta: 0.012,
      evidence: { ...regressionRow.evidence, pValue: 0.0001 },
    }
    delete row.endpoint
    delete row.relDelta
    assert.equal(formatRegression(row), 'overall error rate 0.00% → 1.20% (p<0.001)')
  })
})
