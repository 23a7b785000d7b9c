// 8. Notes and Observations: what went unexpectedly, open questions and follow-up actions.
import type { Part } from '../../record/common.ts'
import { K6_STOPPED_FROM_API } from '../../record/k6-exit-codes.ts'
import { list, note, section } from '../blocks.ts'
import type { ReportContext } from '../context.ts'
import { findingsOf } from '../findings.ts'
import { stormSentences } from '../failures.ts'
import { dataOf, missingReason, NO_ANALYSIS } from '../format.ts'
import type { Block, Section } from '../model.ts'

export function notes(ctx: ReportContext): Section {
  const unexpected: string[] = []
  const load = ctx.load
  if (load?.partial) unexpected.push(`The load did not finish: ${load.partial}`)
  // The paired stopping rule ended k6 over its REST API (exit 103): the planned end, said in its note.
  const endedByRule =
    ctx.record.paired?.stopping?.ended === 'resolved' && load?.k6ExitCode === K6_STOPPED_FROM_API
  if (load && load.k6ExitCode !== 0 && !endedByRule)
    unexpected.push(
      `k6 exited with code ${load.k6ExitCode}${load.thresholdsCrossed ? ' (the script’s own thresholds were crossed)' : ''}`,
    )
  if (load?.malformedLines) unexpected.push(`${load.malformedLines} k6 output lines could not be read`)
  for (const ep of load?.endpoints ?? []) {
    const non2xx = Object.entries(ep.statuses).filter(([code]) => !code.startsWith('2'))
    if (non2xx.length > 0 && ep.errorRate > 0)
      unexpected.push(`${ep.name} answered ${non2xx.map(([c, n]) => `${n}× ${c}`).join(', ')}`)
  }
  for (const f of findingsOf(ctx, 'other', 'goroutine-leak')) unexpected.push(`${f.title}: ${f.detail}`)
  for (const n of ctx.analysis?.notes ?? []) unexpected.push(`Analysis: ${n}`)
  unexpected.push(...(ctx.input.comparison?.notes ?? []))
  for (const [name, part] of [
    ['Prometheus', ctx.prom],
    ['PostgreSQL', ctx.pg],
    ['Redis', ctx.redis],
  ] as const)
    for (const n of part?.notes ?? []) unexpected.push(`${name}: ${n}`)
  if (ctx.pg?.explainNote) unexpected.push(`PostgreSQL: ${ctx.pg.explainNote}`)

  const questions: string[] = []
  for (const s of ctx.input.slos.filter((x) => x.status === 'no-data'))
    questions.push(`${s.message}${s.hint ? `: ${s.hint}` : ''}`)
  for (const r of ctx.input.comparison?.rows.filter((x) => x.verdict === 'inconclusive') ?? [])
    questions.push(`Is this real? ${r.message}`)
  for (const s of ctx.pg?.attributionSkipped ?? [])
    questions.push(`Why was ${s.endpoint} not probed? ${s.reason}`)
  if (!ctx.analysis) questions.push(`What would the analysis find? ${NO_ANALYSIS}`)
  const collectors: [string, Part<unknown> | undefined, string][] = [
    ['Prometheus metrics', ctx.record.prometheus, 'metrics-url'],
    ['PostgreSQL statistics', ctx.record.postgres, 'database-url'],
    ['Redis statistics', ctx.record.redis, 'redis-url'],
    ['app stats', ctx.record.appStats, 'app-stats-urls'],
    ['pprof profiles', ctx.record.profiles, 'pprof-url'],
  ]
  for (const [name, part, input] of collectors)
    if (!dataOf(part)) questions.push(`Can ${name} be collected (${input})? ${missingReason(part, name)}`)

  const follow: string[] = []
  for (const s of ctx.input.slos.filter((x) => x.status === 'fail'))
    follow.push(`${s.message}${s.hint ? ` - ${s.hint}` : ''}`)
  follow.push(...stormSentences(load))
  for (const r of ctx.input.gate.regressions) follow.push(`Investigate the regression: ${r}`)
  for (const f of ctx.findings.filter((x) => x.tier === 1)) follow.push(`${f.title}: ${f.fix}`)

  const box = (lines: string[], empty: string): Block =>
    lines.length > 0 ? list(lines.map((text) => ({ text }))) : note(empty)
  return section(
    'notes',
    '8. Notes and Observations',
    [],
    [
      section('unexpected', 'Unexpected Findings', [
        box(unexpected, 'None: the run went as planned and every collector reported cleanly.'),
      ]),
      section('questions', 'Questions for Further Investigation', [
        box(questions, 'None: every SLO had data and no comparison was inconclusive.'),
      ]),
      section('follow-up', 'Follow-up Actions', [
        box(follow, 'None: no SLO failed, no regression, no critical finding.'),
      ]),
    ],
  )
}
