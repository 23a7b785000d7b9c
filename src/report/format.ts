// Formatting helpers of the report's sections: a collector part's data or why it is missing,
// durations, shares and changes as text, and the status and verdict marks of the tables. Pure.
import type { GateOutcome, SloResult } from '../record/compare.ts'
import { isUnavailable, type Part } from '../record/common.ts'
import { fmt } from './markdown.ts'

/** The data of a collector part, or undefined when it is absent or unavailable. */
export function dataOf<T>(part: Part<T> | undefined): T | undefined {
  return part !== undefined && part !== null && !isUnavailable(part) ? (part as T) : undefined
}

/** `text` without surrounding space or a trailing full stop, to end a sentence of our own. */
export function sentence(text: string): string {
  return text.trim().replace(/[.\s]+$/, '')
}

/** Why a collector part is missing, for a one-line note. */
export function missingReason(part: Part<unknown> | undefined, what: string): string {
  if (part === undefined || part === null) return `${what} was not part of this run`
  if (isUnavailable(part)) return sentence(part.unavailable)
  return `${what} has no data`
}

/** Why the record has no analysis to render from, in one line. */
export const NO_ANALYSIS =
  'this record has no analysis (written by an older perfgate); `perfgate report result.json` re-runs it'

export function pctOf(part: number | undefined, whole: number | undefined): string {
  if (part === undefined || whole === undefined || !(whole > 0)) return 'n/a'
  return fmt.pct(part / whole)
}

export function durationText(seconds: number): string {
  if (seconds % 60 === 0 && seconds >= 60) {
    const m = seconds / 60
    return `${seconds} seconds (${m} minute${m === 1 ? '' : 's'})`
  }
  return `${seconds} seconds`
}

export function shortSha(sha: string | undefined): string | undefined {
  return sha ? sha.slice(0, 12) : undefined
}

/** A figure of a before/after table: integers with separators, others with two decimals. */
export function fmtNum(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a'
  return Number.isInteger(v) ? fmt.count(v) : v.toFixed(2)
}

/** `+12.0%` of current against baseline, or n/a. */
export function relChange(current: number | undefined, baseline: number | undefined): string {
  if (current === undefined || baseline === undefined || !(baseline > 0)) return 'n/a'
  return fmt.signedPct((current - baseline) / baseline)
}

/** An SLO's measured value in the unit of its metric. */
export function sloValue(s: SloResult): string {
  if (s.actual === undefined) return 'n/a'
  if (s.metric === 'errorRate' || s.metric === 'cacheHitRate') return fmt.pct(s.actual, 2)
  if (s.metric === 'rps') return fmt.rps(s.actual)
  return fmt.ms(s.actual)
}

export const EMOJI: Record<GateOutcome, string> = { pass: '✅', fail: '❌', warn: '⚠️', 'no-baseline': '🆕' }

const STATUS_TEXT: Record<string, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  'no-data': '⚪ no data',
  none: '— no target',
}

const VERDICT_MARK: Record<string, string> = {
  regression: '🔺 regression',
  improvement: '🟢 improvement',
  unchanged: 'unchanged',
  inconclusive: '❔ inconclusive',
  'no-data': 'no data',
}

export function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status
}

export function verdictText(verdict: string): string {
  return VERDICT_MARK[verdict] ?? verdict
}

/**
 * A paired row's verdict. Its "unchanged" means only that the interval lies below the tolerance
 * (compare/paired.ts): a row at −19 % [−39 %, +8 %] is no regression, not shown to be unchanged.
 */
export function pairedVerdictText(verdict: string): string {
  return verdict === 'unchanged' ? 'no regression' : verdictText(verdict)
}

/** A comparison cell: the relative change and the verdict, or n/a without a comparison. */
export function deltaCell(
  rel: number | undefined,
  verdict: string | undefined,
  interval?: readonly [number, number],
): string {
  if (verdict === undefined) return 'n/a'
  const bounds = interval ? ` ${intervalBounds(interval)}` : ''
  // A change with no verdict (too few requests or windows) is "not judged", not "no data".
  const word =
    verdict === 'no-data' && rel !== undefined
      ? 'not judged'
      : interval
        ? pairedVerdictText(verdict)
        : verdictText(verdict)
  return `${rel !== undefined ? fmt.signedPct(rel) + bounds + ' ' : ''}${word}`
}

/** `[−3.1%, +29.4%]`; an open end shows as ∞. */
export function intervalBounds(interval: readonly [number, number]): string {
  const end = (x: number) => (Number.isFinite(x) ? fmt.signedPct(x) : x > 0 ? '+∞' : '−∞')
  return `[${end(interval[0])}, ${end(interval[1])}]`
}

/** k6's summary without its leading blank lines, indentation kept. */
export function k6Text(summary: string): string {
  return summary.replace(/^(\s*\n)+/, '').trimEnd()
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2)
}
