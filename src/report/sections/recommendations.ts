// 5. Optimization Recommendations: the findings by priority tier, each with what to do.
import { findingsByTier, TIER_TITLES } from '../../analyze/recommend.ts'
import { codeSpan, kv, list, note, section, strong } from '../blocks.ts'
import type { ReportContext } from '../context.ts'
import { impactText } from '../findings.ts'
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
      : [],
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
                  text: [strong(f.title)],
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
