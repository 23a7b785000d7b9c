import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  comparePaired,
  inconclusiveSentence,
  pairedLogRatios,
  signFlipTest,
  stoppingDecision,
} from '../../src/compare/paired.ts'
import { holmAdjust, mulberry32 } from '../../src/compare/stats.ts'

/** Window values that share a common-mode drift (the machine getting busier) on both sides. */
function sides(n: number, shift: number, seed: number): { base: number[]; current: number[] } {
  const random = mulberry32(seed)
  const base: number[] = []
  const current: number[] = []
  for (let i = 0; i < n; i++) {
    const common = 40 * (1 + 0.5 * Math.sin(i / 3)) // ±50 % load swing shared by both sides
    base.push(common * (1 + 0.03 * (random() - 0.5)))
    current.push(common * (1 + shift) * (1 + 0.03 * (random() - 0.5)))
  }
  return { base, current }
}

describe('signFlipTest', () => {
  it('gives p = 2/2^n exactly when every one of n pairs rises', () => {
    const t = signFlipTest([1, 2, 3, 4, 5])
    assert.equal(t.exact, true)
    assert.equal(t.p, 2 / 32)
  })
  it('gives p = 1 for differences that cancel', () => {
    assert.equal(signFlipTest([1, -1, 2, -2]).p, 1)
  })
  it('samples above 16 pairs and still finds a consistent rise', () => {
    const t = signFlipTest(Array.from({ length: 40 }, (_, i) => 0.1 + (i % 3) * 0.01))
    assert.equal(t.exact, false)
    assert.ok(t.p < 0.001, `${t.p}`)
  })
})

describe('holmAdjust', () => {
  it('multiplies the smallest p by the number of rows and keeps the adjusted order monotone', () => {
    assert.deepEqual(holmAdjust([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
  })
  it('caps adjusted p-values at 1', () => {
    assert.deepEqual(holmAdjust([0.5, 0.9]), [1, 1])
  })
})

describe('pairedLogRatios', () => {
  it('leaves out pairs where a side has no positive value and removes the given drift', () => {
    const d = pairedLogRatios([10, 0, 20], [20, 5, 20], Math.log(2))
    assert.equal(d.length, 2)
    assert.ok(Math.abs(d[0]!) < 1e-12)
    assert.ok(Math.abs(d[1]! + Math.log(2)) < 1e-12)
  })
})

describe('comparePaired', () => {
  it('calls a +10 % shift a regression although a common-mode swing of ±50 % moves both sides', () => {
    const { base, current } = sides(30, 0.1, 1)
    const [row] = comparePaired([{ key: 'clip_detail p95', base, current, tolerance: 0.05, gated: true }], {
      alpha: 0.05,
    })
    assert.equal(row!.verdict, 'regression')
    assert.ok(row!.interval[0] > 0.08 && row!.interval[1] < 0.12, `${row!.interval}`)
  })
  it('calls two equal sides unchanged under the same swing', () => {
    const { base, current } = sides(30, 0, 2)
    const [row] = comparePaired([{ key: 'feed p95', base, current, tolerance: 0.05, gated: true }], {
      alpha: 0.05,
    })
    assert.equal(row!.verdict, 'unchanged')
  })
  it('names an improvement when the PR side is significantly faster', () => {
    const { base, current } = sides(30, -0.2, 3)
    const [row] = comparePaired([{ key: 'search p95', base, current, tolerance: 0.1, gated: true }], {
      alpha: 0.05,
    })
    assert.equal(row!.verdict, 'improvement')
  })
  it('adjusts p-values across rows with Holm, so a lone borderline row among many is not a regression', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      key: `r${i}`,
      ...sides(8, 0, 10 + i),
      tolerance: 0.05,
      gated: true,
    }))
    const out = comparePaired(rows, { alpha: 0.05 })
    for (const r of out) assert.ok(r.pAdjusted >= r.p)
    assert.ok(out.every((r) => r.verdict !== 'regression'))
  })
  it('leaves a shift near the tolerance inconclusive with the pairs that would resolve it', () => {
    const random = mulberry32(7)
    const base = Array.from({ length: 6 }, () => 40)
    const current = base.map((b) => b * (1.1 + 0.2 * (random() - 0.5)))
    const [row] = comparePaired([{ key: 'vote p95', base, current, tolerance: 0.1, gated: true }], {
      alpha: 0.05,
    })
    assert.equal(row!.verdict, 'inconclusive')
    assert.ok((row!.morePairs ?? 0) > 0)
  })
})

