// The gate: SLO rows + comparison + fail-on → the job's verdict, with its reasons.
import type { GatePolicy } from '../plan/types.ts'
import type { Comparison, GateVerdict, MetricComparison, SloResult } from '../record/compare.ts'
import { formatP, formatPercentChange, formatValue } from '../record/format.ts'
import { metricLabel } from './metrics.ts'

export interface GateContext {
  baselineFound: boolean
  /** Why the current load is partial (record.load.partial). */
  partial?: string
  /** Why the current run has no load data at all. */
  loadUnavailable?: string
  /** Requests the current run completed (record.load.overall.count), when it has a load part. */
  requests?: number
}

/** `search p95 +32% (p=0.001)`; `overall error rate 0.00% → 1.20% (p<0.001)` when the baseline was 0. */
export function formatRegression(row: MetricComparison): string {
  const change =
    row.relDelta !== undefined
      ? formatPercentChange(row.relDelta)
      : `${formatValue(row.baseline, row.unit)} → ${formatValue(row.current, row.unit)}`
  const p =
    row.evidence.pValue !== undefined
      ? ` (${formatP(row.evidence.pValue)})`
      : row.evidence.history
        ? ` (outside ${row.evidence.history.n} base-branch runs)`
        : ''
  return `${row.endpoint ?? 'overall'} ${metricLabel(row.metric)} ${change}${p}`
}

/**
 * Decides the job's outcome. `policy.failOn` lists what fails it: `slo`, `regression`, both (the
 * default) or nothing (never fail). Without a baseline only SLOs can fail the job. A partial or
 * missing load never passes silently: it fails when fail-on lists anything, and warns otherwise.
 * No data is never a pass either: a run that completed no request, or whose gated SLOs all lack
 * data, fails under any fail-on but `never`. Single SLO rows without data and inconclusive
 * comparisons are reported, but do not fail the job.
 */
export function gateVerdict(
  sloResults: SloResult[],
  comparison: Comparison,
  policy: GatePolicy,
  context: GateContext,
): GateVerdict {
  const gateSlo = policy.failOn.includes('slo')
  const gateRegression = policy.failOn.includes('regression')
  const gating: string[] = []
  const warnings: string[] = []
  const info: string[] = []
  const route = (gates: boolean, line: string) => (gates ? gating : warnings).push(line)

  const loadMissing = context.loadUnavailable ?? comparison.current.loadUnavailable
  if (loadMissing) route(policy.failOn.length > 0, `no load data: ${loadMissing}`)
  const noData = sloResults.filter((s) => s.status === 'no-data')
  if (!loadMissing) {
    for (const [line, gates] of noDataProblems(sloResults, noData, comparison, policy, context))
      route(gates, line)
  }
  const partial = context.partial ?? comparison.current.partial
  if (partial)
    route(policy.failOn.length > 0, `partial load, the numbers cover only part of the run: ${partial}`)

  for (const slo of sloResults.filter((s) => s.status === 'fail')) {
    route(gateSlo, `SLO failed: ${slo.message}${gateSlo ? '' : ' (not gating)'}`)
  }

  const regressionRows = comparison.rows.filter((r) => r.verdict === 'regression')
  const regressions = context.baselineFound ? regressionRows.map(formatRegression) : []
  if (!context.baselineFound) {
    info.push('no baseline yet: this run can become the baseline; only SLOs gate')
  } else {
    for (const r of regressions)
      route(gateRegression, `regression: ${r}${gateRegression ? '' : ' (not gating)'}`)
    if (comparison.baseline?.loadUnavailable) {
      info.push(`baseline has no load data, nothing was compared: ${comparison.baseline.loadUnavailable}`)
    }
  }

  if (noData.length > 0) info.push(`SLOs without data (not evaluated): ${noData.map((s) => s.id).join(', ')}`)
  const inconclusiveRows = comparison.rows.filter((r) => r.verdict === 'inconclusive')
  // A paired row is inconclusive while its interval holds the tolerance, whether or not it moved.
  const pairedOpen = inconclusiveRows.filter((r) => r.evidence.test === 'paired-sign-flip').length
  const inconclusive = inconclusiveRows.length - pairedOpen
  if (context.baselineFound && inconclusive > 0) {
    info.push(
      `${inconclusive} metric${inconclusive === 1 ? '' : 's'} changed beyond tolerance without clear evidence (inconclusive)`,
    )
  }
  if (context.baselineFound && pairedOpen > 0) {
    info.push(
      `${pairedOpen} paired metric${pairedOpen === 1 ? '' : 's'} inconclusive: the interval still holds the tolerance`,
    )
  }
  if (policy.failOn.length === 0 && gating.length === 0 && warnings.length > 0) {
    info.push('fail-on is empty: the gate never fails the job')
  }

  const failed = gating.length > 0
  const verdict = failed
    ? 'fail'
    : warnings.length > 0
      ? 'warn'
      : context.baselineFound
        ? 'pass'
        : 'no-baseline'
  return { verdict, failed, reasons: [...gating, ...warnings, ...info], regressions }
}

/**
 * What the run measured nothing of, each with whether it gates: no requests at all (gates under any
 * fail-on), no data for any SLO (gates under `slo`), no data for any compared metric (under `regression`).
 */
function noDataProblems(
  sloResults: SloResult[],
  noData: SloResult[],
  comparison: Comparison,
  policy: GatePolicy,
  context: GateContext,
): [string, boolean][] {
  if (context.requests === 0)
    return [
      [
        'no data: the load test completed no request, so nothing was measured (see the k6 output for why every iteration failed)',
        policy.failOn.length > 0,
      ],
    ]
  const problems: [string, boolean][] = []
  if (sloResults.length > 0 && noData.length === sloResults.length)
    problems.push([
      `no data: none of the ${sloResults.length} SLOs could be evaluated (${noData[0]!.message})`,
      policy.failOn.includes('slo'),
    ])
  const rows = comparison.rows
  if (context.baselineFound && rows.length > 0 && rows.every((r) => r.verdict === 'no-data')) {
    // A paired run compares two sides of one run, not this run with a stored one.
    const sides = rows.every((r) => r.evidence.test === 'paired-sign-flip')
      ? 'on both sides of the paired run'
      : 'in both runs'
    problems.push([
      `no data: none of the ${rows.length} compared metrics had data ${sides} (${rows[0]!.message})`,
      policy.failOn.includes('regression'),
    ])
  }
  return problems
}
