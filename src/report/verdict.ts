// The verdict line of the report: the gate's outcome with the SLO and regression counts. Pure.
import { EMOJI } from './format.ts'
import type { ReportInput, Verdict } from './model.ts'

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
    reasons: gate.reasons,
    regressions: gate.regressions,
  }
}

// ---------------------------------------------------------------------------------------------
