// What the report says about a paired run (baseline-url, issue 19): the design in one line, each
// gated row's paired change with its interval, compactly for the comment and in full for
// report.md. Pure.
import { describeDesign } from '../compare/paired-load.ts'
import type { PairedPart, PairedRowRecord } from '../record/paired.ts'
import type { RunRecord } from '../record/index.ts'
import { isUnavailable } from '../record/common.ts'
import type { Block } from './model.ts'
import { codeSpan } from './blocks.ts'
import { fmt } from './markdown.ts'
import { intervalBounds, verdictText } from './format.ts'

/** `+12.0% [−3.1%, +29.4%]`. */
export function intervalText(row: Pick<PairedRowRecord, 'relativeChange' | 'interval'>): string {
  return `${fmt.signedPct(row.relativeChange)} ${intervalBounds(row.interval)}`
}

const pct = (alpha: number) => `${Math.round((1 - alpha) * 100)} %`

/** The one line naming the design and how to read the intervals. */
export function pairedLine(record: RunRecord): string | undefined {
  const paired = record.paired
  if (!paired || isUnavailable(record.load)) return undefined
  return (
    `Paired run, ${describeDesign(paired, record.load.windowS)}: base ${paired.base.url} and this PR (${paired.currentUrl}) in one k6 process. ` +
    `Δ is the paired change with its ${pct(paired.alpha)} interval (sign-flip test, Holm over ${paired.rows.length} rows).` +
    (paired.inconclusive ? ` ${paired.inconclusive[0]!.toUpperCase()}${paired.inconclusive.slice(1)}.` : '')
  )
}

/** The gated rows the endpoint table does not show (its Δ column is p95): `p50: feed +0.8% [−14.5%, +18.9%], …`. */
export function pairedP50Line(paired: PairedPart): string | undefined {
  const rows = paired.rows.filter((r) => r.gated && r.metric === 'p50Ms' && r.verdict !== 'no-data')
  if (rows.length === 0) return undefined
  return `p50: ${rows.map((r) => `${r.endpoint} ${intervalText(r)}${r.verdict === 'regression' ? ' 🔺' : ''}`).join(', ')}`
}

/** report.md: every paired row with its pairs, interval, p-values and verdict. */
export function pairedTable(paired: PairedPart): Block {
  return {
    kind: 'table',
    header: ['Endpoint', 'Metric', 'Pairs', 'Δ', `${pct(paired.alpha)} interval`, 'p', 'p (Holm)', 'Verdict'],
    rows: paired.rows.map((r) => [
      [codeSpan(r.endpoint)],
      r.metric === 'p50Ms' ? 'p50' : 'p95',
      String(r.pairs),
      r.verdict === 'no-data' ? 'n/a' : fmt.signedPct(r.relativeChange),
      r.verdict === 'no-data' ? 'n/a' : intervalBounds(r.interval),
      r.p.toFixed(3),
      r.pAdjusted.toFixed(3),
      verdictText(r.verdict),
    ]),
    align: ['l', 'l', 'r', 'r', 'l', 'r', 'r', 'l'],
  }
}
