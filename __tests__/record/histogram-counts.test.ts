// The fast paths over a histogram's counts (src/record/histogram-counts.ts) against hdr-histogram-js
// itself, on random histograms: the same base64, the same state after an add, the same percentiles.
// The library's own path is taken with 64-bit buckets (a Float64Array, which the fast paths leave
// to the library), so each case is computed both ways.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as hdr from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'
import {
  addHistogram,
  countsOf,
  encodeCompressedBase64,
  nonZeroIndexes,
  recordValue,
  unionIndexes,
} from '../../src/record/histogram-counts.ts'
import { interpolatedPercentiles } from '../../src/record/histogram.ts'

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const build = (bits: 32 | 64) =>
  hdr.build({
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    bitBucketSize: bits,
  })

/** Latencies in µs as runs give them: mostly a few ms, some zeros, a long tail, sometimes minutes. */
function values(next: () => number, n: number): number[] {
  const top = [2_000, 70_000, 3_000_000, 400_000_000][Math.floor(next() * 4)]!
  return Array.from({ length: n }, () => {
    const r = next()
    if (r < 0.05) return 0
    if (r < 0.1) return Math.floor(next() * 2048)
    return Math.floor(next() ** 3 * top)
  })
}

function pair(vs: number[]): [Histogram, Histogram] {
  const fast = build(32)
  const reference = build(64)
  for (const v of vs) {
    fast.recordValue(v)
    reference.recordValue(v)
  }
  return [fast, reference]
}

function state(h: Histogram) {
  const js = h as unknown as Record<string, number>
  return {
    totalCount: h.totalCount,
    maxValue: h.maxValue,
    minNonZeroValue: h.minNonZeroValue,
    highestTrackableValue: js.highestTrackableValue,
    countsArrayLength: js.countsArrayLength,
    encoded: hdr.encodeIntoCompressedBase64(h),
  }
}

test('the fast paths take 32-bit counts and leave other bucket sizes to the library', () => {
  assert.ok(countsOf(build(32)))
  assert.equal(countsOf(build(64)), undefined)
})

test('a histogram is encoded to the same base64 as hdr-histogram-js encodes it', () => {
  const next = random(1)
  const cases = [
    [],
    [0],
    [1],
    [5_000_000],
    ...Array.from({ length: 300 }, () => values(next, 1 + Math.floor(next() * 400))),
  ]
  for (const [i, vs] of cases.entries()) {
    const [fast] = pair(vs)
    assert.equal(encodeCompressedBase64(fast), hdr.encodeIntoCompressedBase64(fast), `case ${i}`)
  }
})

test('adding a histogram leaves the same counts, extremes and range as the library add, in either size order', () => {
  const next = random(2)
  for (let i = 0; i < 300; i++) {
    const [intoFast, intoReference] = pair(values(next, Math.floor(next() * 300)))
    const [other] = pair(values(next, Math.floor(next() * 300)))
    addHistogram(intoFast, other)
    intoReference.add(other)
    assert.deepEqual(state(intoFast), state(intoReference), `case ${i}`)
  }
})

test('interpolated percentiles read from the counts equal those read through the library', () => {
  const next = random(3)
  const ps = [0, 0.5, 0.9, 0.95, 0.99, 1]
  for (let i = 0; i < 300; i++) {
    const [fast, reference] = pair(values(next, 1 + Math.floor(next() * 500)))
    assert.deepEqual(interpolatedPercentiles(fast, ps), interpolatedPercentiles(reference, ps), `case ${i}`)
  }
})

test('recording a value with integer bucket arithmetic leaves the same state as the library, powers of two included', () => {
  const next = random(4)
  const edges = [0, 1, 2047, 2048, 2049, 4095, 4096, 2 ** 20 - 1, 2 ** 20, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]
  for (let i = 0; i < 300; i++) {
    const vs = i === 0 ? edges : values(next, Math.floor(next() * 300))
    const fast = build(32)
    const reference = build(32)
    for (const v of vs) {
      recordValue(fast, v)
      reference.recordValue(v)
    }
    assert.deepEqual(state(fast), state(reference), `case ${i}`)
  }
})

test('the non-zero indexes from the recorded values are those a scan of the counts finds, and sums take their union', () => {
  const next = random(5)
  for (let i = 0; i < 200; i++) {
    const vs = Uint32Array.from(values(next, Math.floor(next() * 300)))
    const [h] = pair([...vs])
    assert.deepEqual(nonZeroIndexes(h, vs), nonZeroIndexes(h), `case ${i}`)
    const [other] = pair(values(next, 50))
    const total = build(32)
    total.add(h)
    total.add(other)
    assert.deepEqual(
      unionIndexes([nonZeroIndexes(h)!, nonZeroIndexes(other)!]),
      nonZeroIndexes(total),
      `case ${i}`,
    )
  }
})
