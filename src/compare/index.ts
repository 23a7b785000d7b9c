/**
 * compare — the current run against the base branch's baseline: deltas and a noise-aware verdict
 * per metric, per endpoint and overall.
 *
 * The statistical rule. A metric is a regression only when BOTH
 *
 *   1. the effect is beyond the tolerance: the whole-run value moved more than the policy allows
 *      (p95 +10 %, p99 +15 %, error rate +50 % and above an absolute floor, rps −10 %…), and
 *   2. the change is not noise: the two runs' windows (2 s each) differ beyond chance at `alpha`,
 *      in the same direction. For latency percentiles and error rates the statistic is computed on
 *      the pooled samples (the p95 of all requests of the windows labelled "current" minus that of
 *      the rest) and its p-value comes from relabelling whole windows at random; request rates use
 *      a Mann-Whitney rank test on per-window rates. When at least three earlier base-branch runs
 *      are known, the current value must also lie outside their run-to-run band
 *      [min(min, mean − k·sd), max(max, mean + k·sd)].
 *
 * Improvements are the mirror image. A change within tolerance is `unchanged`; beyond tolerance
 * but failing condition 2 is `inconclusive`; a missing value, or fewer than five usable windows in
 * either run, is `no-data` — never a pass and never a regression claim.
 *
 * Why windows as the units: requests within one run are not independent (a burst of cache misses,
 * a GC pause, a noisy neighbour), so a test over individual requests finds "significant" changes
 * in every pair of runs. Windows of a few seconds are coarse enough to be roughly exchangeable
 * replicates of the same load, and shuffling whole windows keeps each burst together. Why pooled:
 * a single window's p95 rests on a handful of requests and scatters widely; the pooled p95 uses
 * every request, so a +25 % shift of the tail stands out (bench/README.md, "Gate accuracy").
 *
 * Why two conditions: with enough windows any change, even +1 %, becomes significant, and that is
 * not worth failing a pull request over — hence the tolerance. And a large change on one noisy run
 * is often just the runner — hence the test and the history band, which catches the run-to-run
 * spread (another machine, another time of day) that windows within one run cannot see.
 *
 * Each row also carries a seeded bootstrap interval of the relative change (windows resampled), for
 * the report; it does not decide the verdict. All functions here are pure and seeded.
 */
import type { GatePolicy } from '../plan/types.ts'
import type { Comparison, MetricComparison, RunRef, Scope } from '../record/compare.ts'
import type { RunRecord } from '../record/index.ts'
import type { LoadPart } from '../record/load.ts'
import { formatValue } from '../record/format.ts'
import { METRICS, metricLabel, tooFewForQuantile, type MetricSpec, type PooledSamples } from './metrics.ts'
import { runDrift, type RunDrift } from './drift.ts'
import { runLevelRows } from './run-level.ts'
import { endpointOf, loadOf } from '../record/values.ts'
import { hashSeed } from './stats.ts'
import { countVerdicts, judge, type JudgeInput, type JudgeOptions, type Judgement } from './verdict.ts'
import { judgeFamily, type FamilyMember } from './family.ts'

export { gateVerdict, formatRegression } from './gate.ts'

