// Judging of `bench/gate.ts --paired` parts (live and --replay): the sequential pairs as today's
// gate judges them against a stored baseline, the paired runs on their own two sides, each at the
// bench's tolerances, and what-ifs (another tolerance; other paired tests) on the same records.
import { judgeRecord } from '../src/pipeline.ts'
import type { RunRecord } from '../src/record/index.ts'
import type { EndpointLoad } from '../src/record/load.ts'
import type { Plan } from '../src/plan/types.ts'
import { judgePaired } from '../src/compare/paired-load.ts'
import { DEFAULT_PAIRED_TEST, type PairedQuantileTest } from '../src/compare/paired-pooled.ts'
import { lookDecision } from '../src/compare/paired-stopping.ts'
import type { PairedStopping } from '../src/record/paired.ts'
import { loadPlan } from '../src/plan/load.ts'
import { injectTally, type InjectTally } from './gate-paired-inject.ts'
import {
  calibrationTallies,
  formatCalibration,
  median,
  switchedSe,
  type SwitchedSe,
  type CalibrationTally,
  type JudgedPaired,
} from './gate-paired-calibration.ts'

/** The endpoint's p95 in the PR side's load (and, for a paired record, the base side's). */
export function p95Of(record: RunRecord, endpoint: string, side: 'pr' | 'base' = 'pr'): number {
  if (side === 'base')
    return record.paired?.base.endpoints.find((e) => e.name === endpoint)?.duration.p95Ms ?? NaN
  const load = record.load
  if (!('endpoints' in load)) return NaN
  return load.endpoints.find((e) => e.name === endpoint)?.duration.p95Ms ?? NaN
}

/** The judging plan (no load): the bench's tolerance on p50/p95, the rest at the defaults. */
export async function judgingPlan(tolerance: number, scratch: string, baselineUrl?: string): Promise<Plan> {
  const plan = await loadPlan(
    {
      'target-url': 'http://127.0.0.1:1',
      ...(baselineUrl ? { 'baseline-url': baselineUrl } : {}),
      'fail-on': 'regression',
      baseline: 'none',
      'output-dir': scratch,
    },
    { cwd: scratch, env: process.env },
  )
  plan.gate.tolerances = { ...plan.gate.tolerances, p50: tolerance, p95: tolerance }
  return plan
}

export interface PartRun {
  label: string
  /** paired-*: simultaneous design; alt-*: the same pair of runs in the alternating design. */
  kind: 'seq-a' | 'seq-b' | 'paired-aa' | 'paired-ab' | 'alt-aa' | 'alt-ab'
  startedAt: string
  loadAvg: number
  regressDelayMs: number
  record: RunRecord
}

export interface Part {
  dir: string
  runs: PartRun[]
  delayMs: number
  pairedDelayMs: number
}

interface PairVerdict {
  pair: string
  kind: 'A/A' | 'A/B'
  gateFailed: boolean
  /** The endpoint's p95 row is a regression. */
  endpointP95Regression: boolean
  /** Measured p95 change of the endpoint, PR vs base. */
  shift: number
  regressions: string[]
  endpointP95Evidence?: string
}

/** The run kinds of one paired design: its A/A and its A/B runs. */
interface DesignKinds {
  aa: PartRun['kind']
  ab: PartRun['kind']
}
const SIMULTANEOUS: DesignKinds = { aa: 'paired-aa', ab: 'paired-ab' }
const ALTERNATING: DesignKinds = { aa: 'alt-aa', ab: 'alt-ab' }
const pairKind = (kinds: DesignKinds, r: PartRun): 'A/A' | 'A/B' | undefined =>
  r.kind === kinds.aa ? 'A/A' : r.kind === kinds.ab ? 'A/B' : undefined

export interface Tally {
  design: 'sequential' | 'paired' | 'alternating'
  test: string
  tolerance: number
  falseAlarms: number
  aa: number
  detections: number
  ab: number
  /** A/B pairs whose gate failed at all. */
  abGateFailed: number
  /** The stopping rule's replay: mean seconds of load judged (A/A, A/B). */
  meanLoadS?: { aa: number; ab: number }
}

