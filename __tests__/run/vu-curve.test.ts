import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_VU_SEGMENTS, vuCurve } from '../../src/run/vu-curve.ts'

const perSecond = (values: number[]) => values.map((v, i) => [(i + 1) * 1000, v] as const)

test('a ramp, a hold and a ramp down are three segments', () => {
  const curve = vuCurve(perSecond([2, 4, 6, 6, 6, 6, 6, 3, 0]))
  assert.deepEqual(curve, [
    { startS: 1, durationS: 2, fromVUs: 2, toVUs: 6 },
    { startS: 3, durationS: 4, fromVUs: 6, toVUs: 6 },
    { startS: 7, durationS: 2, fromVUs: 6, toVUs: 0 },
  ])
})

test('a slow ramp that repeats values for a second or two stays one ramp', () => {
  const curve = vuCurve(perSecond([0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3]))
  assert.deepEqual(
    curve.map((s) => [s.fromVUs, s.toVUs]),
    [
      [0, 0],
      [0, 3],
      [3, 3],
    ],
  )
})

test('samples out of order are sorted; none gives no curve', () => {
  assert.deepEqual(vuCurve([]), [])
  const curve = vuCurve([
    [3000, 5],
    [1000, 5],
    [2000, 5],
  ])
  assert.deepEqual(curve, [{ startS: 1, durationS: 2, fromVUs: 5, toVUs: 5 }])
})

test('a jagged curve is cut to the limit, its rest folded with its peak', () => {
  const values = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : i % 10 === 1 ? 9 : 4))
  const curve = vuCurve(perSecond(values))
  assert.equal(curve.length, MAX_VU_SEGMENTS)
  const last = curve.at(-1)!
  assert.equal(last.maxVUs, 9)
  assert.equal(last.startS + last.durationS, 200)
})