export interface CompareOptions {
  /** Fewer usable windows than this in either run gives no-data (default 5). */
  minWindows: number
  /** Earlier base-branch runs needed for the history band (default 3). */
  minHistory: number
  /** Half-width of the history band in standard deviations (default 2). */
  historyK: number
  /** Bootstrap resamples per row (default 1000). */
  resamples: number
  /** Base seed; each row's seed is derived from it and the row id (default 1). */
  seed: number
  /** Remove the run-wide drift from latency rows (drift.ts; default true; the bench turns it off to compare). */
  removeDrift: boolean
  /** Holm's correction over all window-tested rows (family.ts; default true; the bench turns it off to compare). */
  familyCorrection: boolean
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = {
  minWindows: 5,
  minHistory: 3,
  historyK: 2,
  resamples: 1000,
  seed: 1,
  removeDrift: true,
  familyCorrection: true,
}

/** Which run a record is, as a comparison names it. */
export function refOf(record: RunRecord): RunRef {
  const { load, missing } = loadOf(record)
  return {
    ...(record.meta?.startedAt ? { startedAt: record.meta.startedAt } : {}),
    ...(record.meta?.git?.sha ? { sha: record.meta.git.sha } : {}),
    ...(record.meta?.git?.ref ? { ref: record.meta.git.ref } : {}),
    ...(missing ? { loadUnavailable: missing } : {}),
    ...(load?.partial ? { partial: load.partial } : {}),
  }
}

/** Distinct base-branch runs: the baseline and the history, minus the current run. */
function historyRecords(
  baseline: RunRecord | undefined,
  history: RunRecord[],
  current: RunRecord,
): RunRecord[] {
  const seen = new Set<string>()
  const out: RunRecord[] = []
  for (const record of [...(baseline ? [baseline] : []), ...history]) {
    if (record === current) continue
    const key = `${record.meta?.startedAt ?? ''}|${record.meta?.git?.sha ?? ''}|${record.meta?.workflow?.runId ?? ''}`
    if (key !== '||' && seen.has(key)) continue
    seen.add(key)
    out.push(record)
  }
  return out
}

/** Why two runs' request rates are not comparable, or undefined when they are. */
function scenarioDifference(baseline: RunRecord, current: RunRecord): string | undefined {
  const a = ranScenario(baseline)
  const b = ranScenario(current)
  if (!a || !b) return undefined
  const diffs: string[] = []
  if (a.vus !== b.vus) diffs.push(`VUs ${a.vus} → ${b.vus}`)
  if (a.durationS !== b.durationS) diffs.push(`duration ${a.durationS}s → ${b.durationS}s`)
  // A user's script may ignore the think-time scale: it is a difference only for generated ones.
  if (!a.script && !b.script && a.thinkTimeScale !== b.thinkTimeScale)
    diffs.push(`think-time scale ${a.thinkTimeScale} → ${b.thinkTimeScale}`)
  if (a.scenario !== b.scenario) diffs.push(`scenario "${a.scenario}" → "${b.scenario}"`)
  return diffs.length > 0 ? diffs.join(', ') : undefined
}

/**
 * What a run's load was: a user's script as k6 inspect read it (scenario names and executors, max
 * VUs, duration), else the generated scenario of the plan.
 */
function ranScenario(
  record: RunRecord,
): { scenario: string; vus: number; durationS: number; thinkTimeScale: number; script: boolean } | undefined {
  const plan = record.plan
  if (!plan) return undefined
  const run = loadOf(record).load?.scriptRun
  if (!run)
    return {
      scenario: plan.scenario,
      vus: plan.vus,
      durationS: plan.durationS,
      thinkTimeScale: plan.thinkTimeScale,
      script: Boolean(plan.script),
    }
  return {
    scenario: run.scenarios.map((s) => `${s.name}: ${s.executor}`).join(', '),
    vus: run.maxVUs,
    durationS: Math.round(run.durationS),
    thinkTimeScale: plan.thinkTimeScale,
    script: true,
  }
}

/** Endpoint names in the current run's order, then those only the baseline has. */
function endpointNames(base: LoadPart | undefined, cur: LoadPart | undefined, current: RunRecord): string[] {
  const names: string[] = []
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name)
  }
  for (const ep of cur?.endpoints ?? []) add(ep.name)
  if (!cur) for (const ep of current.plan?.endpoints ?? []) add(ep.name)
  for (const ep of base?.endpoints ?? []) add(ep.name)
  return names
}

/**
 * Compares `current` with `baseline` (and the run-to-run spread of `history`, earlier runs of the
 * base branch) under `policy.tolerances`. Never throws on missing data: every row is present, with
 * `no-data` and the reason when it cannot be judged. Does not modify its arguments.
 */
