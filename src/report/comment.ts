// The sticky PR comment: what a reviewer reads in 30 seconds. The verdict and its reasons, the
// endpoint table, the regressions with their evidence, the top findings, and links to the full
// report (job summary, artifact with report.md and report.html). Every part has a fixed budget of
// lines and characters, so the comment's size does not grow with the run; the full report is never
// in the comment.
import { noFindingsLine, withCode } from './blocks.ts'
import { code, heading, inline } from './markdown.ts'
import { commentMarker } from './marker.ts'
import type { EndpointRow, ReportModel } from './model.ts'
import { renderBlock, renderText, safeUrl } from './render-markdown.ts'
import { endpointTable } from './rows.ts'
import { changeText, endpointsText, thresholdText, topRows, unmovedKinds } from './what-changed.ts'

export { commentMarker }

/** GitHub rejects issue comments longer than 65,536 characters. */
export const COMMENT_LIMIT = 65_536

/** More endpoints than this collapse to the failing and changed ones. */
const COLLAPSE_AT = 25

/** How many lines of each part, and how long a line may be. */
interface Budget {
  reasons: number
  endpointRows: number
  regressions: number
  improvements: number
  findings: number
  /** "What changed" rows per profile kind. */
  movers: number
  lineChars: number
}

/** The normal budget first; the smaller ones only when a caller's limit is tighter than any real comment. */
const BUDGETS: Budget[] = [
  {
    reasons: 6,
    endpointRows: COLLAPSE_AT,
    regressions: 10,
    improvements: 5,
    findings: 5,
    movers: 3,
    lineChars: 240,
  },
  { reasons: 3, endpointRows: 10, regressions: 5, improvements: 0, findings: 3, movers: 2, lineChars: 160 },
  { reasons: 0, endpointRows: 0, regressions: 0, improvements: 0, findings: 0, movers: 0, lineChars: 100 },
]

