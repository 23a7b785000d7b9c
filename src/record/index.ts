// RunRecord: the one versioned record every stage reads and writes (result.json).
// A baseline is simply an earlier RunRecord. Bump SCHEMA_VERSION on a breaking change, keep
// `upgrade()` in record/io.ts able to read the previous ones, and the schema in record/schema/ true.
// Schema 2 added `outcome` (the verdict); schema 1 records load without one.
import type { Part } from './common.ts'
import type { LoadPart } from './load.ts'
import type { Finding } from './findings.ts'
import type { AnalysisData } from './analysis.ts'
import type { PrometheusData, PostgresData, RedisData, AppStatsData, ProfilesData } from './collectors.ts'
import type { Comparison, GateVerdict, SloResult } from './compare.ts'
import type { GatePolicy } from '../plan/types.ts'

export * from './common.ts'
export type * from './load.ts'
export type * from './findings.ts'
export type * from './collectors.ts'
export type * from './analysis.ts'
export type * from './paired.ts'

export const SCHEMA_VERSION = 2

export interface RunMeta {
  tool: string
  toolVersion: string
  startedAt: string
  endedAt: string
  targetUrl: string
  k6Version?: string
  git?: { sha?: string; ref?: string; baseRef?: string; pr?: number; repository?: string }
  workflow?: { runId?: number; runAttempt?: number; workflow?: string; job?: string; serverUrl?: string }
  /** Set on shard records and merged records. */
  shard?: { index: number; count: number }
}

export interface PlanSummary {
  scenario: string
  vus: number
  durationS: number
  stages: { duration: string; target: number }[]
  thinkTimeScale: number
  userTypes: { name: string; weight: number }[]
  script?: string
  endpoints: { name: string; method: string; route: string }[]
  slos: import('../plan/types.ts').Slos
}

export interface RunRecord {
  schema: number
  meta: RunMeta
  plan: PlanSummary
  load: Part<LoadPart>
  prometheus: Part<PrometheusData>
  postgres: Part<PostgresData>
  redis: Part<RedisData>
  appStats: Part<AppStatsData>
  profiles: Part<ProfilesData>
  findings: Finding[]
  /** Analysis tables (profile tops, slow queries, N+1, indexes, cache…), recomputable from the rest. */
  analysis?: AnalysisData
  /** The verdict: written once the run is judged (absent in shard records and schema 1 records). */
  outcome?: RunOutcome
  /** A paired run (`baseline-url`): the base deployment's side and the paired rows; absent otherwise. */
  paired?: import('./paired.ts').PairedPart
  /** A paired run with base-side collectors: what the base deployment's collectors saw; absent otherwise. */
  baseCollectors?: import('./paired.ts').BaseCollectorParts
  /** When each stage ran, ms since the first one started (src/timeline.ts); absent in older records. */
  timeline?: import('./stages.ts').StageSpan[]
}

/** What the gate concluded, with everything needed to render it or judge the record again. */
export interface RunOutcome {
  slos: SloResult[]
  /** Rows, evidence, drift and the baseline's identity (`comparison.baseline`). */
  comparison: Comparison
  gate: GateVerdict
  /** The policy the gate applied (fail-on, tolerances), so judging again applies the same one. */
  policy: GatePolicy
  /** Where the baseline came from, e.g. `file perfgate-baseline.json`; absent when none was found. */
  baselineSource?: string
}