export function compare(
  baseline: RunRecord | undefined,
  current: RunRecord,
  policy: GatePolicy,
  history: RunRecord[] = [],
  options: Partial<CompareOptions> = {},
): Comparison {
  const o = { ...DEFAULT_COMPARE_OPTIONS, ...options }
  const judgeOptions: JudgeOptions = {
    alpha: policy.tolerances.alpha,
    minWindows: o.minWindows,
    minHistory: o.minHistory,
    historyK: o.historyK,
    resamples: o.resamples,
    seed: o.seed,
  }
  const cur = loadOf(current)
  const base = loadOf(baseline)
  const pastRecords = historyRecords(baseline, history, current)
  const past = pastRecords.flatMap((record) => loadOf(record).load ?? [])
  const notes: string[] = []
  if (!baseline) notes.push('no baseline yet: nothing to compare with, only SLOs gate')
  else if (base.missing) notes.push(`baseline has no load data (${base.missing})`)
  if (cur.missing) notes.push(`current run has no load data (${cur.missing})`)
  if (cur.load?.partial) notes.push(`current load is partial: ${cur.load.partial}`)
  if (base.load?.partial) notes.push(`baseline load was partial: ${base.load.partial}`)
  const scenarioDiff = baseline && base.load && cur.load ? scenarioDifference(baseline, current) : undefined
  if (scenarioDiff)
    notes.push(`scenario differs from the baseline (${scenarioDiff}): request rates are not comparable`)
  if (past.length >= o.minHistory) notes.push(`run-to-run spread from ${past.length} base-branch runs`)
  const drift = o.removeDrift && base.load && cur.load ? runDrift(base.load, cur.load) : undefined
  if (drift) notes.push(driftNote(drift))
  const driftFactor = drift?.applied ? drift.factor : undefined

  const prepared: PreparedRow[] = []
  const scopes: { scope: Scope; endpoint?: string }[] = [
    { scope: 'overall' },
    ...endpointNames(base.load, cur.load, current).map((endpoint) => ({
      scope: 'endpoint' as const,
      endpoint,
    })),
  ]
  for (const { scope, endpoint } of scopes) {
    for (const spec of METRICS) {
      const notComparable =
        spec.metric === 'rps' && scenarioDiff ? `the scenario differs (${scenarioDiff})` : undefined
      prepared.push(
        prepareRow(
          spec,
          { scope, endpoint, notComparable, drift: spec.drifts ? driftFactor : undefined },
          baseline,
          base,
          cur,
          past,
          policy,
          judgeOptions,
        ),
      )
    }
  }

  const judged = judgeFamily(
    prepared.map((row) => row.member),
    o.familyCorrection,
  )
  const rows: MetricComparison[] = prepared.map((row, i) => row.finish(judged[i]!))
  if (drift?.applied && base.load)
    rows.push(driftRow(drift, base.load, past, policy, { ...judgeOptions, seed: hashSeed('drift', o.seed) }))
  rows.push(...runLevelRows(baseline, current, pastRecords, policy, judgeOptions))

  return {
    baselineFound: baseline !== undefined,
    ...(baseline ? { baseline: refOf(baseline) } : {}),
    current: refOf(current),
    historyRuns: past.length,
    rows,
    counts: countVerdicts(rows),
    notes,
  }
}

/** One run's side of a row: the whole-run value (or why it is missing) and the window samples. */
interface Side {
  value?: number
  /** Requests of the endpoint (or the run) in this run. */
  count?: number
  missing?: string
  windows: number[]
  pooled?: PooledSamples
}

function pooledInput(baseline: PooledSamples, current: PooledSamples): JudgeInput['pooled'] {
  return {
    windowsBaseline: baseline.windows,
    windowsCurrent: current.windows,
    test: (options) => current.against(baseline, options),
  }
}

/** A load-metric row ready to judge with the others (family.ts), and how it becomes a row after. */
interface PreparedRow {
  member: FamilyMember
  finish(judged: Judgement): MetricComparison
}

