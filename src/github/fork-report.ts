// The verdict and the comment `mode: comment` posts for a fork's record: judged again here against
// this workflow's plan (the base branch's perfgate.yml, never the record's own SLOs) and the
// baseline this workflow found itself, and rendered from the record by perfgate's own renderer.
// Nothing the fork wrote as markdown (its comment.md, report.md) is used, and no link from the
// record stays clickable: the renderer escapes HTML and markdown, and the bare URLs GitHub would
// autolink are broken up, so only the links perfgate builds from trusted data remain.
import type { Plan } from '../plan/types.ts'
import type { RunRecord } from '../record/index.ts'
import type { Comparison, GateVerdict, SloResult } from '../record/compare.ts'
import type { BaselineResult } from '../baseline/types.ts'
import { judgeRecord } from '../pipeline.ts'
import { buildReportModel, renderComment, COMMENT_LIMIT, type ReportLinks } from '../report/index.ts'
import { safeUrl } from '../report/render-markdown.ts'

export interface ForkReport {
  slos: SloResult[]
  comparison: Comparison
  gate: GateVerdict
  /** The comment body, marker line included. */
  comment: string
}

/** Room left for the characters defuseLinks inserts (one per bare URL). */
const DEFUSE_SLACK = 4096

/** Judges `record` with `plan` and `baseline`, and renders its comment with only `links` clickable. Pure. */
export function judgeForkRecord(
  record: RunRecord,
  plan: Plan,
  baseline: BaselineResult,
  links: ReportLinks,
): ForkReport {
  // The record's own analysis output is data like the rest: rendered escaped, never trusted as markup.
  const { slos, comparison, gate } = judgeRecord(record, plan, baseline)
  const model = buildReportModel({
    record,
    ...(baseline.baseline ? { baseline: baseline.baseline } : {}),
    comparison,
    slos,
    gate,
    links,
    reportName: plan.reportName,
  })
  const trusted = [links.runUrl, links.artifactUrl].map(safeUrl).filter((u): u is string => !!u)
  const comment = defuseLinks(renderComment(model, COMMENT_LIMIT - DEFUSE_SLACK), trusted)
  return { slos, comparison, gate, comment }
}

/**
 * Breaks every bare URL GitHub would autolink (`http://`, `https://`, `www.`) with a zero-width
 * space, except the `trusted` ones perfgate put there itself. The text still reads the same.
 */
export function defuseLinks(markdown: string, trusted: string[]): string {
  const kept: string[] = []
  let out = markdown
  // Longest first, so a URL that prefixes another does not split it.
  for (const url of [...new Set(trusted)].sort((a, b) => b.length - a.length)) {
    out = out.split(url).join(`\uE000${kept.length}\uE001`)
    kept.push(url)
  }
  out = out
    .replace(/\b(https?):(?=\/\/)/gi, '$1:\u200b')
    .replace(/\b(www)\./gi, '$1\u200b.')
    .replace(/\uE000(\d+)\uE001/g, (_m, i: string) => kept[Number(i)] ?? '')
  return out
}
