// Markdown rendering of the model's blocks and sections, and the full report.md.
import { code, fence, heading, inline, table } from './markdown.ts'
import type { BarChart, Block, ListItem, ReportModel, Section, Text } from './model.ts'
import { withCode } from './blocks.ts'
import { endpointTable } from './rows.ts'

/** How much of each table and code block to show; the comment lowers these to fit. */
export interface Limits {
  maxRows?: number
  maxCodeLines?: number
  /** Renders a chart block some other way (the HTML report draws SVG). */
  chart?: (chart: BarChart) => string
}

/** A URL safe for a markdown link, or undefined when it is not http(s). */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url)) return undefined
  return url.replace(
    /[()<>"'`\\|[\]]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  )
}

export function renderText(text: Text): string {
  // The analysis writes code as `backticked` spans in its texts; they render as code.
  if (typeof text === 'string') return renderText(withCode(text))
  return text
    .map((span) => {
      let out = span.code ? code(span.text) : inline(span.text)
      if (span.strong) out = `**${out}**`
      if (span.em) out = `_${out}_`
      const url = safeUrl(span.href)
      if (url) out = `[${out}](${url})`
      return out
    })
    .join('')
}

function renderItems(items: ListItem[], ordered: boolean, indent: string): string[] {
  const lines: string[] = []
  items.forEach((item, i) => {
    const bullet = ordered ? `${i + 1}.` : '-'
    const box = item.checked === undefined ? '' : item.checked ? '[x] ' : '[ ] '
    lines.push(`${indent}${bullet} ${box}${renderText(item.text)}`.replace(/\s+$/, ''))
    if (item.children?.length)
      lines.push(...renderItems(item.children, false, indent + ' '.repeat(bullet.length + 1)))
  })
  return lines
}

function truncateCode(text: string, maxLines: number | undefined): string {
  if (maxLines === undefined) return text
  const lines = text.replace(/\s+$/, '').split('\n')
  if (lines.length <= maxLines) return text
  return [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines in the full report`].join(
    '\n',
  )
}

/** The p95 chart as a mermaid xychart-beta; labels are reduced to characters mermaid cannot misread. */
export function mermaidChart(chart: BarChart): string {
  const label = (s: string) => `"${s.replace(/[^A-Za-z0-9_ .:/()-]/g, '_').slice(0, 40)}"`
  const num = (n: number) => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0')
  const values = [...chart.current, ...chart.target, ...(chart.baseline ?? [])].filter(Number.isFinite)
  const max = Math.max(1, ...values)
  const top = Math.ceil((max * 1.1) / 10) * 10
  // Mermaid's line series cannot leave gaps: a target line is drawn only when every endpoint has one.
  const missingTargets = chart.target.filter((t) => !Number.isFinite(t)).length
  const hasTarget = missingTargets === 0 && chart.target.length > 0
  const lines = [
    'xychart-beta',
    `    title ${label(chart.title)}`,
    `    x-axis [${chart.labels.map(label).join(', ')}]`,
    `    y-axis "p95 (${chart.unit})" 0 --> ${top}`,
    `    bar [${chart.current.map(num).join(', ')}]`,
    ...(chart.baseline ? [`    bar [${chart.baseline.map(num).join(', ')}]`] : []),
    ...(hasTarget ? [`    line [${chart.target.map(num).join(', ')}]`] : []),
  ]
  const legend = [
    'Bars: current p95',
    ...(chart.baseline ? ['second bars: baseline p95'] : []),
    ...(hasTarget
      ? ['line: p95 target']
      : missingTargets < chart.target.length
        ? [
            `no target line, as ${missingTargets} of ${chart.target.length} endpoints have no p95 target (targets are in the table)`,
          ]
        : []),
  ].join('; ')
  const omitted = chart.omitted > 0 ? ` ${chart.omitted} more endpoints are in the table.` : ''
  return `${fence(lines.join('\n'), 'mermaid')}\n\n_${legend}.${omitted}_`
}

export function renderBlock(block: Block, limits: Limits = {}): string {
  switch (block.kind) {
    case 'paragraph':
      return renderText(block.text)
    case 'note':
      return `_${renderText(block.text)}_`
    case 'list':
      return renderItems(block.items, block.ordered ?? false, '').join('\n')
    case 'table': {
      const max = limits.maxRows
      const rows = max !== undefined && block.rows.length > max ? block.rows.slice(0, max) : block.rows
      const text = table(
        block.header.map(inline),
        rows.map((r) => r.map(renderText)),
        block.align,
      )
      const more = block.rows.length - rows.length
      return more > 0 ? `${text}\n\n_… ${more} more rows in the full report._` : text
    }
    case 'code':
      return fence(truncateCode(block.text, limits.maxCodeLines), block.language)
    case 'chart':
      return limits.chart ? limits.chart(block.chart) : mermaidChart(block.chart)
  }
}

/** A section with its children; headings start at `level`. */
export function renderSection(s: Section, level: number, limits: Limits = {}, withTitle = true): string {
  const parts: string[] = []
  if (withTitle) parts.push(heading(level, inline(s.title)))
  for (const b of s.blocks) parts.push(renderBlock(b, limits))
  for (const c of s.children) parts.push(renderSection(c, level + 1, limits))
  return parts.join('\n\n')
}

/** The report's header lines (date, environment, load test, version), as the template has them. */
export function headerLines(model: ReportModel): string {
  return [
    `**Date**: ${inline(model.date)}  `,
    `**Environment**: ${inline(model.targetUrl)}  `,
    `**Load Test**: ${inline(model.loadTest)}  `,
    `**Backend Version**: ${code(model.commit)}  `,
    `**Baseline**: ${model.baselineRef ? code(model.baselineRef) : 'none yet (this run can become the baseline)'}`,
  ].join('\n')
}

export function footerLines(model: ReportModel): string {
  return model.footer
    .map((f) => `**${inline(f.label)}**: ${inline(f.value)}  `)
    .join('\n')
    .replace(/\s+$/, '')
}

/** The endpoint table block of the model, as rendered at the top of the comment and the summary. */
export function endpointTableBlock(model: ReportModel, maxRows?: number): string {
  const rows = model.endpoints
  const limited =
    maxRows !== undefined && rows.length > maxRows
      ? [...rows]
          .map((r, i) => ({ r, i, bad: r.status === 'fail' || r.p95Verdict === 'regression' ? 0 : 1 }))
          .sort((a, b) => a.bad - b.bad || a.i - b.i)
          .slice(0, maxRows)
          .sort((a, b) => a.i - b.i)
          .map((x) => x.r)
      : rows
  const text = renderBlock(endpointTable(limited, model.overall, model.hasBaseline))
  const more = rows.length - limited.length
  return more > 0
    ? `${text}\n\n_… ${more} more endpoints in the full report (failing and regressed ones are shown first)._`
    : text
}

/** report.md: the whole template, every section, nothing collapsed. */
export function renderMarkdown(model: ReportModel): string {
  const parts = [
    heading(1, inline(model.title)),
    headerLines(model),
    `**Verdict**: ${inline(model.verdict.line)}`,
    '---',
  ]
  model.sections.forEach((s, i) => {
    parts.push(renderSection(s, 2))
    if (i < model.sections.length - 1) parts.push('---')
  })
  parts.push('---', footerLines(model))
  return parts.join('\n\n') + '\n'
}
