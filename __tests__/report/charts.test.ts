// The latency-over-time figure: windows merged into steps, from the histograms decoded once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { latencySeries } from '../../src/report/charts.ts'
import {
  decodeHistogram,
  encodeHistogram,
  interpolatedPercentile,
  newHistogram,
  windowBuckets,
} from '../../src/record/histogram.ts'
import type { EndpointLoad, LoadPart, LoadWindow } from '../../src/record/load.ts'

/** A 2-second window whose requests took `latenciesMs`. */
function windowOf(startMs: number, latenciesMs: number[]): LoadWindow {
  const h = newHistogram()
  for (const ms of latenciesMs) h.recordValue(Math.round(ms * 1000))
  return {
    startMs,
    count: latenciesMs.length,
    errors: 0,
    p50Ms: h.getValueAtPercentile(50) / 1000,
    p95Ms: h.getValueAtPercentile(95) / 1000,
    histogram: encodeHistogram(h),
  }
}

function loadOf(windows: LoadWindow[]): LoadPart {
  const ep = { name: 'feed', count: 0, windows } as unknown as EndpointLoad
  return { durationS: 20, windowS: 2, endpoints: [ep] } as unknown as LoadPart
}

/** Five windows of 2 s (one 10-second step): mostly fast requests, a slow tail in the last two. */
function stepWindows(): LoadWindow[] {
  const fast = Array.from({ length: 40 }, (_, i) => 5 + i * 0.25)
  return [0, 2000, 4000, 6000, 8000].map((startMs, i) =>
    windowOf(startMs, i >= 3 ? [...fast, 80, 90, 100, 120] : fast),
  )
}

test("a step's p95 is the interpolated p95 of its windows' histograms merged", () => {
  const windows = stepWindows()
  const merged = newHistogram()
  for (const w of windows) merged.add(decodeHistogram(w.histogram))
  const expected = interpolatedPercentile(merged, 0.95) / 1000

  const { step, series } = latencySeries(loadOf(windows))
  assert.equal(step, 10)
  assert.equal(series.length, 1)
  assert.equal(series[0]!.points.length, 1)
  assert.ok(
    Math.abs(series[0]!.points[0]!.p95Ms - expected) < 0.01,
    `${series[0]!.points[0]!.p95Ms} vs ${expected}`,
  )
  // Not simply the highest window p95: the merged tail is thinner than the slowest window's.
  assert.ok(series[0]!.points[0]!.p95Ms < Math.max(...windows.map((w) => w.p95Ms)))
})

test('the figure reuses the histograms already decoded for the comparison instead of decoding them again', () => {
  const windows = stepWindows()
  const before = latencySeries(loadOf(windows)).series[0]!.points[0]!.p95Ms
  // Every window was decoded once (windowBuckets memoises per window object); a second decode of
  // the now unreadable text would fall back to the highest window p95.
  for (const w of windows) {
    assert.ok(windowBuckets(w))
    w.histogram = 'not a histogram'
  }
  assert.equal(latencySeries(loadOf(windows)).series[0]!.points[0]!.p95Ms, before)
})

test('an unreadable window histogram gives the step its highest window p95', () => {
  const windows = stepWindows()
  windows[1] = { ...windows[1]!, histogram: 'not a histogram' }
  const point = latencySeries(loadOf(windows)).series[0]!.points[0]!
  assert.equal(point.p95Ms, Math.max(...windows.map((w) => w.p95Ms)))
})