export interface Judged {
  parts: string[]
  endpoint: string
  delayMs: number[]
  pairedDelayMs: number[]
  loadAvg: { min: number; median: number; max: number }
  tallies: Tally[]
  /** Delays injected into the recorded A/A paired runs (gate-paired-inject.ts). */
  injected: (InjectTally & { shift: number })[]
  pairs: { sequential: PairVerdict[]; paired: PairVerdict[]; alternating?: PairVerdict[] }
  /** The paired rows of every run as draws from the null (gate-paired-calibration.ts). */
  calibration: CalibrationTally[]
  switchedSe: SwitchedSe
  /** The same for the alternating design's runs, when the parts have any. */
  alternating?: { calibration: CalibrationTally[]; switchedSe: SwitchedSe }
  /** Per paired design, its endpoint p95 rows over every run (A/A and A/B): what one run resolves. */
  designs: DesignWidth[]
  alpha: number
}

function verdictOf(
  kind: 'A/A' | 'A/B',
  pair: string,
  record: RunRecord,
  plan: Plan,
  endpoint: string,
  base?: RunRecord,
): PairVerdict {
  const { comparison, gate } = judgeRecord(record, plan, {
    ...(base ? { baseline: base } : {}),
    history: [],
    source: 'path',
    notes: [],
  })
  const row = comparison.rows.find((r) => r.endpoint === endpoint && r.metric === 'p95Ms')
  const baseP95 = base ? p95Of(base, endpoint) : p95Of(record, endpoint, 'base')
  return {
    pair,
    kind,
    gateFailed: gate.failed,
    endpointP95Regression: row?.verdict === 'regression',
    shift: p95Of(record, endpoint) / baseP95 - 1,
    regressions: gate.regressions,
    ...(row ? { endpointP95Evidence: row.message } : {}),
  }
}

/** The sequential pairs: A/A = consecutive A runs over all parts, A/B = each B with the A before it. */
function sequentialPairs(parts: Part[], plan: Plan, endpoint: string): PairVerdict[] {
  const out: PairVerdict[] = []
  let lastA: PartRun | undefined
  for (const part of parts)
    for (const r of part.runs) {
      const name = (x: PartRun) => `${part.dir.split('/').pop()}/${x.label}`
      if (r.kind === 'seq-a') {
        if (lastA)
          out.push(verdictOf('A/A', `${name(lastA)}→${r.label}`, r.record, plan, endpoint, lastA.record))
        lastA = r
      } else if (r.kind === 'seq-b' && lastA)
        out.push(verdictOf('A/B', `${name(lastA)}→${r.label}`, r.record, plan, endpoint, lastA.record))
    }
  return out
}

/** The endpoints' windows that start before `ms` (the first part of a longer paired run). */
function truncated<T extends { endpoints: EndpointLoad[] }>(part: T, ms: number): T {
  return {
    ...part,
    endpoints: part.endpoints.map((e) => ({ ...e, windows: e.windows.filter((w) => w.startMs < ms) })),
  }
}

function pairedPairs(
  parts: Part[],
  plan: Plan,
  endpoint: string,
  test?: PairedQuantileTest,
  firstS?: number,
  kinds: DesignKinds = SIMULTANEOUS,
): PairVerdict[] {
  return parts.flatMap((part) =>
    part.runs
      .filter((r) => pairKind(kinds, r) !== undefined)
      .map((r) => {
        const cut = <T extends { endpoints: EndpointLoad[] }>(x: T) =>
          firstS ? truncated(x, firstS * 1000) : x
        const record =
          test && r.record.paired && 'endpoints' in r.record.load
            ? {
                ...r.record,
                paired: judgePaired({
                  design: r.record.paired.design,
                  current: cut(r.record.load),
                  base: cut(r.record.paired.base),
                  currentUrl: r.record.paired.currentUrl,
                  tolerances: plan.gate.tolerances,
                  test,
                }),
              }
            : r.record
        return verdictOf(
          pairKind(kinds, r)!,
          `${part.dir.split('/').pop()}/${r.label}`,
          record,
          plan,
          endpoint,
        )
      }),
  )
}

/**
 * The stopping rule replayed on the recorded paired runs: the rows judged on the windows before
 * each look (every look at alpha / looks, as a run with paired-max-duration does), the verdict
 * taken at the first look where every gated row resolved, else at the last.
 */
