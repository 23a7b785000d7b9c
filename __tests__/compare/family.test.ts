// Holm's correction over the rows of one comparison (compare/family.ts), on rows whose window test
// is given (so the p-values are known), and on synthetic runs through `compare`.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { judgeFamily, type FamilyMember } from '../../src/compare/family.ts'
import { compare } from '../../src/compare/index.ts'
import type { PermutationOptions, WindowPermutationTest } from '../../src/compare/stats.ts'
import { ENDPOINTS, endpointsWith, policy, syntheticRecord } from './helpers.ts'

const OPTIONS = { alpha: 0.01, minWindows: 5, minHistory: 3, historyK: 2, resamples: 1000, seed: 1 }

/** A p95 row of +30 % whose window test answers `p(options)`; `calls` records the relabellings asked. */
function row(
  p: (o: PermutationOptions) => { p: number; exact: boolean },
  calls: number[] = [],
): FamilyMember {
  return {
    input: {
      subject: 'x p95',
      unit: 'ms',
      tolerance: { relative: 0.1, worse: 'higher' },
      baseline: 10,
      current: 13,
      baselineWindows: [],
      currentWindows: [],
      history: [],
      pooled: {
        windowsBaseline: 30,
        windowsCurrent: 30,
        test: (o): WindowPermutationTest => {
          calls.push(o.resamples)
          const { p: pValue, exact } = p(o)
          return { current: 13, baseline: 10, pValue, permutations: exact ? 1000 : o.resamples, exact }
        },
      },
    },
    options: OPTIONS,
  }
}

const quiet = (n: number) => Array.from({ length: n }, () => row(() => ({ p: 0.5, exact: true })))

describe('judgeFamily', () => {
  it('a row at p = 0.007 among 40 is not a regression: Holm-adjusted p = 0.28 is not below alpha', () => {
    const members = [row(() => ({ p: 0.007, exact: true })), ...quiet(39)]
    const alone = judgeFamily(members, false)
    assert.equal(alone[0]!.verdict, 'regression', 'without the correction it would be')
    const [first] = judgeFamily(members)
    assert.equal(first!.verdict, 'inconclusive')
    assert.equal(first!.evidence.adjustedPValue, 0.28)
    assert.equal(first!.evidence.family, 40)
    assert.match(
      first!.message,
      /p=0\.007 alone, but not significant among the 40 rows tested together \(Holm-adjusted p=0\.280, needs < 0\.01/,
    )
  })

  it('a row below alpha / m stays a regression, and says over how many rows', () => {
    const [first] = judgeFamily([row(() => ({ p: 0.0001, exact: true })), ...quiet(39)])
    assert.equal(first!.verdict, 'regression')
    assert.match(first!.evidence.note, /Holm-adjusted p=0\.004 over 40 rows/)
  })

  it('a claimed row whose p sits at the relabelling floor is tested again with 2·m / alpha relabellings', () => {
    const calls: number[] = []
    // No relabelling reaches the observed difference: p = 1 / (1 + relabellings).
    const floor = row((o) => ({ p: 1 / (1 + o.resamples), exact: false }), calls)
    const [first] = judgeFamily([floor, ...quiet(39)])
    assert.deepEqual(calls, [1000, 8000])
    assert.equal(first!.verdict, 'regression', first!.message)
    assert.ok(first!.evidence.pValue! < 0.01 / 40, `refined p ${first!.evidence.pValue}`)
  })

  it('rows within tolerance or without a test are never retested, and one row is its own family', () => {
    const calls: number[] = []
    const single = judgeFamily([row(() => ({ p: 0.005, exact: false }), calls)])
    assert.equal(single[0]!.verdict, 'regression')
    assert.equal(single[0]!.evidence.family, undefined)
    assert.deepEqual(calls, [1000])
  })
})

describe('compare: the family of rows', () => {
  const base = syntheticRecord({ seed: 1, endpoints: ENDPOINTS })

  it('a +30 % shift of one endpoint is still a regression there, with its adjusted p', () => {
    const current = syntheticRecord({ seed: 3, endpoints: endpointsWith({ search: { scale: 1.3 } }) })
    const c = compare(base, current, policy())
    const p95 = c.rows.find((r) => r.id === 'search.p95Ms')!
    assert.equal(p95.verdict, 'regression', p95.message)
    assert.ok(p95.evidence.adjustedPValue! < 0.01 && p95.evidence.family! >= 10, JSON.stringify(p95.evidence))
    const elsewhere = c.rows.filter(
      (r) => r.scope === 'endpoint' && r.endpoint !== 'search' && r.verdict === 'regression',
    )
    assert.deepEqual(
      elsewhere.map((r) => r.message),
      [],
    )
  })

  it('two runs of the same synthetic service: no regression or improvement with the correction', () => {
    // Twelve pairs of the same synthetic build, about 50 rows each.
    for (let seed = 10; seed < 22; seed++) {
      const current = syntheticRecord({ seed, endpoints: ENDPOINTS })
      const claims = (fc: boolean) =>
        compare(base, current, policy(), [], { familyCorrection: fc }).rows.filter(
          (r) => r.verdict === 'regression' || r.verdict === 'improvement',
        )
      assert.deepEqual(
        claims(true).map((r) => r.message),
        [],
        `seed ${seed}`,
      )
    }
  })
})

describe('compare: a quantile needs requests above it', () => {
  it('a p95 of fewer than 200 requests in a run is no verdict, saying why; p50 of the same runs is judged', () => {
    const base = syntheticRecord({ seed: 1, endpoints: ENDPOINTS })
    const current = syntheticRecord({ seed: 3, endpoints: endpointsWith({ search: { scale: 1.3 } }) })
    const search =
      current.load && 'endpoints' in current.load
        ? current.load.endpoints.find((e) => e.name === 'search')
        : undefined
    assert.ok(search && search.count >= 200, `the synthetic search has ${search?.count} requests`)
    // The same runs with the request counts as a sparse endpoint would have them.
    const sparse = structuredClone(current)
    if (sparse.load && 'endpoints' in sparse.load)
      sparse.load.endpoints.find((e) => e.name === 'search')!.count = 150
    const c = compare(base, sparse, policy())
    const p95 = c.rows.find((r) => r.id === 'search.p95Ms')!
    assert.equal(p95.verdict, 'no-data')
    assert.match(
      p95.message,
      /too few requests for a p95 \(\d+ baseline, 150 current\): it rests on at least 10 requests above it, so it needs 200 per run/,
    )
    assert.equal(c.rows.find((r) => r.id === 'search.p50Ms')!.verdict, 'regression')
    assert.equal(c.rows.find((r) => r.id === 'search.p99Ms')!.verdict, 'no-data')
  })
})
