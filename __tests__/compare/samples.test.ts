import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { latencyWindowHistograms, rpsWindows } from '../../src/compare/samples.ts'
import type { EndpointLoad, LoadPart } from '../../src/record/load.ts'
import { ENDPOINTS, syntheticRecord } from './helpers.ts'

const LOAD = syntheticRecord({ seed: 60, windows: 6, endpoints: ENDPOINTS }).load as LoadPart
const feed = LOAD.endpoints.find((e) => e.name === 'feed')!
const withWindows = (windows: EndpointLoad['windows']): EndpointLoad => ({ ...feed, windows })
const w = (startMs: number, count: number) => ({ ...feed.windows[0]!, startMs, count })

describe('rpsWindows', () => {
  const cases: { name: string; windows: EndpointLoad['windows']; durationS: number; expected: number[] }[] = [
    {
      name: 'divides each count by the window length',
      windows: [w(0, 100), w(10_000, 50)],
      durationS: 20,
      expected: [10, 5],
    },
    {
      name: 'counts windows without requests as 0',
      windows: [w(0, 100), w(20_000, 50)],
      durationS: 30,
      expected: [10, 0, 5],
    },
    {
      name: 'counts trailing windows without requests as 0',
      windows: [w(0, 100)],
      durationS: 30,
      expected: [10, 0, 0],
    },
    {
      name: 'uses the real length of a last window cut short',
      windows: [w(0, 100), w(10_000, 40)],
      durationS: 18,
      expected: [10, 5],
    },
    {
      name: 'leaves out a last window shorter than half a window',
      windows: [w(0, 100), w(10_000, 4)],
      durationS: 12,
      expected: [10],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        rpsWindows(withWindows(c.windows), { ...LOAD, durationS: c.durationS, windowS: 10 }),
        c.expected,
      )
    })
  }
})

describe('latencyWindowHistograms', () => {
  it('gives each window its buckets in ms, counting every request of the window', () => {
    const histograms = latencyWindowHistograms(feed, 5)
    assert.equal(histograms.length, 6)
    histograms.forEach((h, i) => {
      assert.equal(
        h.counts.reduce((a, b) => a + b, 0),
        feed.windows[i]!.count,
      )
      assert.ok(
        h.values.every((v, j) => j === 0 || v > h.values[j - 1]!),
        'values ascend',
      )
      const p95 = feed.windows[i]!.p95Ms
      assert.ok(h.values[0]! <= p95 && p95 <= h.values.at(-1)! * 1.001, `p95 ${p95} is within the buckets`)
    })
  })

  it('leaves out windows with fewer requests than the minimum', () => {
    assert.equal(latencyWindowHistograms(withWindows([w(0, 3), w(10_000, 50)]), 5).length, 1)
  })
})