/** `text` cut at a word boundary to at most `max` characters, with an ellipsis. */
function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  const cut = flat.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.(]+$/, '')}…`
}

/** A text with `code` spans clipped like clip(), a span cut in the middle closed again. */
function clipWithCode(text: string, max: number): string {
  const out = clip(text, max)
  if ((out.match(/`/g) ?? []).length % 2 === 0) return out
  return `${out.slice(0, -1)}…\``
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`
}

/** The first `max` lines, then one line counting the rest. */
function capped(lines: string[], max: number, rest: (n: number) => string): string[] {
  if (lines.length <= max) return lines
  return [...lines.slice(0, max), `- ${rest(lines.length - max)}`]
}

function fullReportLink(model: ReportModel): string {
  const artifact = safeUrl(model.links.artifactUrl)
  return artifact ? `[full report](${artifact})` : 'full report (report.md in the run’s artifacts)'
}

function reasonsBlock(model: ReportModel, b: Budget): string | undefined {
  // Regressions get their own list below when there is a baseline.
  const reasons = model.verdict.reasons.filter((r) => !(model.hasBaseline && r.startsWith('regression: ')))
  if (reasons.length === 0) return undefined
  const lines = reasons.map((r) => `- ${inline(clip(r, b.lineChars + 80))}`)
  return capped(lines, b.reasons, (n) => {
    const kinds = new Map<string, number>()
    for (const r of reasons.slice(b.reasons)) {
      const kind = /^([^:]{1,40}):/.exec(r)?.[1] ?? 'other'
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    }
    const counts = [...kinds.entries()].map(([k, c]) => `${c.toLocaleString('en-US')} ${inline(k)}`)
    return `… and ${plural(n, 'more reason')} (${counts.join(', ')}) in the ${fullReportLink(model)}`
  }).join('\n')
}

const isFailing = (r: EndpointRow) => r.status === 'fail' || r.status === 'no-data'
const isChanged = (r: EndpointRow) => r.p95Verdict === 'regression' || r.p95Verdict === 'improvement'

/** The endpoint table; past COLLAPSE_AT endpoints only the failing, then the changed ones, with a count. */
function endpointBlock(model: ReportModel, b: Budget): string | undefined {
  const all = model.endpoints
  if (all.length === 0 && !model.overall) return undefined
  const short = (r: EndpointRow): EndpointRow => ({
    ...r,
    name: clip(r.name, 60),
    ...(r.target ? { target: clip(r.target, 20) } : {}),
  })
  const collapse = all.length > Math.min(COLLAPSE_AT, b.endpointRows)
  const notable = collapse
    ? [...all.filter(isFailing), ...all.filter((r) => !isFailing(r) && isChanged(r))]
    : all
  const shown = notable.slice(0, b.endpointRows)
  const order = new Map(all.map((r, i) => [r, i]))
  shown.sort((x, y) => order.get(x)! - order.get(y)!)
  const tableText =
    shown.length > 0 || model.overall
      ? renderBlock(endpointTable(shown.map(short), model.overall, model.hasBaseline))
      : ''
  if (!collapse) return tableText
  const failing = all.filter(isFailing).length
  const changed = all.filter((r) => !isFailing(r) && isChanged(r)).length
  const others = all.length - failing - changed
  // "others" holds inconclusive rows too, and a paired row's "unchanged" is only "no regression":
  // neither is shown to be unchanged, so the count does not say so.
  const n = (x: number) => x.toLocaleString('en-US')
  const counts = model.hasBaseline
    ? `${n(failing)} failing, ${n(changed)} changed against the baseline, ${n(others)} passing with no clear p95 change`
    : `${n(failing)} failing, ${n(all.length - failing)} passing`
  const note = `_${plural(all.length, 'endpoint')}: ${counts}; ${shown.length === notable.length ? 'the table shows the failing and changed ones' : `the table shows ${shown.length.toLocaleString('en-US')} of the ${notable.length.toLocaleString('en-US')} failing and changed ones`}. Every endpoint is in the ${fullReportLink(model)}._`
  return [tableText, note].filter(Boolean).join('\n\n')
}

/** A paired run: its design, and the gated p50 intervals (p95's are in the table's Δ column). */
function pairedBlock(model: ReportModel, b: Budget): string | undefined {
  if (!model.paired) return undefined
  const lines = [`_${inline(clip(model.paired.line, b.lineChars * 2))}_`]
  if (model.paired.open) lines.push(`_${inline(clip(model.paired.open, b.lineChars * 2))}_`)
  if (model.paired.stopping) lines.push(`_${inline(clip(model.paired.stopping, b.lineChars * 2))}_`)
  if (model.paired.p50 && b.endpointRows > 0) lines.push(inline(clip(model.paired.p50, b.lineChars * 2)))
  return lines.join('\n\n')
}

function changesBlock(model: ReportModel, b: Budget): string | undefined {
  if (!model.hasBaseline) return undefined
  const { regressions, improvements } = model.changes
  const parts: string[] = []
  const rest = (what: string) => (n: number) =>
    `… and ${plural(n, `more ${what}`)} in the ${fullReportLink(model)}`
  if (regressions.length === 0) parts.push('**Regressions**: none against the baseline.')
  else
    parts.push(
      `**Regressions**\n\n${capped(
        regressions.map((r) => `- 🔺 ${inline(clip(r, b.lineChars + 80))}`),
        b.regressions,
        rest('regression'),
      ).join('\n')}`,
    )
  if (improvements.length > 0) {
    parts.push(
      b.improvements > 0
        ? `**Improvements**\n\n${capped(
            improvements.map((r) => `- 🟢 ${inline(clip(r, b.lineChars))}`),
            b.improvements,
            rest('improvement'),
          ).join('\n')}`
        : `**Improvements**: ${plural(improvements.length, 'metric')} in the ${fullReportLink(model)}.`,
    )
  }
  return parts.join('\n\n')
}

/** Why requests failed when the target refused the load generator: the reviewer's first question. */
function stormsBlock(model: ReportModel, b: Budget): string | undefined {
  if (model.storms.length === 0 || b.reasons === 0) return undefined
  const lines = model.storms.map((s) => `- ${renderText(withCode(clipWithCode(s, b.lineChars + 160)))}`)
  return `**Failing responses**\n\n${capped(lines, 3, (n) => `… and ${plural(n, 'more')} in the ${fullReportLink(model)}`).join('\n')}`
}

function findingsBlock(model: ReportModel, b: Budget): string {
  const findings = model.topFindings
  if (findings.length === 0) return noFindingsLine(model)
  if (b.findings === 0)
    return `**Top findings**: ${plural(findings.length, 'finding')} in the ${fullReportLink(model)}.`
  const lines = findings.slice(0, b.findings).map((f) => {
    const where = f.location ? ` (${code(clip(f.location, 80))})` : ''
    const isNew = f.isNew ? '(new) ' : ''
    return `- **P${f.tier}** ${isNew}${inline(clip(f.title, 100))}${where}: ${renderText(withCode(clipWithCode(f.detail, b.lineChars)))}`
  })
  const since = model.newFindings ? `\n\n_${inline(model.newFindings)}_` : ''
  return `**Top findings**${since}\n\n${lines.join('\n')}`
}

/**
 * What changed in the profiles since the baseline: the top movers of CPU, allocations and
 * contention, those on the regressed endpoints' code paths first, one line each with where, on
 * which endpoints and by how much, under the threshold used. Nothing without baseline profiles
 * (the full report says why).
 */
function whatChangedBlock(model: ReportModel, b: Budget): string | undefined {
  const w = model.whatChanged
  if (!w || b.movers === 0) return undefined
  const focus = model.regressedEndpoints
  const rows = topRows(w, b.movers, focus)
  const lines = rows.map((r) => {
    const where = r.location ? ` (${code(clip(r.location, 80))})` : ''
    const on = endpointsText(r)
    return `- ${code(clip(r.name, 120))}${where}${on ? ` ${inline(clip(on, 100))}` : ''}: ${inline(changeText(r))}`
  })
  const regressedOn = focus.filter((e) => rows.some((r) => r.endpoints.includes(e)))
  const unmoved = unmovedKinds(w)
  if (unmoved.length > 0) lines.push(`- ${inline(unmoved.join(', '))}: no function moved past the threshold`)
  const more = w.rows.length - rows.length
  if (more > 0) lines.push(`- … and ${plural(more, 'more function')} in the ${fullReportLink(model)}`)
  const whose = rows.some((r) => r.application) ? 'the application functions' : 'the functions'
  const first =
    regressedOn.length > 0
      ? `, those on the code paths of the regressed ${inline(clip(regressedOn.join(', '), 120))} first`
      : ''
  return [
    `**What changed** in the profiles: ${whose} whose share moved most${first} (${inline(thresholdText(w))})`,
    '',
    ...lines,
  ].join('\n')
}

/** The last line: where the full report is. Always the comment's end. */
function linksLine(model: ReportModel): string {
  const run = safeUrl(model.links.runUrl)
  const artifact = safeUrl(model.links.artifactUrl)
  const links = [
    ...(run ? [`[job summary](${run})`] : ['the job summary']),
    artifact
      ? `[artifact with report.md, report.html and result.json](${artifact})`
      : 'report.md, report.html and result.json in the run’s artifacts',
  ]
  return `perfgate ${inline(model.toolVersion)} · **Full report**: ${links.join(' · ')}`
}

function assemble(model: ReportModel, b: Budget, shortened: boolean): string {
  const meta = [
    `commit ${code(clip(model.commit, 60))}`,
    model.baselineRef ? `baseline ${code(clip(model.baselineRef, 60))}` : 'no baseline yet',
    inline(clip(model.loadTest, 120)),
  ]
  const parts = [
    commentMarker(model.reportName),
    heading(2, `Performance report: ${inline(clip(model.reportName, 80))}`),
    `**${inline(clip(model.verdict.line, 300))}**`,
    meta.join(' · '),
    b.reasons > 0 ? reasonsBlock(model, b) : undefined,
    b.endpointRows > 0 ? endpointBlock(model, b) : undefined,
    stormsBlock(model, b),
    pairedBlock(model, b),
    changesBlock(model, b),
    whatChangedBlock(model, b),
    findingsBlock(model, b),
    shortened
      ? `_Shortened to fit this comment's size limit; everything is in the ${fullReportLink(model)}._`
      : undefined,
    '---',
    linksLine(model),
  ]
  return parts.filter((p): p is string => !!p).join('\n\n') + '\n'
}

/**
 * The sticky PR comment, at most `limit` characters (UTF-16 length, never smaller than GitHub's
 * count). The normal budget fits every real run; smaller budgets are for callers with a tight limit.
 */
export function renderComment(model: ReportModel, limit = COMMENT_LIMIT): string {
  let text = ''
  for (const [i, b] of BUDGETS.entries()) {
    text = assemble(model, b, i > 0)
    if (text.length <= limit) return text
  }
  return text
}