function stoppingPairs(
  parts: Part[],
  plan: Plan,
  endpoint: string,
  looksAtS: number[],
  kinds: DesignKinds = SIMULTANEOUS,
): (PairVerdict & { loadS: number })[] {
  return parts.flatMap((part) =>
    part.runs.flatMap((r) => {
      const paired = r.record.paired
      const load = r.record.load
      const kind = pairKind(kinds, r)
      if (!kind || !paired || !('endpoints' in load)) return []
      const stopping: PairedStopping = {
        maxDurationS: looksAtS.at(-1)!,
        looksAtS,
        alpha: plan.gate.tolerances.alpha,
        taken: [],
        ended: 'max-duration',
      }
      for (const [i, atS] of looksAtS.entries()) {
        const current = truncated(load, atS * 1000)
        const base = truncated(paired.base, atS * 1000)
        const judged = judgePaired({
          design: paired.design,
          current,
          base,
          currentUrl: paired.currentUrl,
          tolerances: plan.gate.tolerances,
          stopping,
        })
        if (!lookDecision(judged).stop && i < looksAtS.length - 1) continue
        const record = { ...r.record, load: current, paired: judged }
        return [
          {
            ...verdictOf(kind, `${part.dir.split('/').pop()}/${r.label}`, record, plan, endpoint),
            loadS: atS,
          },
        ]
      }
      return []
    }),
  )
}

function tally(design: Tally['design'], test: string, tolerance: number, pairs: PairVerdict[]): Tally {
  const aa = pairs.filter((p) => p.kind === 'A/A')
  const ab = pairs.filter((p) => p.kind === 'A/B')
  return {
    design,
    test,
    tolerance,
    falseAlarms: aa.filter((p) => p.gateFailed).length,
    aa: aa.length,
    detections: ab.filter((p) => p.endpointP95Regression).length,
    ab: ab.length,
    abGateFailed: ab.filter((p) => p.gateFailed).length,
  }
}

/** The paired tests the replay compares (the first is the default). */
export const PAIRED_TESTS: PairedQuantileTest[] = [
  DEFAULT_PAIRED_TEST,
  ...(
    [
      { kind: 'windows' },
      { kind: 'blocks', windowsPerBlock: 2 },
      { kind: 'blocks', windowsPerBlock: 5 },
      { kind: 'stratified' },
      { kind: 'window-swap' },
    ] as PairedQuantileTest[]
  ).filter((t) => JSON.stringify(t) !== JSON.stringify(DEFAULT_PAIRED_TEST)),
]

export const testName = (t: PairedQuantileTest) =>
  t.kind === 'blocks'
    ? `sign-flip on ${t.windowsPerBlock}-window blocks`
    : t.kind === 'windows'
      ? 'sign-flip on windows'
      : t.kind === 'window-swap'
        ? 'pooled quantile, whole windows swapped'
        : 'pooled quantile, requests relabelled'

