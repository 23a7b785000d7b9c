// 5. Optimization Recommendations: the findings by priority tier, each with what to do.
import { findingsByTier, TIER_TITLES } from '../../analyze/recommend.ts'
import { codeSpan, kv, list, note, plain, section, strong } from '../blocks.ts'
import type { ReportContext } from '../context.ts'
import { impactText } from '../findings.ts'
import { sinceText } from '../new-findings.ts'
import { NO_ANALYSIS } from '../format.ts'
import type { Section } from '../model.ts'

export function recommendations(ctx: ReportContext): Section {
  const byTier = findingsByTier(ctx.findings)
  return section(
    'recommendations',
    '5. Optimization Recommendations',
    ctx.findings.length === 0
      ? [
          note(
            ctx.analysis
              ? 'No findings in this run, so no recommendations: every collected signal was within its thresholds.'
              : `No findings: ${NO_ANALYSIS}.`,
          ),
        ]
      : [
          note(
            "A finding's tier is its measured impact, printed with its basis: above 30 % of an endpoint's " +
              'latency, or of database or CPU time, is priority 1; 10–30 % is 2; 5–10 % is 3; below 5 % is 4. ' +
              'What makes a finding, and what perfgate leaves out: docs/findings.md.',
          ),
          ...(ctx.since ? [note(sinceText(ctx.since, ctx.findings.length))] : []),
        ],
    ([1, 2, 3, 4] as const).map((tier) => {
      const fs = byTier[tier]
      return section(
        `priority-${tier}`,
        TIER_TITLES[tier],
        fs.length === 0
          ? [note(`No priority ${tier} findings in this run.`)]
          : [
              list(
                fs.map((f) => ({
                  text: ctx.since?.newOnes.has(f)
                    ? [strong(f.title), plain(' (new since the baseline)')]
                    : [strong(f.title)],
                  children: [
                    kv('Issue', f.detail),
                    kv('Impact', impactText(f)),
                    kv('Effort', f.effort.toUpperCase()),
                    kv('Implementation', f.fix),
                    ...(f.location ? [kv('Location', [codeSpan(f.location)])] : []),
                    ...(f.endpoint ? [kv('Endpoint', [codeSpan(f.endpoint)])] : []),
                  ],
                })),
                true,
              ),
            ],
      )
    }),
  )
}
