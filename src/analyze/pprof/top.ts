// `go tool pprof -top` as data: rows and header lines computed in one step (topTable),
// printed in another (formatTopText), like pprof's TextItems and printText.
import { buildEdges, buildNodes, type GraphNode } from './graph.ts'
import { percentage, scale, scaledLabel } from './measurement.ts'
import type { Profile, Result } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'
import { padLeft } from './gofmt.ts'
import { DIFF_BASE_LABEL } from './diff.ts'

export interface TopOptions {
  /** Sample type name or index (`-sample_index`); default: the profile's default, else the last type. */
  sampleIndex?: string
  /** Show at most this many rows (`-nodecount`); 0 or absent shows all kept rows. */
  nodeCount?: number
  /** Drop functions whose |cum| is below this fraction of the total (`-nodefraction`, default 0.005). */
  nodeFraction?: number
  /** Edges below this fraction do not count for the inline marks (`-edgefraction`, default 0.001). */
  edgeFraction?: number
}

export interface TopRow {
  name: string
  /** `(inline)` or `(partial-inline)` when every / some call into the function was inlined, else ''. */
  inline: '' | '(inline)' | '(partial-inline)'
  /** Raw values in the sample type's unit (e.g. nanoseconds, bytes, count). */
  flat: number
  cum: number
  /** Percent of the total, 0..100. */
  flatPct: number
  sumPct: number
  cumPct: number
  /** The values as pprof prints them, e.g. `0.53s`, `4096kB`, `45`. */
  flatText: string
  cumText: string
}

export interface TopTable {
  sampleType: string
  sampleUnit: string
  /** Unit the values are printed in (pprof's `-unit=minimum` choice). */
  outputUnit: string
  /** Sum of |value| over all samples: what the percentages are of. */
  total: number
  /** Sum of flat over the rows shown. */
  shownTotal: number
  /** Functions left out because their |cum| was below the node cutoff. */
  droppedNodes: number
  droppedCutoff: number
  /** Functions kept before `nodeCount` was applied. */
  nodesKept: number
  rows: TopRow[]
  /** The header lines `go tool pprof -top` prints above the table. */
  header: string[]
}

/**
 * computeTotal sums |value| over all samples; in a diff profile only the base samples
 * count, so percentages are of the base (pprof's computeTotal).
 */
export function computeTotal(profile: Profile, index: number): number {
  let total = 0
  let diffTotal = 0
  for (const s of profile.samples) {
    const v = Math.abs(s.values[index] ?? 0)
    total += v
    if (s.labels[DIFF_BASE_LABEL]?.includes('true')) diffTotal += v
  }
  return diffTotal > 0 ? diffTotal : total
}

/** FlatNameOrder: |flat| descending, then name, then |cum| descending. */
function compareFlatName(a: GraphNode, b: GraphNode): number {
  const fa = Math.abs(a.flat)
  const fb = Math.abs(b.flat)
  if (fa !== fb) return fb - fa
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  return Math.abs(b.cum) - Math.abs(a.cum)
}

/** Go's int64(float64) conversion truncates toward zero. */
function trunc(x: number): number {
  return Math.trunc(x)
}

/** pprof's selectOutputUnit for `-unit=minimum`: a unit that keeps the smallest shown value readable. */
function selectOutputUnit(nodes: GraphNode[], total: number, sampleUnit: string): string {
  if (nodes.length === 0) return 'minimum'
  let minValue = 0
  for (const n of nodes) {
    let v = Math.abs(n.flat)
    if (v === 0) v = Math.abs(n.cum)
    if (v > 0 && (minValue === 0 || v < minValue)) minValue = v
  }
  const maxValue = total
  if (minValue === 0) minValue = maxValue
  const minUnit = scale(minValue, sampleUnit, 'minimum')[1]
  const maxUnit = scale(maxValue, sampleUnit, 'minimum')[1]
  let unit = minUnit
  if (minUnit !== maxUnit && minValue * 100 < maxValue) unit = scale(100 * minValue, sampleUnit, 'minimum')[1]
  return unit !== '' ? unit : sampleUnit
}

function formatTime(nanos: number): string {
  // Go prints local time; perfgate prints UTC so reports do not depend on the runner.
  const iso = new Date(Math.floor(nanos / 1e6)).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** The profile's own header lines (pprof's ProfileLabels). */
function profileLabels(
  profile: Profile,
  sampleType: string,
  sampleUnit: string,
  total: number,
  fmt: (v: number) => string,
): string[] {
  const labels: string[] = []
  const main = profile.mappings[0]
  if (main?.file) labels.push(`File: ${baseName(main.file)}`)
  if (main?.buildId) labels.push(`Build ID: ${main.buildId}`)
  for (const c of profile.comments) if (!c.startsWith('#')) labels.push(c)
  if (sampleType) labels.push(`Type: ${sampleType}`)
  if (profile.docUrl) labels.push(`Doc: ${profile.docUrl}`)
  if (profile.timeNanos !== 0) labels.push(`Time: ${formatTime(profile.timeNanos)}`)
  if (profile.durationNanos !== 0) {
    const duration = scaledLabel(profile.durationNanos, 'nanoseconds', 'auto')
    const [totalNanos, unit] = scale(total, sampleUnit, 'nanoseconds')
    const ratio =
      unit === 'ns' && totalNanos !== 0 ? `(${percentage(trunc(totalNanos), profile.durationNanos)})` : ''
    labels.push(`Duration: ${duration}, Total samples = ${fmt(total)} ${ratio}`)
  }
  return labels
}