function prepareRow(
  spec: MetricSpec,
  where: {
    scope: Scope
    endpoint: string | undefined
    notComparable: string | undefined
    drift: number | undefined
  },
  baseline: RunRecord | undefined,
  base: { load?: LoadPart; missing?: string },
  cur: { load?: LoadPart; missing?: string },
  past: LoadPart[],
  policy: GatePolicy,
  judgeOptions: JudgeOptions,
): PreparedRow {
  const { scope, endpoint, notComparable, drift } = where
  const id = `${endpoint ?? 'overall'}.${spec.metric}`
  const subject = `${endpoint ?? 'overall'} ${spec.label}`
  const tolerance = spec.tolerance(policy.tolerances)

  const side = (part: { load?: LoadPart; missing?: string }, which: string): Side => {
    if (!part.load) return { missing: `${which}: ${part.missing}`, windows: [] as number[] }
    const ep = endpointOf(part.load, endpoint)
    const value = ep ? spec.value(ep, part.load) : undefined
    if (!ep || value === undefined) {
      const missing = `${which}: ${ep ? `no ${spec.label}` : 'endpoint not in this run'}${ep && !(ep.count > 0) ? ' (0 requests)' : ''}`
      return { missing, windows: [] as number[] }
    }
    return {
      value,
      count: ep.count,
      windows: spec.windows?.(ep, part.load) ?? [],
      ...(spec.pooled ? { pooled: spec.pooled(ep) } : {}),
    }
  }
  const c = side(cur, 'current')
  const b: Side = baseline ? side(base, 'baseline') : { missing: 'no baseline yet', windows: [] }
  const history: number[] = []
  for (const load of past) {
    const ep = endpointOf(load, endpoint)
    const v = ep ? spec.value(ep, load) : undefined
    if (v !== undefined) history.push(v)
  }
  const tooFew =
    spec.quantile !== undefined && b.count !== undefined && c.count !== undefined
      ? tooFewForQuantile(spec.label, spec.quantile, { baseline: b.count, current: c.count })
      : undefined
  const input: JudgeInput = {
    subject,
    unit: spec.unit,
    tolerance,
    ...(b.value !== undefined ? { baseline: b.value } : {}),
    ...(c.value !== undefined ? { current: c.value } : {}),
    ...(c.missing ? { missing: c.missing } : b.missing ? { missing: b.missing } : {}),
    baselineWindows: b.windows,
    currentWindows: c.windows,
    history,
    ...(notComparable ? { notComparable } : {}),
    ...(tooFew ? { tooFew } : {}),
    ...(drift !== undefined ? { drift } : {}),
    ...(b.pooled && c.pooled
      ? { pooled: pooledInput(b.pooled, drift !== undefined ? c.pooled.scaled(drift) : c.pooled) }
      : {}),
  }
  const member = { input, options: { ...judgeOptions, seed: hashSeed(id, judgeOptions.seed) } }
  const finish = (judged: Judgement): MetricComparison => ({
    id,
    scope,
    ...(endpoint !== undefined ? { endpoint } : {}),
    metric: spec.metric,
    unit: spec.unit,
    ...(b.value !== undefined ? { baseline: b.value } : {}),
    ...(c.value !== undefined ? { current: c.value } : {}),
    ...judged,
    tolerance,
  })
  return { member, finish }
}

function driftNote(drift: RunDrift): string {
  const factor = formatValue(drift.factor, 'factor')
  return drift.applied
    ? `run-wide drift ${factor}: ${drift.agreeing} of ${drift.endpoints} endpoints' p50 moved within ±10 % of it, ` +
        'so latency rows are judged with it removed; the drift itself is the "run-wide latency" row, ' +
        "a regression only outside the base branch's run-to-run spread"
    : `no run-wide drift removed: only ${drift.agreeing} of ${drift.endpoints} endpoints' p50 moved within ±10 % of the median ${factor}`
}

/** The run-wide latency factor as a run-level row: baseline ×1, current the factor. */
function driftRow(
  drift: RunDrift,
  baseline: LoadPart,
  past: LoadPart[],
  policy: GatePolicy,
  options: JudgeOptions,
): MetricComparison {
  const tolerance = { relative: policy.tolerances.p50, worse: 'higher' as const }
  const history = past.flatMap((load) => runDrift(baseline, load)?.factor ?? [])
  const judged = judge(
    {
      subject: `overall ${metricLabel('latencyDrift')}`,
      unit: 'factor',
      tolerance,
      baseline: 1,
      current: drift.factor,
      baselineWindows: [],
      currentWindows: [],
      history,
      runLevel: true,
    },
    options,
  )
  return {
    id: 'overall.latencyDrift',
    scope: 'overall',
    metric: 'latencyDrift',
    unit: 'factor',
    baseline: 1,
    current: drift.factor,
    ...judged,
    tolerance,
  }
}
