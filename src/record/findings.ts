// Findings: analysis output, recomputable from the rest of the record.

export type FindingKind =
  | 'slow-query'
  | 'n-plus-one'
  | 'missing-index'
  | 'cache'
  | 'goroutine-leak'
  | 'contention'
  | 'cpu-hotspot'
  | 'allocation-hotspot'
  | 'bottleneck-area'
  | 'external-dependency'
  | 'other'

export type Tier = 1 | 2 | 3 | 4

export interface Finding {
  kind: FindingKind
  title: string
  /** What was seen, one or two sentences. */
  detail: string
  endpoint?: string
  /** `FILE:LINE` in the checked-out repository, when found. */
  location?: string
  /** Share (0..1) of CPU, database time or latency this finding accounts for. */
  impact?: number
  impactBasis?: string
  tier: Tier
  effort: 'low' | 'medium' | 'high'
  /** What to do, concretely (e.g. a CREATE INDEX statement). */
  fix: string
  evidence?: Record<string, string | number>
}
