// What-if on recorded paired A/A runs (bench/gate.ts --paired --replay): the PR side's requests of
// one endpoint delayed by a constant (every recorded latency + d, as REGRESS_DELAY_MS does), and
// each paired test judged on it. One A/A record gives two such pairs (either side as the PR) and
// two A/A checks (either side as the base): the tests are compared on the machine's real noise.
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js'
import { judgePaired } from '../src/compare/paired-load.ts'
import type { PairedQuantileTest } from '../src/compare/paired-pooled.ts'
import { windowBuckets } from '../src/record/histogram.ts'
import type { EndpointLoad, LoadPart } from '../src/record/load.ts'
import type { PairedSide } from '../src/record/paired.ts'
import type { Tolerances } from '../src/plan/types.ts'

/** The endpoint's windows with every request `delayMs` slower. */
export function delayed(ep: EndpointLoad, delayMs: number): EndpointLoad {
  const windows = ep.windows.map((w) => {
    const b = windowBuckets(w)
    if (!b) return w
    const h = build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true })
    b.valuesMs.forEach((v, i) => h.recordValueWithCount(Math.round((v + delayMs) * 1000), b.counts[i]!))
    return {
      ...w,
      p50Ms: h.getValueAtPercentile(50) / 1000,
      p95Ms: h.getValueAtPercentile(95) / 1000,
      histogram: encodeIntoCompressedBase64(h),
    }
  })
  return { ...ep, windows, duration: { ...ep.duration, p95Ms: ep.duration.p95Ms + delayMs } }
}

export interface InjectTally {
  test: string
  /** A/A checks (each record both ways) with any regression row. */
  falseAlarms: number
  aa: number
  /** Injected pairs where the endpoint's p95 row is a regression. */
  detections: number
  ab: number
  /** Median half-width (relative) of the endpoint's p95 interval in the A/A checks: the test's resolution. */
  medianHalfWidth: number
}

type Sides = { pr: LoadPart; base: PairedSide }

function judge(s: Sides, tolerances: Tolerances, test: PairedQuantileTest) {
  return judgePaired({
    design: 'simultaneous',
    current: s.pr,
    base: s.base,
    currentUrl: 'pr',
    tolerances,
    test,
  })
}

/**
 * Each A/A paired record both ways round; for each of `shifts`, shift × the endpoint's p95 (mean
 * of the two sides) is the injected delay, as the live bench calibrates it. The A/A checks are
 * the same for every shift.
 */
export function injectTally(
  records: Sides[],
  endpoint: string,
  shifts: number[],
  tolerances: Tolerances,
  test: PairedQuantileTest,
  name: string,
): (InjectTally & { shift: number })[] {
  const out = shifts.map((shift) => ({
    shift,
    test: name,
    falseAlarms: 0,
    aa: 0,
    detections: 0,
    ab: 0,
    medianHalfWidth: NaN,
  }))
  const halves: number[] = []
  for (const r of records) {
    const swapped: Sides = {
      pr: { ...r.pr, endpoints: r.base.endpoints, overall: r.base.overall },
      base: { ...r.base, endpoints: r.pr.endpoints, overall: r.pr.overall },
    }
    for (const s of [r, swapped]) {
      const aa = judge(s, tolerances, test).rows
      const falseAlarm = aa.some((row) => row.verdict === 'regression')
      const mine = aa.find((x) => x.id === `${endpoint}.p95Ms`)
      if (mine && mine.verdict !== 'no-data') halves.push((mine.interval[1] - mine.interval[0]) / 2)
      const pr = s.pr.endpoints.find((e) => e.name === endpoint)
      const base = s.base.endpoints.find((e) => e.name === endpoint)
      for (const t of out) {
        t.aa++
        if (falseAlarm) t.falseAlarms++
        if (!pr || !base) continue
        const d = (t.shift * (pr.duration.p95Ms + base.duration.p95Ms)) / 2
        const injected = {
          ...s,
          pr: { ...s.pr, endpoints: s.pr.endpoints.map((e) => (e === pr ? delayed(e, d) : e)) },
        }
        t.ab++
        const row = judge(injected, tolerances, test).rows.find((x) => x.id === `${endpoint}.p95Ms`)
        if (row?.verdict === 'regression') t.detections++
      }
    }
  }
  halves.sort((a, b) => a - b)
  const median = halves.length ? halves[Math.floor(halves.length / 2)]! : NaN
  for (const t of out) t.medianHalfWidth = median
  return out
}
