// Executive Summary: what was measured, the key findings, the performance status and the gate.
import { isUnavailable } from '../../record/common.ts'
import { kv, list, para, section } from '../blocks.ts'
import type { ReportContext } from '../context.ts'
import { EMOJI, sentence } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { ListItem, Section } from '../model.ts'
import { reportReasons } from '../verdict.ts'
import { loadTestText } from '../overview.ts'

export function executiveSummary(ctx: ReportContext): Section {
  const { input } = ctx
  const slos = input.slos
  const failed = slos.filter((s) => s.status === 'fail')
  const passed = slos.filter((s) => s.status === 'pass')
  const noData = slos.filter((s) => s.status === 'no-data')
  const crit = ctx.findings.filter((f) => f.tier <= 2)
  const scope = input.record.meta.git?.pr ? `pull request ${input.record.meta.git.pr}` : 'this run'
  const intro = para(
    `This report documents the performance of ${input.record.meta.targetUrl} under the "${loadTestName(input.record)}" load test for ${scope}, measured and written by perfgate.`,
  )
  const keyFindings: ListItem[] = [
    {
      text:
        slos.length === 0
          ? 'Performance vs. SLO targets: no SLOs configured'
          : `Performance vs. SLO targets: ${passed.length} of ${slos.length} met` +
            (failed.length ? `, ${failed.length} failed (${failed.map((s) => s.id).join(', ')})` : '') +
            (noData.length ? `, ${noData.length} without data` : ''),
    },
    {
      text:
        ctx.findings.length === 0
          ? 'Critical bottlenecks identified: none found in the collected data'
          : `Critical bottlenecks identified: ${crit.length} critical or high-priority of ${ctx.findings.length} findings` +
            (crit.length
              ? ` (${crit
                  .slice(0, 3)
                  .map((f) => f.title)
                  .join('; ')})`
              : ''),
    },
    {
      text: resourceLine(ctx),
    },
    {
      text:
        ctx.findings.length === 0
          ? 'Optimization recommendations: none, nothing stood out'
          : `Optimization recommendations: ${[1, 2, 3, 4]
              .map((t) => `${ctx.findings.filter((f) => f.tier === t).length} in priority ${t}`)
              .join(', ')} (section 5)`,
    },
  ]
  const overall = ctx.overall
  const errSlo = slos.find((s) => s.scope === 'overall' && s.metric === 'errorRate')
  const rpsSlo = slos.find((s) => s.scope === 'overall' && s.metric === 'rps')
  const p95Targets = ctx.endpoints.filter((r) => r.target).length
  const status: ListItem[] = overall
    ? [
        kv(
          'p95 Latency',
          `${fmt.ms(overall.p95Ms)} overall (Target: ${p95Targets > 0 ? `varies by endpoint, ${ctx.endpoints.filter((r) => r.slos.some((s) => s.metric === 'p95Ms' && s.status === 'pass')).length} of ${p95Targets} met` : 'none set'})`,
        ),
        kv(
          'Error Rate',
          `${fmt.pct(overall.errorRate, 2)} (Target: ${errSlo ? `${errSlo.target.text}, ${errSlo.status}` : 'none set'})`,
        ),
        kv(
          'Throughput',
          `${fmt.rps(overall.rps)} (Target: ${rpsSlo ? `${rpsSlo.target.text}, ${rpsSlo.status}` : 'none set, not gated'})`,
        ),
      ]
    : [
        {
          text: `No load data: ${ctx.record.load && isUnavailable(ctx.record.load) ? sentence(ctx.record.load.unavailable) : 'the load test did not run'}.`,
        },
      ]
  const gate: ListItem[] = [
    kv(
      'Gate',
      `${EMOJI[input.gate.verdict]} ${input.gate.verdict}${input.gate.failed ? ' (the job fails)' : ''}`,
    ),
    ...reportReasons(input).map((r) => ({ text: r })),
  ]
  return section(
    'summary',
    'Executive Summary',
    [intro],
    [
      section('key-findings', 'Key Findings', [list(keyFindings)]),
      section('status', 'Performance Status', [list(status), list(gate)]),
    ],
  )
}

function resourceLine(ctx: ReportContext): string {
  const parts: string[] = []
  const rt = ctx.prom?.runtimeDelta
  if (rt?.cpuCores !== undefined) parts.push(`${rt.cpuCores.toFixed(2)} CPU cores in use`)
  if (ctx.pg?.activity) parts.push(`up to ${ctx.pg.activity.max.total} database connections`)
  if (ctx.redis?.hitRate !== undefined) parts.push(`cache hit rate ${fmt.pct(ctx.redis.hitRate)}`)
  const after = ctx.prom?.runtime.after
  if (after?.rssBytes !== undefined) parts.push(`RSS ${fmt.bytes(after.rssBytes)}`)
  return parts.length > 0
    ? `Resource utilization patterns: ${parts.join(', ')} (section 2)`
    : 'Resource utilization patterns: no collector data (set metrics-url, database-url, redis-url)'
}

/** The scenario's name for the intro: a user's script by its file, perfgate's own by its name. */
function loadTestName(record: import('../../record/index.ts').RunRecord): string {
  const ranScript = !isUnavailable(record.load) && record.load?.scriptRun !== undefined
  return ranScript || (record.plan.script && isUnavailable(record.load))
    ? loadTestText(record)
    : record.plan.scenario
}