describe('stoppingDecision', () => {
  it('stops once every gated interval excludes its tolerance', () => {
    const rows = comparePaired([{ key: 'a', ...sides(30, 0, 4), tolerance: 0.1, gated: true }], {
      alpha: 0.05,
    })
    assert.deepEqual(stoppingDecision(rows, 2, 10), { stop: true, open: [] })
  })
  it('goes on while an interval straddles the tolerance and says how long would resolve it when time is up', () => {
    const base = [40, 40, 40, 40, 40, 40]
    // +23 % [+2 %, +49 %]: far enough from the tolerance to resolve within the hour
    const current = [44, 60, 40, 58, 42, 56]
    const rows = comparePaired([{ key: 'vote p95', base, current, tolerance: 0.1, gated: true }], {
      alpha: 0.05,
    })
    const running = stoppingDecision(rows, 3, 10)
    assert.equal(running.stop, false)
    assert.deepEqual(running.open, ['vote p95'])
    const late = stoppingDecision(rows, 10, 10)
    assert.equal(late.stop, true)
    const half = (rows[0]!.interval[1] - rows[0]!.interval[0]) / 2
    // 6 pairs in 10 minutes: the pairs it needs at that pace
    const minutes = Math.ceil((rows[0]!.morePairs! * 10) / 6)
    assert.equal(
      inconclusiveSentence(late),
      `inconclusive (vote p95): vote p95 at ±${(half * 100).toFixed(1)} % needs about ${minutes} more minutes of paired load to clear its 10 % tolerance`,
    )
  })
  it('takes the minutes a row needs from its recent pace, not the average of a ramp', () => {
    const base = [40, 40, 40, 40, 40, 40]
    const current = [44, 48, 40, 46, 41, 45]
    // 600 requests so far over 3 minutes, but 400 a minute now (the ramp is over)
    const pace = { requests: 600, recentPerMinute: 400 }
    const [row] = comparePaired([{ key: 'vote p95', base, current, tolerance: 0.1, gated: true, pace }], {
      alpha: 0.05,
    })
    const lacking = row!.morePairs! / row!.pairs
    assert.equal(stoppingDecision([row!], 3, 3).slowest?.moreMinutes, Math.ceil((lacking * 600) / 400))
    const [flat] = comparePaired([{ key: 'vote p95', base, current, tolerance: 0.1, gated: true }], {
      alpha: 0.05,
    })
    assert.equal(stoppingDecision([flat!], 3, 3).slowest?.moreMinutes, Math.ceil(lacking * 3))
  })
  it('names the open row that needs the longest, with its own width, among several', () => {
    const base = [40, 40, 40, 40, 40, 40]
    const rows = comparePaired(
      [
        { key: 'near', base, current: [44, 60, 40, 58, 42, 56], tolerance: 0.1, gated: true },
        { key: 'wide', base, current: [36, 64, 38, 62, 40, 60], tolerance: 0.1, gated: true },
      ],
      { alpha: 0.05 },
    )
    const decision = stoppingDecision(rows, 10, 10)
    assert.deepEqual(decision.open, ['near', 'wide'])
    const slowest = rows.reduce((a, b) => ((b.morePairs ?? Infinity) > (a.morePairs ?? Infinity) ? b : a))
    assert.equal(decision.slowest?.key, slowest.key)
    assert.equal(decision.slowest?.halfWidth, (slowest.interval[1] - slowest.interval[0]) / 2)
    assert.match(
      inconclusiveSentence(decision)!,
      new RegExp(
        `^inconclusive \\(near, wide\\): the slowest, ${slowest.key} at ±\\d+\\.\\d %, needs about \\d+ more minutes`,
      ),
    )
  })
  it('says how far a row sits from its tolerance when clearing it would take hours or days', () => {
    const decision = (moreMinutes: number, open = ['clip_detail p95', 'feed p95']) => ({
      stop: true,
      open,
      slowest: { key: 'clip_detail p95', halfWidth: 0.119, change: 0.098, tolerance: 0.1, moreMinutes },
    })
    assert.equal(
      inconclusiveSentence(decision(14662)),
      'inconclusive (clip_detail p95, feed p95): the slowest, clip_detail p95 at +9.8 % ±11.9 %, is 0.2 points from its 10 % tolerance, so its interval would clear it only after over two days more of paired load',
    )
    assert.equal(
      inconclusiveSentence(decision(300, ['clip_detail p95'])),
      'inconclusive (clip_detail p95): clip_detail p95 at +9.8 % ±11.9 %, is 0.2 points from its 10 % tolerance, so its interval would clear it only after about 5 more hours of paired load',
    )
    // up to 90 minutes it stays a number of minutes
    assert.match(inconclusiveSentence(decision(90))!, /needs about 90 more minutes of paired load/)
  })
  it('ignores rows that cannot fail the gate', () => {
    const base = [40, 40, 40, 40]
    const rows = comparePaired(
      [{ key: 'x', base, current: [44, 48, 40, 46], tolerance: 0.1, gated: false }],
      { alpha: 0.05 },
    )
    assert.equal(stoppingDecision(rows, 1, 10).stop, true)
  })
})