/**
 * topTable computes what `go tool pprof -top` shows for one sample type: functions by flat
 * value with their cum, after dropping functions below the node fraction and keeping at
 * most `nodeCount`. It returns a reason when the sample type does not exist.
 */
export function topTable(profile: Profile, options: TopOptions = {}): Result<TopTable> {
  const resolved = sampleIndexByName(profile, options.sampleIndex)
  if (!resolved.ok) return resolved
  const index = resolved.value
  const { type: sampleType, unit: sampleUnit } = profile.sampleTypes[index]!
  const nodeFraction = options.nodeFraction ?? 0.005
  const edgeFraction = options.edgeFraction ?? 0.001

  const total = computeTotal(profile, index)

  const all = buildNodes(profile, index)
  // Cutoffs are fractions of the graph's flat sum, as in pprof (equal to the total for non-diff profiles).
  const graphFlat = all.reduce((sum, n) => sum + n.flat, 0)
  const nodeCutoff = Math.abs(trunc(graphFlat * nodeFraction))
  const edgeCutoff = Math.abs(trunc(graphFlat * edgeFraction))
  let kept = nodeCutoff > 0 ? all.filter((n) => Math.abs(n.cum) >= nodeCutoff) : all
  const droppedNodes = all.length - kept.length
  kept = [...kept].sort(compareFlatName)
  const nodesKept = kept.length
  const shown = options.nodeCount && options.nodeCount > 0 ? kept.slice(0, options.nodeCount) : kept

  const inbound = new Map<string, { inline: boolean; noinline: boolean }>()
  for (const e of buildEdges(profile, index, new Set(shown.map((n) => n.name)))) {
    if (Math.abs(e.weight) < edgeCutoff) continue
    const mark = inbound.get(e.to) ?? { inline: false, noinline: false }
    if (e.inline) mark.inline = true
    else mark.noinline = true
    inbound.set(e.to, mark)
  }

  const outputUnit = selectOutputUnit(shown, total, sampleUnit)
  const fmt = (v: number) => scaledLabel(v, sampleUnit, outputUnit)
  const pct = (v: number) => (total !== 0 ? (Math.abs(v) / total) * 100 : 0)
  let sum = 0
  const rows: TopRow[] = shown.map((n) => {
    sum += n.flat
    const mark = inbound.get(n.name)
    const inline = mark?.inline ? (mark.noinline ? '(partial-inline)' : '(inline)') : ''
    return {
      name: n.name,
      inline,
      flat: n.flat,
      cum: n.cum,
      flatPct: pct(n.flat),
      sumPct: pct(sum),
      cumPct: pct(n.cum),
      flatText: fmt(n.flat),
      cumText: fmt(n.cum),
    }
  })
  const shownTotal = sum

  const header = profileLabels(profile, sampleType, sampleUnit, total, fmt)
  header.push(
    `Showing nodes accounting for ${fmt(shownTotal)}, ${percentage(shownTotal, total).trim()} of ${fmt(total)} total`,
  )
  const droppedCutoff = Math.abs(trunc(total * nodeFraction))
  if (total !== 0) {
    if (droppedNodes > 0) {
      header.push(`Dropped ${droppedNodes} node${droppedNodes > 1 ? 's' : ''} (cum <= ${fmt(droppedCutoff)})`)
    }
    if (shown.length > 0 && shown.length < nodesKept) {
      header.push(`Showing top ${shown.length} nodes out of ${nodesKept}`)
    }
  }

  return {
    ok: true,
    value: {
      sampleType,
      sampleUnit,
      outputUnit,
      total,
      shownTotal,
      droppedNodes,
      droppedCutoff,
      nodesKept,
      rows,
      header,
    },
  }
}

/** formatTopText prints a top table exactly as `go tool pprof -top` does (header, column titles, rows). */
export function formatTopText(table: TopTable): string {
  const lines = [...table.header]
  lines.push(
    `${padLeft('flat', 10)} ${padLeft('flat', 5)}% ${padLeft('sum', 5)}% ${padLeft('cum', 10)} ${padLeft('cum', 5)}%`,
  )
  let sum = 0
  for (const row of table.rows) {
    sum += row.flat
    const inline = row.inline ? ` ${row.inline}` : ''
    lines.push(
      `${padLeft(row.flatText, 10)} ${percentage(row.flat, table.total)} ${percentage(sum, table.total)} ` +
        `${padLeft(row.cumText, 10)} ${percentage(row.cum, table.total)}  ${row.name}${inline}`,
    )
  }
  return lines.join('\n') + '\n'
}
