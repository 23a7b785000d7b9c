// Inline SVG charts for report.html: p95 per endpoint against target and baseline, p95 over time
// per endpoint, and the CPU flame graph. Pure string building; every text is escaped.
import type { BarChart, FlameNode, TimeSeries } from './model.ts'
import { formatProfileValue } from './profiles.ts'

export function escapeHtml(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
}

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
]

const r1 = (n: number) => Math.round(n * 10) / 10

function niceMax(max: number): number {
  if (!(max > 0)) return 1
  const pow = 10 ** Math.floor(Math.log10(max))
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * pow >= max) return m * pow
  return 10 * pow
}

function yAxis(max: number, x0: number, y0: number, height: number, width: number, unit: string): string {
  const parts: string[] = []
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4
    const y = r1(y0 + height - (height * i) / 4)
    parts.push(
      `<line x1="${x0}" y1="${y}" x2="${x0 + width}" y2="${y}" class="grid"/>`,
      `<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" class="tick">${escapeHtml(`${r1(v)} ${unit}`)}</text>`,
    )
  }
  return parts.join('')
}

/** Grouped bars (current, baseline) with a target mark per endpoint. */
export function barChartSvg(chart: BarChart): string {
  const W = 1000
  const left = 70
  const top = 30
  const plotW = W - left - 20
  const plotH = 230
  const n = chart.labels.length
  // The rotated labels (35°, at most 24 characters of ~7 px) reach this far below the axis; the
  // legend sits under the longest, not under a fixed gap.
  const longest = Math.min(24, Math.max(1, ...chart.labels.map((l) => l.length)))
  const H = Math.round(top + plotH + 12 + longest * 7 * Math.sin((35 * Math.PI) / 180) + 40)
  const values = [...chart.current, ...chart.target, ...(chart.baseline ?? [])].filter(Number.isFinite)
  const max = niceMax(Math.max(1, ...values) * 1.05)
  const slot = plotW / Math.max(1, n)
  const series = chart.baseline ? 2 : 1
  const barW = Math.max(2, Math.min(40, (slot * 0.7) / series))
  const y = (v: number) => r1(top + plotH - (plotH * v) / max)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" class="chart" aria-label="${escapeHtml(chart.title)}">`,
    `<text x="${W / 2}" y="18" text-anchor="middle" class="title">${escapeHtml(chart.title)}</text>`,
    yAxis(max, left, top, plotH, plotW, chart.unit),
  ]
  chart.labels.forEach((label, i) => {
    const cx = left + slot * i + slot / 2
    const x0 = cx - (barW * series) / 2
    const cur = chart.current[i] ?? NaN
    if (Number.isFinite(cur))
      parts.push(
        `<rect x="${r1(x0)}" y="${y(cur)}" width="${r1(barW)}" height="${r1(top + plotH - y(cur))}" class="bar-current"><title>${escapeHtml(`${label}: p95 ${r1(cur)} ${chart.unit}`)}</title></rect>`,
      )
    const base = chart.baseline?.[i] ?? NaN
    if (Number.isFinite(base))
      parts.push(
        `<rect x="${r1(x0 + barW)}" y="${y(base)}" width="${r1(barW)}" height="${r1(top + plotH - y(base))}" class="bar-baseline"><title>${escapeHtml(`${label}: baseline p95 ${r1(base)} ${chart.unit}`)}</title></rect>`,
      )
    const target = chart.target[i] ?? NaN
    if (Number.isFinite(target))
      parts.push(
        `<line x1="${r1(cx - slot * 0.45)}" x2="${r1(cx + slot * 0.45)}" y1="${y(target)}" y2="${y(target)}" class="target"><title>${escapeHtml(`${label}: target ${r1(target)} ${chart.unit}`)}</title></line>`,
      )
    const ly = top + plotH + 12
    parts.push(
      `<text x="${r1(cx)}" y="${ly}" transform="rotate(35 ${r1(cx)} ${ly})" class="label">${escapeHtml(label.length > 24 ? label.slice(0, 23) + '…' : label)}</text>`,
    )
  })
  const legendY = H - 12
  parts.push(
    `<rect x="${left}" y="${legendY - 10}" width="12" height="12" class="bar-current"/><text x="${left + 16}" y="${legendY}" class="tick">current p95</text>`,
    ...(chart.baseline
      ? [
          `<rect x="${left + 120}" y="${legendY - 10}" width="12" height="12" class="bar-baseline"/><text x="${left + 136}" y="${legendY}" class="tick">baseline p95</text>`,
        ]
      : []),
    `<line x1="${left + 250}" x2="${left + 270}" y1="${legendY - 4}" y2="${legendY - 4}" class="target"/><text x="${left + 276}" y="${legendY}" class="tick">target</text>`,
    '</svg>',
  )
  return parts.join('')
}

