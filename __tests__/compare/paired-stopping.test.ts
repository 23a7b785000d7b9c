// The paired stopping rule (issue 19, paired-max-duration): the looks' schedule, alpha split over
// them, when a look may end the load, the record's account, and the paired script's extension.
// The looks judge synthetic sides (seeded lognormal windows in real HDR histograms).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { judgePaired } from '../../src/compare/paired-load.ts'
import { pairedStopping } from '../../src/run/paired-looks.ts'
import {
  alphaPerLook,
  describeStopping,
  lookDecision,
  lookSchedule,
} from '../../src/compare/paired-stopping.ts'
import { DEFAULT_TOLERANCES } from '../../src/plan/defaults.ts'
import type { Plan } from '../../src/plan/types.ts'
import type { LoadPart } from '../../src/record/load.ts'
import type { PairedStopping } from '../../src/record/paired.ts'
import { parseRecord } from '../../src/record/io.ts'
import { extendedStages } from '../../src/run/paired-script.ts'
import type { AggregateResult } from '../../src/run/aggregate.ts'
import { ENDPOINTS, endpointsWith, syntheticRecord, type EndpointGen } from './helpers.ts'

const side = (seed: number, endpoints: EndpointGen[], windows: number): LoadPart =>
  syntheticRecord({ seed, endpoints, windows, windowS: 2 }).load as LoadPart

/** The paired judgement of two synthetic sides, with or without a stopping rule. */
const judgeSides = (current: LoadPart, base: LoadPart, stopping?: PairedStopping) =>
  judgePaired({
    design: 'simultaneous',
    current,
    base: {
      url: 'http://base:1',
      durationS: 60,
      vusMax: 10,
      overall: base.overall,
      endpoints: base.endpoints,
    },
    currentUrl: 'http://pr:2',
    tolerances: DEFAULT_TOLERANCES,
    ...(stopping ? { stopping } : {}),
  })

test('looks come at the scenario’s end and every 1.5× later, the last at the maximum', () => {
  assert.deepEqual(lookSchedule(60, 600), [60, 90, 135, 203, 304, 456, 600])
  assert.deepEqual(lookSchedule(90, 180), [90, 135, 180])
  // a look within 10 % of the maximum merges into it
  assert.deepEqual(lookSchedule(100, 160), [100, 160])
  assert.deepEqual(lookSchedule(100, 101), [100, 101])
  assert.equal(alphaPerLook(0.01, 7), 0.01 / 7)
})

test('with the stopping rule every row is judged at alpha / looks, and a look stops only when no gated row is open', () => {
  const stopping: PairedStopping = {
    maxDurationS: 600,
    looksAtS: lookSchedule(60, 600),
    alpha: 0.01,
    taken: [],
    ended: 'max-duration',
  }
  const current = side(2, endpointsWith({ search: { scale: 1.4 } }), 30)
  const base = side(3, ENDPOINTS, 30)
  const judge = (withStopping: boolean) => judgeSides(current, base, withStopping ? stopping : undefined)
  const plain = judge(false)
  const split = judge(true)
  assert.equal(plain.alpha, 0.01)
  assert.equal(split.alpha, 0.01 / 7)
  assert.deepEqual(split.stopping, stopping)
  // a wider interval at the smaller alpha, on the same data
  const width = (part: typeof plain, id: string) => {
    const row = part.rows.find((r) => r.id === id)!
    return row.interval[1] - row.interval[0]
  }
  assert.ok(width(split, 'search.p95Ms') > width(plain, 'search.p95Ms'))

  const decision = lookDecision(split)
  const open = split.rows
    .filter((r) => r.verdict === 'inconclusive' || r.verdict === 'no-data')
    .map((r) => r.id)
  assert.deepEqual(decision.open, open)
  assert.equal(decision.stop, open.length === 0)
  // a row short of pairs keeps the load going: more load may give it enough
  const short = {
    rows: split.rows.map((r, i) =>
      i === 0 ? { ...r, verdict: 'no-data' as const } : { ...r, verdict: 'unchanged' as const },
    ),
  }
  assert.deepEqual(lookDecision(short), { stop: false, open: [split.rows[0]!.id] })
  // an ungated row never does
  assert.equal(
    lookDecision({ rows: short.rows.map((r, i) => (i === 0 ? { ...r, gated: false } : r)) }).stop,
    true,
  )
})

