// The job summary: the verdict, the endpoint table and chart up front, then every section of the
// report expanded, trimmed to GitHub's 1 MiB limit with a note saying what was left out and where
// the full report is.
import { noFindingsLine } from './blocks.ts'
import { code, heading, inline } from './markdown.ts'
import type { ReportModel, Section } from './model.ts'
import {
  endpointTableBlock,
  footerLines,
  headerLines,
  mermaidChart,
  renderSection,
  safeUrl,
  type Limits,
} from './render-markdown.ts'

/** GitHub rejects a step summary larger than 1 MiB. */
export const SUMMARY_LIMIT = 1024 * 1024

/** Levels of detail a collapsed section can be shown at, from full to dropped. */
const LEVELS: (Limits | 'drop')[] = [
  {},
  { maxRows: 20, maxCodeLines: 40 },
  { maxRows: 5, maxCodeLines: 10 },
  'drop',
]

interface Part {
  section: Section
  level: number
}

function linksLine(model: ReportModel): string {
  const run = safeUrl(model.links.runUrl)
  const artifact = safeUrl(model.links.artifactUrl)
  const links = [
    ...(run ? [`[workflow run](${run})`] : []),
    ...(artifact ? [`[artifacts: report.md, report.html, result.json](${artifact})`] : []),
  ]
  return `${links.length > 0 ? links.join(' · ') + ' · ' : ''}perfgate ${inline(model.toolVersion)}`
}

function whereFullReport(model: ReportModel): string {
  const artifact = safeUrl(model.links.artifactUrl)
  return artifact
    ? `the full report is in the [artifacts](${artifact}) (report.md, report.html) and the job summary`
    : 'the full report is in the run’s artifacts (report.md, report.html) and the job summary'
}

/** Verdict, reasons, endpoint table, chart, regressions and top findings. */
function top(model: ReportModel, maxEndpointRows: number | undefined, withChart: boolean): string {
  const v = model.verdict
  const parts: string[] = [
    heading(2, `Performance report: ${inline(model.reportName)}`),
    `**${inline(v.line)}**`,
  ]
  const meta = [
    `commit ${code(model.commit)}`,
    model.baselineRef ? `baseline ${code(model.baselineRef)}` : 'no baseline yet',
    inline(model.loadTest),
  ]
  parts.push(meta.join(' · '))
  // Regressions get their own list below when there is a baseline.
  const reasons = model.hasBaseline ? v.reasons.filter((r) => !r.startsWith('regression: ')) : v.reasons
  if (reasons.length > 0) parts.push(reasons.map((r) => `- ${inline(r)}`).join('\n'))
  if (model.endpoints.length > 0 || model.overall) parts.push(endpointTableBlock(model, maxEndpointRows))
  if (model.paired)
    parts.push(
      [
        `_${inline(model.paired.line)}_`,
        ...(model.paired.open ? [`_${inline(model.paired.open)}_`] : []),
        ...(model.paired.stopping ? [`_${inline(model.paired.stopping)}_`] : []),
        ...(model.paired.p50 ? [inline(model.paired.p50)] : []),
      ].join('\n\n'),
    )
  if (withChart && model.p95Chart) parts.push(mermaidChart(model.p95Chart))
  if (model.hasBaseline) {
    const { regressions, improvements } = model.changes
    parts.push(
      regressions.length > 0
        ? `**Regressions**\n\n${regressions.map((r) => `- 🔺 ${inline(r)}`).join('\n')}`
        : '**Regressions**: none against the baseline.',
    )
    if (improvements.length > 0)
      parts.push(`**Improvements**\n\n${improvements.map((r) => `- 🟢 ${inline(r)}`).join('\n')}`)
  }
  if (model.topFindings.length > 0) {
    parts.push(
      `**Top findings**${model.newFindings ? `\n\n_${inline(model.newFindings)}_` : ''}\n\n${model.topFindings
        .map(
          (f) =>
            `- **P${f.tier}** ${f.isNew ? '(new) ' : ''}${inline(f.title)}${f.location ? ` (${code(f.location)})` : ''}: ${inline(f.detail)}`,
        )
        .join('\n')}`,
    )
  } else parts.push(noFindingsLine(model))
  return parts.join('\n\n')
}

function renderPart(part: Part): string {
  const level = LEVELS[part.level]!
  const s = part.section
  if (level === 'drop') return ''
  return `${heading(2, inline(s.title))}\n\n${renderSection(s, 3, level, false)}`
}

interface FitOptions {
  limit: number
  measure: (text: string) => number
  what: string
}

/**
 * Assembles top + sections + links within `limit`: the largest section is shortened first (tables
 * and code blocks cut), then dropped, one step at a time, until everything fits.
 */
function fit(model: ReportModel, o: FitOptions): string {
  const parts: Part[] = model.sections.map((section) => ({ section, level: 0 }))
  const maxRowsSteps = [50, 20, 5]
  let topStep = 0
  const assemble = (): string => {
    const trimmed = parts.filter((p) => p.level > 0)
    const out: string[] = [top(model, maxRowsSteps[topStep], topStep < 2)]
    if (trimmed.length > 0 || topStep > 0) {
      const dropped = trimmed.filter((p) => LEVELS[p.level] === 'drop').map((p) => p.section.title)
      const shortened = trimmed.filter((p) => LEVELS[p.level] !== 'drop').map((p) => p.section.title)
      const what = [
        ...(shortened.length ? [`shortened ${shortened.map(inline).join(', ')}`] : []),
        ...(dropped.length ? [`left out ${dropped.map(inline).join(', ')}`] : []),
        ...(topStep > 0 ? ['shortened the endpoint table'] : []),
      ].join('; ')
      out.push(`> ✂️ **Trimmed** to stay under ${o.what}: ${what}. ${capitalize(whereFullReport(model))}.`)
    }
    out.push('---', headerLines(model))
    for (const p of parts) {
      const text = renderPart(p)
      if (text) out.push(text)
    }
    out.push('---', footerLines(model), linksLine(model))
    return out.join('\n\n') + '\n'
  }
  let text = assemble()
  while (o.measure(text) > o.limit) {
    const candidates = parts.filter((p) => LEVELS[p.level] !== 'drop')
    if (candidates.length > 0) {
      let largest = candidates[0]!
      let size = -1
      for (const p of candidates) {
        const n = o.measure(renderPart(p))
        if (n > size) {
          size = n
          largest = p
        }
      }
      largest.level++
    } else if (topStep < maxRowsSteps.length - 1) topStep++
    else {
      // Nothing left to trim structurally: cut the text itself (never expected in practice).
      const marker = `\n\n> ✂️ **Cut** at ${o.what}; ${whereFullReport(model)}.\n`
      let cut = text.slice(0, o.limit - marker.length * 4)
      while (o.measure(cut + marker) > o.limit) cut = cut.slice(0, Math.floor(cut.length * 0.9))
      return cut + marker
    }
    text = assemble()
  }
  return text
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** The job summary: the verdict and tables up front, then every section expanded, under 1 MiB. */
export function renderSummary(model: ReportModel, limit = SUMMARY_LIMIT): string {
  return fit(model, {
    limit,
    measure: (t) => Buffer.byteLength(t, 'utf8'),
    what: "GitHub's 1 MiB job summary limit",
  })
}
