// 6. Implementation Plan and 7. Success Criteria: the phases of work the findings call for, the
// SLO targets with their measurements, and how to validate a change.
import { implementationPlan, successCriteria } from '../../analyze/recommend.ts'
import type { SloResult } from '../../record/compare.ts'
import { list, note, para, plain, section, strong, withCode } from '../blocks.ts'
import type { ReportContext } from '../context.ts'
import { NO_ANALYSIS, sloValue } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { Block, ListItem, Section } from '../model.ts'

export function implementationPlanSection(ctx: ReportContext): Section {
  const phases = implementationPlan(ctx.findings)
  const blocks: Block[] =
    ctx.findings.length === 0
      ? [
          note(
            ctx.analysis
              ? 'Nothing to change: no findings in this run; re-profile after the next change.'
              : `Nothing planned: ${NO_ANALYSIS}.`,
          ),
        ]
      : []
  return section(
    'implementation-plan',
    '6. Implementation Plan',
    blocks,
    phases.map((p, i) =>
      // Phases without items are left out, so the numbers are the report's own, in order.
      section(`phase-${i + 1}`, p.title.replace(/^Phase \d+/, `Phase ${i + 1}`), [
        list(
          p.items.map((item) => {
            const f = item.finding !== undefined ? ctx.findings[item.finding] : undefined
            return {
              text: [
                ...withCode(item.text),
                ...(f ? [plain(' '), { text: `(priority ${f.tier}, effort ${f.effort})`, em: true }] : []),
              ],
              // What to do, unless the item already says it (an index statement).
              ...(f && f.kind !== 'missing-index' ? { children: [{ text: f.fix }] } : {}),
            }
          }),
        ),
      ]),
    ),
  )
}

export function successCriteriaSection(ctx: ReportContext): Section {
  const targets: ListItem[] = ctx.input.slos.map((s) => ({
    text:
      s.status === 'no-data'
        ? `${s.id} ${s.target.text}: no data (${s.message.replace(/^.*no data \(/, '').replace(/\)$/, '')})`
        : `${criterionName(s)} ${s.target.text} (measured ${sloValue(s)})`,
    checked: s.status === 'pass',
  }))
  // The SLO targets are listed above with their measurements; the analysis adds one per finding.
  const fixed = successCriteria(ctx.findings, ctx.record.plan.slos).filter((c) => c.finding !== undefined)
  return section(
    'success-criteria',
    '7. Success Criteria',
    [],
    [
      section('targets', 'Performance Targets', [
        targets.length > 0 ? list(targets) : note('No SLO targets configured (perfgate.yml `slos`).'),
        ...(fixed.length > 0
          ? [
              para([strong('Each finding fixed'), plain(':')]),
              list(fixed.map((c) => ({ text: withCode(c.text), checked: false }))),
            ]
          : []),
      ]),
      section('validation', 'Validation Steps', [
        list(
          [
            { text: 'Run same load test scenario (perfgate does this on every push)' },
            {
              text: `Compare p95 latencies (${ctx.hasBaseline ? 'done: see the Δ p95 column' : 'no baseline yet: this run can become it'})`,
            },
            {
              text: `Check error rates (${ctx.overall ? fmt.pct(ctx.overall.errorRate, 2) : 'n/a'} in this run)`,
            },
            { text: 'Verify resource utilization (section 2, Resource Utilization)' },
            { text: 'Document improvements (this report, kept as an artifact)' },
          ],
          true,
        ),
      ]),
    ],
  )
}

function criterionName(s: SloResult): string {
  const label: Record<string, string> = {
    p50Ms: 'p50',
    p95Ms: 'p95',
    p99Ms: 'p99',
    errorRate: 'error rate',
    rps: 'throughput',
    cacheHitRate: 'cache hit rate',
  }
  if (s.metric === 'cacheHitRate') return 'Cache hit rate'
  return `${s.endpoint ?? 'Overall'} ${label[s.metric] ?? s.metric}`
}
