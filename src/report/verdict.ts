// The verdict line of the report: the gate's outcome with the SLO and regression counts. Pure.
import { EMOJI } from './format.ts'
import type { ReportInput, Verdict } from './model.ts'
import { GATE_INCONCLUSIVE_REASON, noiseSentence, sparseSentence } from './noise.ts'

/** The gate's reasons as the report shows them: the inconclusive count becomes a sentence with its cause. */
export function reportReasons(input: ReportInput): string[] {
  const rows = input.comparison?.rows ?? []
  const noise = noiseSentence(rows)
  const sparse = sparseSentence(rows)
  // the gate has a line for paired and one for other inconclusive rows; the sentence covers both, once
  const reasons = input.gate.reasons
    .map((r) => (noise && GATE_INCONCLUSIVE_REASON.test(r) ? noise : r))
    .filter((r, i, all) => r !== noise || all.indexOf(r) === i)
  return sparse ? [...reasons, sparse] : reasons
}

export function verdictOf(input: ReportInput, sloPass: number, sloTotal: number): Verdict {
  const { gate } = input
  const outcome = gate.verdict
  const label = `perfgate: ${outcome === 'no-baseline' ? 'no baseline yet' : outcome}`
  const parts: string[] = []
  if (sloTotal > 0) parts.push(`${sloPass}/${sloTotal} SLOs met`)
  if (outcome === 'no-baseline') parts.push('first run, nothing to compare with')
  else if (input.comparison?.baselineFound) {
    const n = gate.regressions.length
    parts.push(n === 0 ? 'no regressions against the baseline' : `${n} regression${n === 1 ? '' : 's'}`)
  }
  if (gate.failed) parts.push('the job fails')
  return {
    outcome,
    emoji: EMOJI[outcome],
    label,
    line: `${EMOJI[outcome]} ${label}: ${parts.join(', ')}`,
    reasons: reportReasons(input),
    regressions: gate.regressions,
  }
}

// ---------------------------------------------------------------------------------------------
