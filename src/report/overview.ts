// The parts of the report model around its sections: title and header lines, the verdict, the
// endpoint rows, the changes against the baseline, the top findings, the figures and the footer.
// Pure.
import { latencySeries, p95Chart } from './charts.ts'
import type { ReportContext } from './context.ts'
import { durationText, shortSha } from './format.ts'
import type { ReportModel } from './model.ts'
import { flameTree } from './profiles.ts'
import { verdictOf } from './verdict.ts'
import { stormSentences } from './failures.ts'
import { pairedLine, pairedOpenLine, pairedP50Line, pairedStoppingLine } from './paired.ts'
import { sinceText } from './new-findings.ts'
import { whatChangedOf } from './what-changed.ts'
import { isUnavailable, type RunRecord } from '../record/index.ts'

/** Every field of the report model but its sections and data files. Does not modify the context. */
export function reportOverview(ctx: ReportContext): Omit<ReportModel, 'sections' | 'dataFiles'> {
  const { input, record, load, endpoints, overall, hasBaseline } = ctx
  const comparison = input.comparison
  const sloPass = input.slos.filter((s) => s.status === 'pass').length
  const verdict = verdictOf(input, sloPass, input.slos.length)
  const rows = comparison?.rows ?? []
  const regressions = hasBaseline ? rows.filter((r) => r.verdict === 'regression').map((r) => r.message) : []
  const improvements = hasBaseline
    ? rows.filter((r) => r.verdict === 'improvement').map((r) => r.message)
    : []
  const baseRef = comparison?.baseline
  const pairedText = pairedLine(record, comparison)
  const p50 = pairedP50Line(comparison)
  const stopping = pairedStoppingLine(comparison)
  const open = pairedOpenLine(comparison)
  const paired = pairedText
    ? {
        line: pairedText,
        ...(open ? { open } : {}),
        ...(stopping ? { stopping } : {}),
        ...(p50 ? { p50 } : {}),
      }
    : undefined
  const cpu = input.profiles?.cpu
  const flame = cpu ? flameTree(cpu) : undefined
  const whatChanged = whatChangedOf(ctx.analysis)
  const timeline = latencySeries(load)
  const chart = p95Chart(endpoints, hasBaseline)
  const date = (record.meta.startedAt ?? '').slice(0, 16).replace('T', ' ') + ' UTC'
  const commit = record.meta.git?.sha
    ? `${record.meta.git.sha.slice(0, 12)}${record.meta.git.ref ? ` (${record.meta.git.ref})` : ''}`
    : 'unknown (no git sha in the record)'
  return {
    reportName: input.reportName,
    title: `Performance Profiling Report - ${input.reportName}`,
    date,
    commit,
    targetUrl: record.meta.targetUrl,
    loadTest: loadTestText(record),
    toolVersion: record.meta.toolVersion,
    hasBaseline,
    ...(paired ? { paired } : {}),
    ...(hasBaseline && baseRef && record.paired
      ? { baselineRef: `${record.paired.base.url} (paired, same run)` }
      : hasBaseline && baseRef
        ? {
            baselineRef: `${shortSha(baseRef.sha) ?? baseRef.startedAt ?? 'earlier run'}${baseRef.ref ? ` (${baseRef.ref})` : ''}`,
          }
        : {}),
    links: input.links ?? {},
    verdict,
    endpoints,
    ...(overall ? { overall } : {}),
    changes: { regressions, improvements },
    storms: stormSentences(load),
    ...(whatChanged ? { whatChanged } : {}),
    regressedEndpoints: hasBaseline
      ? [...new Set(rows.filter((r) => r.verdict === 'regression' && r.endpoint).map((r) => r.endpoint!))]
      : [],
    topFindings: ctx.findings.slice(0, 5).map((f) => ({
      tier: f.tier,
      title: f.title,
      detail: f.detail,
      ...(f.location ? { location: f.location } : {}),
      ...(ctx.since?.newOnes.has(f) ? { isNew: true } : {}),
    })),
    findingSources: findingSources(record),
    ...(ctx.since ? { newFindings: sinceText(ctx.since, ctx.findings.length) } : {}),
    ...(chart ? { p95Chart: chart } : {}),
    latencySeries: timeline.series,
    latencySeriesStepS: timeline.step,
    ...(flame ? { flame } : {}),
    footer: [
      { label: 'Report Author', value: `perfgate ${record.meta.toolVersion} (automated)` },
      { label: 'Date', value: date },
      { label: 'Review Status', value: `Automated, gate ${input.gate.verdict}` },
    ],
  }
}

/** The data the findings were looked for in, as a reader names it; k6's own numbers always. */
export function findingSources(record: RunRecord): string[] {
  const collected: [string, unknown][] = [
    ['PostgreSQL', record.postgres],
    ['Redis', record.redis],
    ['Prometheus metrics', record.prometheus],
    ['pprof profiles', record.profiles],
    ['app stats', record.appStats],
  ]
  return [
    "k6's numbers",
    ...collected.filter(([, part]) => part && !isUnavailable(part as never)).map(([name]) => name),
  ]
}

/** `Mixed behavior (100 VUs, 3 minutes)`, or a user's script as it ran (k6 inspect). */
export function loadTestText(record: RunRecord): string {
  const run = isUnavailable(record.load) ? undefined : record.load.scriptRun
  const duration = (s: number) => durationText(s).replace(/^\d+ seconds \((.*)\)$/, '$1')
  // A user's script whose load never ran (setup() failed): perfgate's own scenario figures are not what was asked.
  if (!run && record.plan.script && isUnavailable(record.load))
    return `k6 script ${record.plan.script} (its load did not run)`
  // The stopping rule may have loaded past the scenario's duration: say how long the load really ran.
  const stopping = record.paired?.stopping
  const ran =
    stopping && !isUnavailable(record.load)
      ? `, loaded on to ${duration(Math.round(record.load.durationS))} of at most ${duration(stopping.maxDurationS)} by the stopping rule`
      : ''
  // A paired run gives each side its own pool of plan.vus: "20 VUs" alone would read as the total.
  const vus = `${record.plan.vus} VUs${record.paired ? ' a side' : ''}`
  if (!run) return `${record.plan.scenario} (${vus}, ${duration(record.plan.durationS)}${ran})`
  const scenarios = run.scenarios.map((s) => `${s.name}: ${s.executor}`).join(', ')
  return `k6 script ${record.plan.script ?? '(unnamed)'} (${scenarios}; up to ${run.maxVUs} VUs, ${duration(run.durationS)})`
}
