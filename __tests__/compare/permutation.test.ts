// The window permutation tests (compare/stats.ts) against an independent brute force, and on
// windows whose requests are correlated: the case a per-request test gets wrong.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  mannWhitneyU,
  mulberry32,
  pooledProportionTest,
  pooledQuantileTest,
  type WindowHistogram,
} from '../../src/compare/stats.ts'

const OPTIONS = { resamples: 2000, level: 0.99, seed: 5 }

/** Raw latencies as a window histogram (distinct values ascending, counts). */
function histogramOf(values: number[]): WindowHistogram {
  const counts = new Map<number, number>()
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1)
  const sorted = [...counts.keys()].sort((a, b) => a - b)
  return { values: sorted, counts: sorted.map((v) => counts.get(v)!) }
}

function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!
}

/** Lognormal latencies (ms) for `windows` windows, each with its own random slowdown. */
function windowsOf(
  random: () => number,
  windows: number,
  perWindow: number,
  options: { medianMs?: number; scale?: number; windowNoise?: number } = {},
): number[][] {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  return Array.from({ length: windows }, () => {
    const windowFactor = Math.exp((options.windowNoise ?? 0.03) * normal())
    return Array.from(
      { length: perWindow },
      () =>
        Math.round(
          (options.medianMs ?? 10) * (options.scale ?? 1) * windowFactor * Math.exp(0.5 * normal()) * 1000,
        ) / 1000,
    )
  })
}

describe('pooledQuantileTest', () => {
  it('counts every split exactly when there are few, as a brute force over raw samples does', () => {
    const random = mulberry32(42)
    const base = windowsOf(random, 4, 30)
    const cur = windowsOf(random, 4, 30, { scale: 1.2 })
    const result = pooledQuantileTest(base.map(histogramOf), cur.map(histogramOf), 0.95, OPTIONS)
    // Brute force: all C(8, 4) ways to call four of the eight windows "current".
    const all = [...cur, ...base]
    const diff = (members: number[]) => {
      const c = members.flatMap((i) => all[i]!)
      const b = all.flatMap((w, i) => (members.includes(i) ? [] : w))
      return nearestRank(c, 0.95) - nearestRank(b, 0.95)
    }
    const observed = Math.abs(diff([0, 1, 2, 3]))
    let hits = 0
    let splits = 0
    for (let mask = 0; mask < 256; mask++) {
      const members = [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => mask & (1 << i))
      if (members.length !== 4) continue
      splits++
      if (Math.abs(diff(members)) >= observed - 1e-9) hits++
    }
    assert.equal(result.exact, true)
    assert.equal(result.permutations, splits)
    assert.equal(result.pValue, hits / splits)
    assert.equal(result.current, nearestRank(cur.flat(), 0.95))
    assert.equal(result.baseline, nearestRank(base.flat(), 0.95))
  })

  it('finds a +30% shift of every window with p < 0.01 and an interval above 0', () => {
    const random = mulberry32(7)
    const base = windowsOf(random, 45, 30).map(histogramOf)
    const cur = windowsOf(random, 45, 30, { scale: 1.3 }).map(histogramOf)
    const result = pooledQuantileTest(base, cur, 0.95, OPTIONS)
    assert.equal(result.exact, false)
    assert.equal(result.permutations, OPTIONS.resamples)
    assert.ok(result.pValue < 0.01, `${result.pValue}`)
    assert.ok(result.ci && result.ci[0] > 0 && result.ci[1] > result.ci[0], `${result.ci}`)
  })

  it('the same distribution twice is not significant', () => {
    const random = mulberry32(8)
    const base = windowsOf(random, 45, 30).map(histogramOf)
    const cur = windowsOf(random, 45, 30).map(histogramOf)
    const result = pooledQuantileTest(base, cur, 0.95, OPTIONS)
    assert.ok(result.pValue > 0.05, `${result.pValue}`)
    assert.ok(result.ci && result.ci[0] < 0 && result.ci[1] > 0, `${result.ci}`)
  })

  it('treats windows, not requests, as the units: correlated requests do not fake significance', () => {
    // Every window has its own slowdown (sd 0.4 in log terms); two runs of 6 windows differ only by
    // which slowdowns they drew. Over 40 such A/A pairs a rank test over single requests calls most
    // of them a change at 0.01; the window test stays near its nominal 1 %.
    let perRequestHits = 0
    let windowHits = 0
    for (let seed = 1; seed <= 40; seed++) {
      const random = mulberry32(seed)
      const base = windowsOf(random, 6, 100, { windowNoise: 0.4 })
      const cur = windowsOf(random, 6, 100, { windowNoise: 0.4 })
      if (mannWhitneyU(cur.flat(), base.flat()).pValue < 0.01) perRequestHits++
      const windowed = pooledQuantileTest(base.map(histogramOf), cur.map(histogramOf), 0.5, {
        ...OPTIONS,
        seed,
      })
      if (windowed.pValue < 0.01) windowHits++
    }
    assert.ok(perRequestHits >= 20, `per-request test: ${perRequestHits} of 40 significant`)
    assert.ok(windowHits <= 2, `window test: ${windowHits} of 40 significant`)
  })

  it('is deterministic for a seed', () => {
    const random = mulberry32(9)
    const base = windowsOf(random, 30, 20).map(histogramOf)
    const cur = windowsOf(random, 30, 20, { scale: 1.1 }).map(histogramOf)
    assert.deepEqual(
      pooledQuantileTest(base, cur, 0.95, OPTIONS),
      pooledQuantileTest(base, cur, 0.95, OPTIONS),
    )
  })
})

describe('pooledProportionTest', () => {
  const windows = (random: () => number, n: number, perWindow: number, rate: number) =>
    Array.from({ length: n }, () => {
      let events = 0
      for (let i = 0; i < perWindow; i++) if (random() < rate) events++
      return { events, total: perWindow }
    })

  it('finds 1% → 5% failed requests', () => {
    const random = mulberry32(3)
    const result = pooledProportionTest(windows(random, 45, 20, 0.01), windows(random, 45, 20, 0.05), OPTIONS)
    assert.ok(result.current > result.baseline)
    assert.ok(result.pValue < 0.01, `${result.pValue}`)
  })

  it('does not find a change that is not there, and pools windows of any size', () => {
    const random = mulberry32(4)
    const result = pooledProportionTest(windows(random, 45, 3, 0.05), windows(random, 45, 3, 0.05), OPTIONS)
    assert.ok(result.pValue > 0.05, `${result.pValue}`)
  })

  it('has no interval when the baseline had no failures (a ratio to 0 means nothing)', () => {
    const random = mulberry32(5)
    const result = pooledProportionTest(windows(random, 10, 20, 0), windows(random, 10, 20, 0.1), OPTIONS)
    assert.equal(result.ci, undefined)
    assert.ok(result.pValue < 0.01, `${result.pValue}`)
  })
})