/** p95 per window over the run, one line per endpoint. */
export function timeSeriesSvg(series: TimeSeries[], title = 'p95 latency over time (ms)'): string {
  const W = 1000
  const left = 70
  const top = 30
  const plotW = W - left - 200
  const plotH = 260
  const H = top + plotH + 50
  const points = series.flatMap((s) => s.points)
  const maxT = Math.max(1, ...points.map((p) => p.tS))
  const maxV = niceMax(Math.max(1, ...points.map((p) => p.p95Ms)) * 1.05)
  const x = (t: number) => r1(left + (plotW * t) / maxT)
  const y = (v: number) => r1(top + plotH - (plotH * v) / maxV)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" class="chart" aria-label="${escapeHtml(title)}">`,
    `<text x="${(left + plotW) / 2}" y="18" text-anchor="middle" class="title">${escapeHtml(title)}</text>`,
    yAxis(maxV, left, top, plotH, plotW, 'ms'),
  ]
  for (let i = 0; i <= 6; i++) {
    const t = (maxT * i) / 6
    parts.push(
      `<text x="${x(t)}" y="${top + plotH + 16}" text-anchor="middle" class="tick">${Math.round(t)} s</text>`,
    )
  }
  const shown = series.slice(0, 20)
  shown.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.tS)},${y(p.p95Ms)}`).join(' ')
    if (d)
      parts.push(
        `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"><title>${escapeHtml(s.name)}</title></path>`,
      )
    const ly = top + 10 + i * 16
    parts.push(
      `<rect x="${left + plotW + 16}" y="${ly - 9}" width="12" height="4" fill="${color}"/>`,
      `<text x="${left + plotW + 34}" y="${ly - 3}" class="tick">${escapeHtml(s.name.length > 24 ? s.name.slice(0, 23) + '…' : s.name)}</text>`,
    )
  })
  if (series.length > shown.length)
    parts.push(
      `<text x="${left + plotW + 16}" y="${top + 10 + shown.length * 16}" class="tick">… ${series.length - shown.length} more</text>`,
    )
  parts.push(
    `<text x="${left + plotW / 2}" y="${H - 8}" text-anchor="middle" class="tick">seconds since the load started</text>`,
    '</svg>',
  )
  return parts.join('')
}

function hue(name: string): number {
  let h = 0
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0
  return h
}

/** Narrower frames get no label (their name is on hover): a two-letter stub reads as noise. */
const LABEL_MIN_CHARS = 6

/**
 * The label of a frame `chars` wide: the short name, else its last element (the method), else that
 * cut with an ellipsis; nothing below LABEL_MIN_CHARS.
 */
export function frameLabel(short: string, chars: number): string {
  if (chars < LABEL_MIN_CHARS) return ''
  if (short.length <= chars) return short
  const method = short.slice(short.lastIndexOf('.') + 1)
  if (method && method.length <= chars) return method
  const name = method || short
  return name.slice(0, chars - 1) + '…'
}

/** An icicle flame graph: the root on top, callees below, widths proportional to the value. */
export function flameGraphSvg(flame: { unit: string; root: FlameNode }, title = 'CPU flame graph'): string {
  const W = 1200
  const rowH = 18
  const top = 28
  const total = flame.root.value
  const rects: string[] = []
  let depthMax = 0
  const walk = (node: FlameNode, x: number, depth: number) => {
    const w = (node.value / total) * W
    if (w < 0.5) return
    depthMax = Math.max(depthMax, depth)
    const h = hue(node.name)
    const fill = `hsl(${10 + (h % 45)}, ${70 + (h % 20)}%, ${55 + (h % 15)}%)`
    const label = `${node.name} (${formatProfileValue(node.value, flame.unit)}, ${((node.value / total) * 100).toFixed(1)}%)`
    const chars = Math.floor((w - 6) / 7)
    // Package paths make every Go frame start alike: the label keeps the last path element only.
    const paren = node.name.indexOf('(')
    const short = node.name.slice(node.name.lastIndexOf('/', paren >= 0 ? paren : node.name.length) + 1)
    const text = frameLabel(short, chars)
    const yy = top + depth * rowH
    rects.push(
      `<g><title>${escapeHtml(label)}</title><rect x="${r1(x)}" y="${yy}" width="${r1(Math.max(0.5, w - 0.5))}" height="${rowH - 1}" fill="${fill}"/>` +
        (text ? `<text x="${r1(x + 3)}" y="${yy + 13}" class="frame">${escapeHtml(text)}</text>` : '') +
        '</g>',
    )
    let cx = x
    for (const child of node.children) {
      walk(child, cx, depth + 1)
      cx += (child.value / total) * W
    }
  }
  walk(flame.root, 0, 0)
  const H = top + (depthMax + 1) * rowH + 8
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" class="chart flame" aria-label="${escapeHtml(title)}">` +
    `<text x="${W / 2}" y="18" text-anchor="middle" class="title">${escapeHtml(`${title} (${formatProfileValue(total, flame.unit)} sampled; hover for details)`)}</text>` +
    rects.join('') +
    '</svg>'
  )
}