test('the record says when and why the load ended, with the alpha of each look, and keeps it through result.json', () => {
  const resolved: PairedStopping = {
    maxDurationS: 600,
    looksAtS: [60, 90, 135, 203, 304, 456, 600],
    alpha: 0.01,
    taken: [
      { atS: 60, open: 3 },
      { atS: 91, open: 0 },
    ],
    ended: 'resolved',
  }
  assert.equal(
    describeStopping(resolved),
    'stopping rule: looked at 60 s, 91 s of load and stopped at 91 s of at most 10 min, every gated row resolved (each look judged at alpha 0.0014 = 0.01 / 7 looks)',
  )
  assert.equal(
    describeStopping({
      ...resolved,
      taken: [{ atS: 60, open: 3 }],
      ended: 'max-duration',
      maxDurationS: 90,
      looksAtS: [60, 90],
    }),
    'stopping rule: looked at 60 s of load; ran to the maximum of 90 s with gated rows still open (each look judged at alpha 0.0050 = 0.01 / 2 looks)',
  )
  const record = syntheticRecord({ seed: 1, endpoints: ENDPOINTS })
  const load = record.load as LoadPart
  record.paired = judgePaired({
    design: 'simultaneous',
    current: load,
    base: {
      url: 'http://base:1',
      durationS: 60,
      vusMax: 10,
      overall: load.overall,
      endpoints: load.endpoints,
    },
    currentUrl: 'http://pr:2',
    tolerances: DEFAULT_TOLERANCES,
    stopping: resolved,
  })
  assert.deepEqual(parseRecord(JSON.stringify(record), 'result.json').paired?.stopping, resolved)
  assert.throws(
    () =>
      parseRecord(
        JSON.stringify({
          ...record,
          paired: { ...record.paired, stopping: { ...resolved, ended: 'maybe' } },
        }),
        'result.json',
      ),
    /stopping/,
  )
})

test('the looks judge the load so far and log each decision; the record lists the looks taken', () => {
  const plan = {
    baselineUrl: 'http://base:1',
    targetUrl: 'http://pr:2',
    pairedMaxDurationS: 180,
    pairedDesign: 'simultaneous',
    scenario: { durationS: 60 },
    gate: { tolerances: { ...DEFAULT_TOLERANCES, p50: 5, p95: 5 } },
  } as unknown as Plan
  const lines: string[] = []
  const run = pairedStopping(plan, (line) => lines.push(line))!
  assert.deepEqual(run.looks.atS, [60, 90, 135, 180])
  assert.match(lines[0]!, /looks at 60, 90, 135, 180 s of load, each judged at alpha 0.01 \/ 4/)
  const snapshot = (seed: number): AggregateResult => {
    const load = side(seed, ENDPOINTS, 30)
    return {
      ...load,
      startMs: 0,
      endMs: 60_000,
      vusMax: 10,
      vusCurve: [],
      points: 0,
    } as unknown as AggregateResult
  }
  // +500 % allowed: every A/A row's interval is far below it, so the first look ends the load
  assert.equal(run.looks.decide({ current: snapshot(2), base: snapshot(3) }, 0), true)
  assert.match(lines[1]!, /^paired look 1 of 4 at 60 s of load: every gated row resolved, ending the load$/)
  assert.deepEqual(run.record(true), {
    maxDurationS: 180,
    looksAtS: [60, 90, 135, 180],
    alpha: 0.01,
    taken: [{ atS: 60, open: 0 }],
    ended: 'resolved',
    // whole 2-s windows ending a second or more before the last request the look saw
    judgedToS: 58,
  })
  // no base side seen yet: nothing to judge, the load goes on
  assert.equal(run.looks.decide({ current: snapshot(2) }, 1), false)
  assert.equal(run.record(false).ended, 'max-duration')
})

test('the paired script holds the last stage’s VUs until the maximum, or the peak’s when the stages end at 0', () => {
  const stages = [
    { duration: '10s', target: 6 },
    { duration: '50s', target: 20 },
  ]
  assert.deepEqual(extendedStages(stages, 180), [...stages, { duration: '120s', target: 20 }])
  assert.deepEqual(extendedStages(stages, undefined), stages)
  assert.deepEqual(extendedStages([...stages, { duration: '10s', target: 0 }], 100), [
    ...stages,
    { duration: '10s', target: 0 },
    { duration: '30s', target: 20 },
  ])
})

test('a run a look ended is judged on the windows that look judged, so its verdict is the look’s', () => {
  const current = side(2, ENDPOINTS, 30)
  const base = side(3, ENDPOINTS, 30)
  const stopping: PairedStopping = {
    maxDurationS: 180,
    looksAtS: [30, 45, 68, 101, 152, 180],
    alpha: 0.01,
    taken: [{ atS: 21, open: 0 }],
    ended: 'resolved',
    judgedToS: 20,
  }
  const judged = judgeSides(current, base, stopping)
  // 2-s windows starting at 0 … 18 s: ten, of the thirty each side has
  assert.ok(
    judged.rows.every((r) => r.pairs === 10),
    judged.rows.map((r) => r.pairs).join(','),
  )
  assert.match(describeStopping(stopping), /every gated row resolved on its first 20 s \(/)
})
