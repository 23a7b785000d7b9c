// perfgate's Student t quantile against @stdlib's (a dev dependency, used here as the oracle).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import stdlibQuantile from '@stdlib/stats-base-dists-t-quantile'
import { tCdf, tQuantile } from '../../src/compare/t-quantile.ts'

describe('tQuantile', () => {
  const dfs = [1, 2, 3, 4, 5, 7, 10, 20, 50, 100, 1000]
  const ps = [0.005, 0.025, 0.1, 0.5, 0.6, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995]
  for (const df of dfs) {
    it(`matches @stdlib for ${df} degrees of freedom`, () => {
      for (const p of ps) {
        const expected = stdlibQuantile(p, df)
        const actual = tQuantile(p, df)
        const error = expected === 0 ? Math.abs(actual) : Math.abs(actual / expected - 1)
        assert.ok(error < 1e-7, `p ${p}: ${actual} vs ${expected}`)
      }
    })
  }

  it('is the inverse of its CDF', () => {
    for (const df of [2, 4, 9])
      for (const p of [0.01, 0.3, 0.995]) assert.ok(Math.abs(tCdf(tQuantile(p, df), df) - p) < 1e-10)
  })

  it('is NaN outside (0, 1) or without degrees of freedom', () => {
    assert.ok(Number.isNaN(tQuantile(0, 3)))
    assert.ok(Number.isNaN(tQuantile(1, 3)))
    assert.ok(Number.isNaN(tQuantile(0.9, 0)))
  })
})
