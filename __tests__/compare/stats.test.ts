import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  bootstrapRelativeChange,
  hashSeed,
  mannWhitneyU,
  mulberry32,
  normalCdf,
} from '../../src/compare/stats.ts'

describe('normalCdf', () => {
  const cases: [number, number][] = [
    [0, 0.5],
    [1.959964, 0.975],
    [-1.959964, 0.025],
    [2.575829, 0.995],
    [-3, 0.0013499],
  ]
  for (const [z, expected] of cases) {
    it(`gives ${expected} at z = ${z}`, () => {
      assert.ok(Math.abs(normalCdf(z) - expected) < 1e-6, `${normalCdf(z)}`)
    })
  }
})

describe('mannWhitneyU', () => {
  const cases: {
    name: string
    a: number[]
    b: number[]
    u: number
    p: number
  }[] = [
    // R: wilcox.test(1:5, 6:10, exact = FALSE) gives W = 0, p-value = 0.01219.
    {
      name: 'fully separated samples of five give p = 0.0122',
      a: [1, 2, 3, 4, 5],
      b: [6, 7, 8, 9, 10],
      u: 0,
      p: 0.01219,
    },
    // By hand: ranks 1.5 1.5 4.5 4.5 | 4.5 4.5 7.5 7.5, U = 2, tie-corrected var = 10.286,
    // z = (2 - 8 + 0.5) / 3.207 = -1.715.
    {
      name: 'ties are ranked by their mean and correct the variance',
      a: [1, 1, 2, 2],
      b: [2, 2, 3, 3],
      u: 2,
      p: 0.0864,
    },
    { name: 'identical samples give p = 1', a: [3, 3, 3, 3, 3], b: [3, 3, 3, 3, 3], u: 12.5, p: 1 },
    { name: 'interleaved samples give a large p', a: [1, 3, 5, 7, 9], b: [2, 4, 6, 8, 10], u: 10, p: 0.676 },
  ]
  for (const c of cases) {
    it(`${c.name} (normal approximation)`, () => {
      const r = mannWhitneyU(c.a, c.b, { exact: false })
      assert.equal(r.u, c.u)
      assert.ok(Math.abs(r.pValue - c.p) < 1e-3, `p = ${r.pValue}`)
    })
  }

  it('is symmetric: swapping the samples flips z and keeps p', () => {
    const a = [5, 7, 9, 11, 13, 2]
    const b = [1, 2, 3, 4, 6, 8]
    const ab = mannWhitneyU(a, b)
    const ba = mannWhitneyU(b, a)
    assert.equal(ab.pValue, ba.pValue)
    assert.equal(ab.z, -ba.z)
    assert.ok(ab.z > 0)
    assert.equal(ab.superiority + ba.superiority, 1)
  })
})

/** The oracle: every way of splitting the pooled values into groups of the same sizes. */
function bruteForceP(a: number[], b: number[]): number {
  const pooled = [...a, ...b]
  const ranks = pooled.map((v) => {
    const below = pooled.filter((x) => x < v).length
    const equal = pooled.filter((x) => x === v).length
    return below + (equal + 1) / 2
  })
  const rankSum = (idx: number[]) => idx.reduce((sum, i) => sum + ranks[i]!, 0)
  const mean = (a.length * (pooled.length + 1)) / 2
  const observed = Math.abs(rankSum(a.map((_, i) => i)) - mean)
  let extreme = 0
  let all = 0
  const choose = (start: number, picked: number[]) => {
    if (picked.length === a.length) {
      all++
      if (Math.abs(rankSum(picked) - mean) >= observed - 1e-9) extreme++
      return
    }
    for (let i = start; i < pooled.length; i++) choose(i + 1, [...picked, i])
  }
  choose(0, [])
  return extreme / all
}

describe('mannWhitneyU, exact for small samples', () => {
  const cases: [string, number[], number[]][] = [
    // R: wilcox.test(1:5, 6:10) gives p-value = 0.007937 (exact).
    ['fully separated samples of five reach p < 0.01', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]],
    ['interleaved samples of five', [1, 3, 5, 7, 9], [2, 4, 6, 8, 10]],
    ['tied values', [1, 1, 2, 2], [2, 2, 3, 3]],
    ['unequal sizes with ties', [12.5, 14, 14, 19, 22, 23.5], [9, 11, 12.5, 13, 14, 15, 16, 18]],
  ]
  for (const [name, a, b] of cases) {
    it(`${name}: the p-value equals the full permutation count`, () => {
      const r = mannWhitneyU(a, b)
      assert.ok(
        Math.abs(r.pValue - bruteForceP(a, b)) < 1e-12,
        `p = ${r.pValue}, oracle ${bruteForceP(a, b)}`,
      )
    })
  }

  it('five windows a side that all moved are significant at 0.01, as the approximation could not say', () => {
    const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    assert.ok(Math.abs(r.pValue - 0.007937) < 1e-6)
    assert.ok(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], { exact: false }).pValue > 0.01)
  })

  it('larger samples use the normal approximation', () => {
    const a = Array.from({ length: 20 }, (_, i) => i)
    const b = Array.from({ length: 20 }, (_, i) => i + 5)
    assert.equal(mannWhitneyU(a, b).pValue, mannWhitneyU(a, b, { exact: false }).pValue)
  })
})

describe('bootstrapRelativeChange', () => {
  it('is deterministic for a seed', () => {
    const a = [10, 12, 11, 13, 12, 14]
    const b = [10, 9, 11, 10, 12, 10]
    const options = { resamples: 1000, level: 0.99, seed: 42 }
    assert.deepEqual(bootstrapRelativeChange(a, b, options), bootstrapRelativeChange(a, b, options))
  })

  it('brackets a known +30% change', () => {
    const random = mulberry32(7)
    const b = Array.from({ length: 18 }, () => 100 * (1 + 0.05 * (random() - 0.5)))
    const a = b.map((v) => v * 1.3)
    const ci = bootstrapRelativeChange(a, b, { resamples: 2000, level: 0.99, seed: 1 })
    assert.ok(ci && ci[0] < 0.3 && ci[1] > 0.3 && ci[0] > 0.2, `${ci}`)
  })

  it('has no interval when the baseline mean can be 0', () => {
    assert.equal(
      bootstrapRelativeChange([0.01, 0.02], [0, 0, 0], { resamples: 100, level: 0.95, seed: 1 }),
      undefined,
    )
  })
})

describe('seeds', () => {
  it('mulberry32 repeats its sequence for the same seed', () => {
    const a = mulberry32(3)
    const b = mulberry32(3)
    for (let i = 0; i < 5; i++) assert.equal(a(), b())
  })

  it('hashSeed differs between row ids', () => {
    assert.notEqual(hashSeed('search.p95Ms'), hashSeed('search.p99Ms'))
  })
})
