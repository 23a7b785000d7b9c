// Run-wide drift: when every endpoint's median latency moved by about the same factor, the cause
// is almost always the runner (another machine, a noisy neighbour, CPU steal), not the change
// under test: a change that slows one endpoint moves that endpoint, not the median of all. On this
// project's 2-core bench machine whole runs drift by ±10–30 % while endpoints stay within a few
// percent of each other (bench/README.md, "Gate accuracy"). compare() divides the current run's
// latencies by the factor before judging them, and reports the factor itself as one row that only
// the base branch's run-to-run spread can make a regression — so a change that really slows every
// endpoint still fails the gate once three base-branch runs show how much runs usually drift.
import type { LoadPart } from '../record/load.ts'
import { latencyValue } from '../record/values.ts'

/** Endpoints with fewer requests in either run do not vote: their p50 is too rough. */
export const DRIFT_MIN_REQUESTS = 100
/** Fewer voting endpoints than this: no drift is estimated (a median of three is one endpoint). */
export const DRIFT_MIN_ENDPOINTS = 4
/** An endpoint agrees with the factor when its own p50 ratio is within ±10 % of it. */
const AGREEMENT = 0.1
/** The factor is applied only when at least 3 in 4 voting endpoints agree with it. */
const MIN_AGREEING = 0.75

export interface RunDrift {
  /** Median over the voting endpoints of current p50 / baseline p50. */
  factor: number
  endpoints: number
  agreeing: number
  /** The endpoints moved together, so the factor is removed before judging latency rows. */
  applied: boolean
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** The run-wide latency factor of `current` against `baseline`, or undefined when too few endpoints vote. */
export function runDrift(baseline: LoadPart, current: LoadPart): RunDrift | undefined {
  const ratios: number[] = []
  for (const ep of current.endpoints) {
    const base = baseline.endpoints.find((b) => b.name === ep.name)
    if (!base || ep.count < DRIFT_MIN_REQUESTS || base.count < DRIFT_MIN_REQUESTS) continue
    const b = latencyValue(base, 'p50Ms')
    const c = latencyValue(ep, 'p50Ms')
    if (b !== undefined && c !== undefined && b > 0 && c > 0) ratios.push(c / b)
  }
  if (ratios.length < DRIFT_MIN_ENDPOINTS) return undefined
  const factor = median(ratios)
  const agreeing = ratios.filter((r) => Math.abs(r / factor - 1) <= AGREEMENT).length
  return { factor, endpoints: ratios.length, agreeing, applied: agreeing >= MIN_AGREEING * ratios.length }
}