export async function judgeParts(
  parts: Part[],
  o: { endpoint: string; scratch: string; seconds: number; shift?: number },
): Promise<Judged> {
  const tallies: Tally[] = []
  let headline: Judged['pairs'] | undefined
  const hasAlternating = parts.some((p) => p.runs.some((r) => pairKind(ALTERNATING, r)))
  for (const tolerance of [0.05, 0.1]) {
    const seqPlan = await judgingPlan(tolerance, o.scratch)
    const pairedPlan = await judgingPlan(tolerance, o.scratch, 'http://127.0.0.1:2')
    const sequential = sequentialPairs(parts, seqPlan, o.endpoint)
    tallies.push(tally('sequential', 'pooled window permutation (today)', tolerance, sequential))
    for (const [i, test] of PAIRED_TESTS.entries()) {
      // at the default tolerance only the default test and the one it replaced (replay time)
      if (tolerance !== 0.05 && i > 1) continue
      const paired = pairedPairs(parts, pairedPlan, o.endpoint, test)
      tallies.push(tally('paired', testName(test), tolerance, paired))
      if (tolerance === 0.05 && i === 0) headline = { sequential, paired }
    }
    // the same records cut to their first S seconds: each side loaded as long as one sequential run
    const first = pairedPairs(parts, pairedPlan, o.endpoint, PAIRED_TESTS[0], o.seconds)
    tallies.push(
      tally('paired', `${testName(PAIRED_TESTS[0]!)}, first ${o.seconds} s only`, tolerance, first),
    )
    // the stopping rule: looks at the sequential run's length, ×1.5, and the paired run's end
    const looksAtS = [o.seconds, Math.round(o.seconds * 1.5), 2 * o.seconds]
    const stoppingTally = (design: 'paired' | 'alternating', kinds: DesignKinds): Tally => {
      const stopped = stoppingPairs(parts, pairedPlan, o.endpoint, looksAtS, kinds)
      const meanOf = (kind: 'A/A' | 'A/B') => {
        const xs = stopped.filter((p) => p.kind === kind).map((p) => p.loadS)
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN
      }
      return {
        ...tally(
          design,
          `stopping rule, looks at ${looksAtS.join('/')} s, each at alpha / 3`,
          tolerance,
          stopped,
        ),
        meanLoadS: { aa: meanOf('A/A'), ab: meanOf('A/B') },
      }
    }
    tallies.push(stoppingTally('paired', SIMULTANEOUS))
    if (hasAlternating) {
      const alt = pairedPairs(parts, pairedPlan, o.endpoint, PAIRED_TESTS[0], undefined, ALTERNATING)
      tallies.push(tally('alternating', testName(PAIRED_TESTS[0]!), tolerance, alt))
      if (tolerance === 0.05) headline!.alternating = alt
      tallies.push(stoppingTally('alternating', ALTERNATING))
    }
  }
  const aaRecords = parts.flatMap((p) =>
    p.runs.flatMap((r) =>
      r.kind === 'paired-aa' && r.record.paired && 'endpoints' in r.record.load
        ? [{ pr: r.record.load, base: r.record.paired.base }]
        : [],
    ),
  )
  const tolerances = (await judgingPlan(0.05, o.scratch)).gate.tolerances
  const injected = PAIRED_TESTS.filter((t) => t.kind !== 'blocks' || t.windowsPerBlock === 2).flatMap(
    (test) =>
      injectTally(
        aaRecords,
        o.endpoint,
        [...new Set([o.shift ?? 0.1, 0.2])],
        tolerances,
        test,
        testName(test),
      ),
  )
  // every paired run re-judged by the default test at full length, its rows as null draws
  const rejudged = (kind: PartRun['kind']): JudgedPaired[] =>
    parts.flatMap((p) =>
      p.runs.flatMap((r) =>
        r.kind === kind && r.record.paired && 'endpoints' in r.record.load
          ? [
              {
                load: r.record.load,
                paired: judgePaired({
                  design: r.record.paired.design,
                  current: r.record.load,
                  base: r.record.paired.base,
                  currentUrl: r.record.paired.currentUrl,
                  tolerances,
                }),
              },
            ]
          : [],
      ),
    )
  const abJudged = rejudged('paired-ab')
  const aaJudged = rejudged('paired-aa')
  const calibration = calibrationTallies(aaJudged, abJudged, o.endpoint)
  const altAb = rejudged('alt-ab')
  const altAa = rejudged('alt-aa')
  const designs = [designWidth('simultaneous', [...aaJudged, ...abJudged], o.endpoint)]
  if (hasAlternating) designs.push(designWidth('alternating', [...altAa, ...altAb], o.endpoint))
  const loads = parts.flatMap((p) => p.runs.map((r) => r.loadAvg))
  return {
    parts: parts.map((p) => p.dir.split('/').pop()!),
    endpoint: o.endpoint,
    delayMs: [...new Set(parts.map((p) => p.delayMs))],
    pairedDelayMs: [...new Set(parts.map((p) => p.pairedDelayMs))],
    loadAvg: { min: Math.min(...loads), median: median(loads), max: Math.max(...loads) },
    tallies,
    injected,
    pairs: headline!,
    calibration,
    switchedSe: switchedSe(abJudged, o.endpoint),
    ...(hasAlternating
      ? {
          alternating: {
            calibration: calibrationTallies(altAa, altAb, o.endpoint),
            switchedSe: switchedSe(altAb, o.endpoint),
          },
        }
      : {}),
    designs,
    alpha: tolerances.alpha,
  }
}

/** What one run of a design resolves on the endpoint's p95: its standard error, requests, windows. */
export interface DesignWidth {
  design: 'simultaneous' | 'alternating'
  runs: number
  /** Median over the runs' endpoint p95 rows (A/A and A/B: a shift hardly changes the error). */
  medianSe: number
  medianRequests: number
  seRootN: number
  medianWindows: number
}

