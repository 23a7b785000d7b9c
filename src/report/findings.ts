// Findings as the sections show them: by kind, their measured impact, and as a list item. Pure.
import type { Finding, FindingKind } from '../record/findings.ts'
import { plain, strong, withCode } from './blocks.ts'
import type { ReportContext } from './context.ts'
import { fmt } from './markdown.ts'
import type { ListItem } from './model.ts'

export function findingsOf(ctx: ReportContext, ...kinds: FindingKind[]): Finding[] {
  return ctx.findings.filter((f) => kinds.includes(f.kind))
}

export function impactText(f: Finding): string {
  if (f.impact === undefined) return 'not measured'
  const basis = f.impactBasis?.replace(/^share of /, '')
  return `${fmt.pct(f.impact)}${basis ? ` of ${basis}` : ''}`
}

export function findingItem(f: Finding): ListItem {
  return { text: [strong(f.title), plain(': '), ...withCode(f.detail)] }
}
