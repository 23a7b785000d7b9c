// What the report says about a paired run (baseline-url, issue 19): the design in one line, each
// gated row's paired change with its interval, compactly for the comment and in full for
// report.md. Read from the comparison (what the gate judged), the design from record.paired. Pure.
import { describeDesign } from '../compare/paired-load.ts'
import type { Comparison, MetricComparison } from '../record/compare.ts'
import type { RunRecord } from '../record/index.ts'
import { isUnavailable } from '../record/common.ts'
import type { Block } from './model.ts'
import { codeSpan } from './blocks.ts'
import { fmt } from './markdown.ts'
import { intervalBounds, pairedVerdictText } from './format.ts'

function pairedRows(comparison: Comparison | undefined): MetricComparison[] {
  return (comparison?.rows ?? []).filter((r) => r.evidence.test === 'paired-sign-flip')
}

/** `99 %`, `99.83 %` (a stopping rule's alpha / looks): never rounded up to 100 %. */
const level = (record: RunRecord) => `${Number(((1 - (record.paired?.alpha ?? 0.01)) * 100).toFixed(2))} %`

/** The one line naming the design and how to read the intervals; undefined for an unpaired run. */
export function pairedLine(record: RunRecord, comparison: Comparison | undefined): string | undefined {
  const paired = record.paired
  const rows = pairedRows(comparison)
  if (!paired || isUnavailable(record.load) || rows.length === 0) return undefined
  return (
    `Paired run, ${describeDesign(paired, record.load.windowS)}: base ${paired.base.url} and this PR (${paired.currentUrl}) in one k6 process. ` +
    `Δ is the paired change with its ${level(record)} interval (sign-flip test, Holm over ${rows.length} rows).`
  )
}

const sentence = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}.`

/**
 * Which gated rows are still open and how long the slowest would take: its own line, so the comment's
 * clip of the design line never cuts it (it is what tells a reader whether to load longer).
 */
export function pairedOpenLine(comparison: Comparison | undefined): string | undefined {
  const open = comparison?.notes.find((n) => n.startsWith('inconclusive ('))
  return open ? sentence(open) : undefined
}

/** The stopping rule's sentence (paired-max-duration): when and why the load ended. */
export function pairedStoppingLine(comparison: Comparison | undefined): string | undefined {
  const note = comparison?.notes.find((n) => n.startsWith('stopping rule: '))
  return note ? sentence(note) : undefined
}

/** `+12.0% [−3.1%, +29.4%]`. */
function change(row: MetricComparison): string {
  return `${fmt.signedPct(row.relDelta)}${row.evidence.ci ? ` ${intervalBounds(row.evidence.ci)}` : ''}`
}

/** The gated rows the endpoint table does not show (its Δ column is p95): `p50: feed +0.8% [−14.5%, +18.9%], …`. */
export function pairedP50Line(comparison: Comparison | undefined): string | undefined {
  const rows = pairedRows(comparison).filter((r) => r.metric === 'p50Ms' && r.verdict !== 'no-data')
  if (rows.length === 0) return undefined
  return `p50: ${rows.map((r) => `${r.endpoint} ${change(r)}${r.verdict === 'regression' ? ' 🔺' : ''}`).join(', ')}`
}

/** report.md: every paired row with its pairs, interval, Holm p-value and verdict. */
export function pairedTable(record: RunRecord, comparison: Comparison | undefined): Block {
  return {
    kind: 'table',
    header: ['Endpoint', 'Metric', 'Pairs', 'Δ', `${level(record)} interval`, 'p (Holm)', 'Verdict'],
    rows: pairedRows(comparison).map((r) => [
      [codeSpan(r.endpoint ?? 'overall')],
      r.metric === 'p50Ms' ? 'p50' : 'p95',
      String(r.evidence.windowsCurrent),
      r.verdict === 'no-data' ? 'n/a' : fmt.signedPct(r.relDelta),
      r.verdict === 'no-data' || !r.evidence.ci ? 'n/a' : intervalBounds(r.evidence.ci),
      r.evidence.pValue !== undefined ? r.evidence.pValue.toFixed(3) : 'n/a',
      pairedVerdictText(r.verdict),
    ]),
    align: ['l', 'l', 'r', 'r', 'l', 'r', 'l'],
  }
}

/** The profiles the line names, in this order (the goroutine snapshots are counted elsewhere). */
const NAMED_KINDS = ['cpu', 'allocs', 'heap', 'mutex', 'block'] as const

/** `cpu 1234 samples, allocs 560 samples`, or why there are none. */
function profilesText(part: RunRecord['profiles']): string {
  if (isUnavailable(part)) return `no profiles (${part.unavailable})`
  const named = NAMED_KINDS.flatMap((kind) => part.files.filter((f) => f.kind === kind))
  if (named.length === 0) return 'no profiles'
  return named.map((f) => `${f.kind} ${f.samplesCount} samples`).join(', ')
}

/**
 * A paired run with base-side collectors: both sides' profiles over the same load window, and what
 * the base deployment's Prometheus and app-stats collectors gave; undefined otherwise.
 */
export function pairedProfilesLine(record: RunRecord): string | undefined {
  const base = record.baseCollectors
  if (!record.paired || !base) return undefined
  const other = (name: string, part: RunRecord['prometheus'] | RunRecord['appStats']) =>
    isUnavailable(part) ? `${name} not collected (${part.unavailable})` : `${name} collected`
  return (
    `Paired run, both deployments profiled over the same load window: this PR — ${profilesText(record.profiles)}; ` +
    `base ${base.url} — ${profilesText(base.profiles)}. ` +
    `Base deployment's ${other('Prometheus', base.prometheus)}, ${other('app stats', base.appStats)}.`
  )
}