function designWidth(design: DesignWidth['design'], runs: JudgedPaired[], endpoint: string): DesignWidth {
  const se = switchedSe(runs, endpoint)
  const windows = runs.flatMap(
    (r) => r.paired.rows.find((row) => row.endpoint === endpoint && row.metric === 'p95Ms')?.pairs ?? [],
  )
  return {
    design,
    runs: runs.length,
    medianSe: se.medianSe,
    medianRequests: se.medianRequests,
    seRootN: se.seRootN,
    medianWindows: median(windows),
  }
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`

export function formatVerdictTables(j: Judged): string {
  const lines = [
    '',
    `${j.parts.length} parts; delay ${j.delayMs.join('/')} ms (sequential), ${j.pairedDelayMs.join('/')} ms (paired); load average ${j.loadAvg.min.toFixed(1)}–${j.loadAvg.max.toFixed(1)} (median ${j.loadAvg.median.toFixed(1)})`,
    '',
    ...(['sequential', 'paired', 'alternating'] as const).flatMap((d) => {
      const pairs = j.pairs[d]
      return pairs
        ? [
            `${d}:`,
            ...pairs.map(
              (p) =>
                `  ${p.kind} ${p.pair}: gate ${p.gateFailed ? 'FAIL' : 'pass'}, ${j.endpoint} p95 ${pct(p.shift)}${p.endpointP95Regression ? ' (regression)' : ''}${p.regressions.length ? `; ${p.regressions.join('; ')}` : ''}`,
            ),
            `  median ${j.endpoint} p95 shift: A/A ${pct(median(pairs.filter((p) => p.kind === 'A/A').map((p) => p.shift)))}, A/B ${pct(median(pairs.filter((p) => p.kind === 'A/B').map((p) => p.shift)))}`,
          ]
        : []
    }),
    '',
    `| design | test | p50/p95 tolerance | A/A gate failed | A/B ${j.endpoint} p95 row a regression | A/B gate failed | mean load judged (A/A, A/B) |`,
    '|---|---|---|---|---|---|---|',
    ...j.tallies.map(
      (t) =>
        `| ${t.design} | ${t.test} | ${Math.round(t.tolerance * 100)} % | ${t.falseAlarms} of ${t.aa} | ${t.detections} of ${t.ab} | ${t.abGateFailed} of ${t.ab} | ${t.meanLoadS ? `${t.meanLoadS.aa.toFixed(0)} s, ${t.meanLoadS.ab.toFixed(0)} s` : ''} |`,
    ),
    '',
    `Injected into the ${j.injected[0] ? j.injected[0].aa / 2 : 0} recorded paired A/A runs (each both ways round), ${j.endpoint} on the PR side delayed by shift × its p95, tolerance 5 %:`,
    '',
    `| shift | test | A/A with a regression row | ${j.endpoint} p95 row a regression | median ± of its A/A interval |`,
    '|---|---|---|---|---|',
    ...j.injected.map(
      (t) =>
        `| +${Math.round(t.shift * 100)} % | ${t.test} | ${t.falseAlarms} of ${t.aa} | ${t.detections} of ${t.ab} | ±${(t.medianHalfWidth * 100).toFixed(1)} % |`,
    ),
    '',
    formatCalibration(j.calibration, j.alpha, j.switchedSe),
    ...(j.alternating
      ? [
          'Alternating design:',
          '',
          formatCalibration(j.alternating.calibration, j.alpha, j.alternating.switchedSe),
        ]
      : []),
    `What one paired run resolves on ${j.endpoint} p95, by design (median over its A/A and A/B runs):`,
    '',
    '| design | runs | standard error of the log ratio | requests a side | se × √n | windows paired |',
    '|---|---:|---:|---:|---:|---:|',
    ...(j.designs ?? []).map(
      (d) =>
        `| ${d.design} | ${d.runs} | ${(d.medianSe * 100).toFixed(1)} % | ${Math.round(d.medianRequests)} | ${d.seRootN.toFixed(2)} | ${Math.round(d.medianWindows)} |`,
    ),
    '',
  ]
  return lines.join('\n')
}
