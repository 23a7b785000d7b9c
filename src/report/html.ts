// report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) with the
// same content as report.md, plus charts: p95 per endpoint, p95 over time and the CPU flame graph.
// The markdown is the escaped markdown of the other renderers, turned into HTML by marked.
import { Marked } from 'marked'
import { inline } from './markdown.ts'
import type { BarChart, ReportModel } from './model.ts'
import { endpointTableBlock, footerLines, headerLines, renderSection, safeUrl } from './render-markdown.ts'
import { barChartSvg, escapeHtml, flameGraphSvg, timeSeriesSvg } from './svg.ts'

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --bg: #fff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--soft); color: var(--fg); font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px; background: var(--bg); }
h1 { font-size: 26px; margin: 0 0 8px; } h2 { border-bottom: 1px solid var(--border); padding-bottom: 4px; margin-top: 32px; }
h3 { margin-top: 24px; } h4 { margin-top: 18px; }
table { border-collapse: collapse; margin: 12px 0; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid var(--border); padding: 4px 10px; vertical-align: top; }
th { background: var(--soft); } tr:nth-child(2n) td { background: #fbfcfd; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--soft); border: 1px solid var(--border); border-radius: 6px; padding: 12px; overflow-x: auto; }
pre code { background: none; padding: 0; white-space: pre; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; font-weight: 600; line-height: 18px; white-space: nowrap; border: 1px solid; }
.badge.ok { background: #dafbe1; border-color: #4ac26b; color: #116329; } .badge.bad { background: #ffebe9; border-color: #ff8182; color: #a40e26; }
.badge.warn { background: #fff8c5; border-color: #d4a72c; color: #7d4e00; } .badge.info { background: #ddf4ff; border-color: #54aeff; color: #0550ae; }
.badge.muted { background: #f6f8fa; border-color: #d0d7de; color: #57606a; }
td code { white-space: normal; overflow-wrap: normal; word-break: normal; }
td[align="right"], th[align="right"] { white-space: nowrap; }
.verdict { padding: 12px 16px; border-radius: 6px; font-size: 16px; font-weight: 600; margin: 12px 0; border: 1px solid; }
.verdict.pass { background: #dafbe1; border-color: #4ac26b; } .verdict.fail { background: #ffebe9; border-color: #ff8182; }
.verdict.warn { background: #fff8c5; border-color: #d4a72c; } .verdict.no-baseline { background: #ddf4ff; border-color: #54aeff; }
.meta { color: var(--muted); }
.charts figure { margin: 16px 0; } .charts figcaption { color: var(--muted); font-size: 12px; }
svg.chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--border); border-radius: 6px; }
svg .title { font-size: 14px; font-weight: 600; fill: var(--fg); } svg .tick, svg .label { font-size: 11px; fill: var(--muted); }
svg .grid { stroke: #eaeef2; } svg .bar-current { fill: #4e79a7; } svg .bar-baseline { fill: #bab0ac; }
svg .target { stroke: #e15759; stroke-width: 2.5; stroke-dasharray: 6 3; }
svg .frame { font: 11px ui-monospace, Menlo, Consolas, monospace; fill: #1f2328; pointer-events: none; }
svg.flame rect:hover { stroke: #1f2328; stroke-width: 1; }
ul.contains-task-list, li.task-list-item { list-style: none; }
hr { border: 0; border-top: 1px solid var(--border); margin: 24px 0; }
`

function markdownToHtml(markdown: string): string {
  const marked = new Marked({ gfm: true, async: false })
  return marked.parse(markdown) as string
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`
}

/** report.html for `model`: self-contained, same content as report.md, with SVG charts. */
/** Status emoji and the text badge that replaces them: many systems have no emoji font. */
const BADGES: [emoji: string, word: string, tone: string][] = [
  ['✅', 'pass', 'ok'],
  ['❌', 'fail', 'bad'],
  ['⚠️', 'warn', 'warn'],
  ['⚠', 'warn', 'warn'],
  ['🆕', 'new', 'info'],
  ['⚪', 'no data', 'muted'],
  ['🔺', 'regression', 'bad'],
  ['🟢', 'improvement', 'ok'],
  ['❔', 'inconclusive', 'muted'],
]

/**
 * `html` whose table cells' code may break after a `/` (a path's own boundary), so a long function
 * or file name wraps between its parts and never inside a name, and the table fits the page.
 */
function breakablePaths(html: string): string {
  return html.replace(/<td([^>]*)>([\s\S]*?)<\/td>/g, (_, attrs: string, inner: string) => {
    const cell = inner.replace(
      /<code>([^<]*)<\/code>/g,
      (_m, text: string) => `<code>${text.replace(/\//g, '/<wbr>')}</code>`,
    )
    return `<td${attrs}>${cell}</td>`
  })
}

/** `html` with every status emoji as a text badge; the word after it, when it says the same, is dropped. */
function textBadges(html: string): string {
  let out = html
  for (const [emoji, word, tone] of BADGES) {
    const badge = `<span class="badge ${tone}">${word}</span>`
    out = out.split(`${emoji} ${word}`).join(badge).split(emoji).join(badge)
  }
  return out
}

export function renderHtml(model: ReportModel): string {
  const charts: BarChart[] = []
  const chart = (c: BarChart) => {
    charts.push(c)
    return `<!--perfgate-chart-${charts.length - 1}-->`
  }
  const v = model.verdict
  const top = [
    `**Commit** ${inline(model.commit)} · **Baseline** ${model.baselineRef ? inline(model.baselineRef) : 'none yet'} · ${inline(model.loadTest)}`,
    v.reasons.map((r) => `- ${inline(r)}`).join('\n'),
    model.endpoints.length > 0 || model.overall ? endpointTableBlock(model) : '',
  ].join('\n\n')

  const figures: string[] = []
  if (model.p95Chart)
    figures.push(
      figure(
        barChartSvg(model.p95Chart),
        `p95 per endpoint: ${model.p95Chart.baseline ? 'dark bars are this run, light bars the baseline' : 'bars are this run'}${model.p95Chart.target.some(Number.isFinite) ? ', dashed marks the target (none where an endpoint has no target)' : ''}.`,
      ),
    )
  if (model.latencySeries.length > 0)
    figures.push(
      figure(
        timeSeriesSvg(model.latencySeries),
        `p95 of each ${model.latencySeriesStepS} s of the run, per endpoint.`,
      ),
    )
  else figures.push(`<p><em>No latency over time: the run has no load windows.</em></p>`)
  if (model.flame)
    figures.push(
      figure(
        flameGraphSvg(model.flame),
        'CPU profile, callers above callees; width is the share of CPU time.',
      ),
    )
  else
    figures.push(
      '<p><em>No flame graph: the CPU profile was not collected or not decoded for this report.</em></p>',
    )

  const body = [
    headerLines(model),
    ...model.sections.map((s) => renderSection(s, 2, { chart })),
    '---',
    footerLines(model),
  ].join('\n\n')
  let reportHtml = breakablePaths(markdownToHtml(body))
  reportHtml = reportHtml.replace(/<!--perfgate-chart-(\d+)-->/g, (_, i: string) => {
    const c = charts[Number(i)]
    return c ? figure(barChartSvg(c), 'p95 per endpoint against its target.') : ''
  })

  const links = [
    ...(safeUrl(model.links.runUrl)
      ? [`<a href="${escapeHtml(safeUrl(model.links.runUrl)!)}">workflow run</a>`]
      : []),
    ...(safeUrl(model.links.artifactUrl)
      ? [`<a href="${escapeHtml(safeUrl(model.links.artifactUrl)!)}">artifacts</a>`]
      : []),
  ]
  return textBadges(
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
      `<title>${escapeHtml(model.title)}</title>`,
      `<style>${CSS}</style>`,
      '</head>',
      '<body>',
      '<main>',
      `<h1>${escapeHtml(model.title)}</h1>`,
      `<div class="verdict ${escapeHtml(v.outcome)}">${escapeHtml(v.line)}</div>`,
      markdownToHtml(top),
      `<section class="charts"><h2>Charts</h2>${figures.join('\n')}</section>`,
      `<section class="report">${reportHtml}</section>`,
      `<p class="meta">${links.join(' · ')}${links.length ? ' · ' : ''}perfgate ${escapeHtml(model.toolVersion)}</p>`,
      '</main>',
      '</body>',
      '</html>',
      '',
    ].join('\n'),
  )
}
