// The comparison rows that moved beyond tolerance but could not be told from noise (inconclusive),
// summarised in one sentence with their cause, instead of a bare count a reviewer cannot act on.
// Pure.
import type { MetricComparison } from '../record/compare.ts'

/** Fewer windows than this per side: the run is too short for the window test to separate change from noise. */
const SHORT_RUN_WINDOWS = 30

/** The gate's own line about inconclusive rows, which noiseSentence() replaces in the report. */
export const GATE_INCONCLUSIVE_REASON =
  /^\d+ (metrics? changed beyond tolerance without clear evidence \(inconclusive\)|paired metrics? inconclusive: the interval still holds the tolerance)$/

type Cause = 'short' | 'noise' | 'spread' | 'one-value' | 'not-comparable' | 'family'

function causeOf(row: MetricComparison): Cause {
  const e = row.evidence
  if (e.note.startsWith('not comparable')) return 'not-comparable'
  if (e.family !== undefined && e.note.includes('rows tested together')) return 'family'
  if (e.windowsBaseline === 0 && e.windowsCurrent === 0) return e.history ? 'spread' : 'one-value'
  if (e.history && e.note.includes('run-to-run spread')) return 'spread'
  return Math.min(e.windowsBaseline, e.windowsCurrent) < SHORT_RUN_WINDOWS ? 'short' : 'noise'
}

function range(values: number[]): string {
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  return lo === hi ? String(lo) : `${lo}–${hi}`
}

/**
 * One sentence for the inconclusive rows of a comparison, with their causes, e.g. "14 metrics moved
 * beyond tolerance but cannot be told from noise (not gating): run too short, 6 windows per side
 * (a run of at least 30 windows can tell)". Undefined when there are none.
 */
export function noiseSentence(rows: MetricComparison[]): string | undefined {
  const open = rows.filter((r) => r.verdict === 'inconclusive')
  const paired = open.filter((r) => r.evidence.test === 'paired-sign-flip')
  const sentences = [unpairedNoiseSentence(open.filter((r) => !paired.includes(r))), pairedSentence(paired)]
  const said = sentences.filter((x): x is string => x !== undefined)
  return said.length > 0 ? said.join('; ') : undefined
}

/**
 * A paired row is inconclusive while its interval still holds its tolerance: it may not have moved
 * at all (a +0.5 % [−14 %, +17 %] p95 against a 10 % tolerance), so it is not said to have moved.
 */
function pairedSentence(rows: MetricComparison[]): string | undefined {
  if (rows.length === 0) return undefined
  const n = rows.length
  return `${n} paired metric${n === 1 ? '' : 's'} inconclusive (not gating): ${n === 1 ? 'its' : 'each one’s'} interval still spans its tolerance, so the run cannot tell yet whether it moved past it`
}

function unpairedNoiseSentence(inconclusive: MetricComparison[]): string | undefined {
  if (inconclusive.length === 0) return undefined
  const byCause = new Map<Cause, MetricComparison[]>()
  for (const r of inconclusive) {
    const c = causeOf(r)
    byCause.set(c, [...(byCause.get(c) ?? []), r])
  }
  const only = byCause.size === 1
  const parts = [...byCause.entries()].map(([cause, rs]) => {
    const n = only ? '' : `${rs.length} because `
    const sides = rs.flatMap((r) => [r.evidence.windowsBaseline, r.evidence.windowsCurrent])
    switch (cause) {
      case 'short':
        return `${n}the run is too short: ${range(sides)} windows per side (${SHORT_RUN_WINDOWS} or more can tell)`
      case 'noise':
        return `${n}the change is within window-to-window noise (${range(sides)} windows per side)`
      case 'spread':
        return `${n}the change is within the run-to-run spread of earlier base-branch runs`
      case 'one-value':
        return `${n}there is one value per run and too few base-branch runs to know its spread`
      case 'not-comparable':
        return `${n}the runs are not comparable`
      case 'family':
        return `${n}the change is significant alone but not among the ${rs[0]!.evidence.family} rows judged together (Holm)`
    }
  })
  const n = inconclusive.length
  return `${n} metric${n === 1 ? '' : 's'} moved beyond tolerance but cannot be told from noise (inconclusive, not gating): ${parts.join('; ')}`
}

/**
 * One sentence for the percentile rows left unjudged because a run had too few requests for them
 * (compare/metrics.ts), so a reader knows why a p95 moved without a verdict. Undefined when none.
 */
export function sparseSentence(rows: MetricComparison[]): string | undefined {
  const sparse = rows.filter(
    (r) => r.verdict === 'no-data' && r.evidence.note.startsWith('too few requests for a'),
  )
  if (sparse.length === 0) return undefined
  const n = sparse.length
  return `${n} percentile row${n === 1 ? ' is' : 's are'} not judged: too few requests (a percentile rests on at least 10 requests above it, so a p95 needs 200 per run and a p99 1,000)`
}
