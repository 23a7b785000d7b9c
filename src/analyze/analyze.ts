// analyzeRecord: the pure core of analysis. From the record and what the I/O shell loaded
// (decoded profiles, EXPLAIN plans, the source index) it computes AnalysisData and the
// findings, each with an estimated impact, a tier, an effort and what to do.
import type { AreaPattern } from '../plan/types.ts'
import type { AnalysisData } from '../record/analysis.ts'
import type { ProfileKind } from '../record/collectors.ts'
import { isUnavailable } from '../record/common.ts'
import type { Finding } from '../record/findings.ts'
import type { RunRecord } from '../record/index.ts'
import type { PlansById } from './db.ts'
import { cacheAnalysis } from './findings/cache.ts'
import { databaseFindings, UNAVAILABLE_DB } from './findings/database.ts'
import { dependencyAnalysis } from './findings/dependencies.ts'
import { analyzeProfiles } from './findings/profiles.ts'
import type { DecodedProfiles } from './profiles.ts'
import { EMPTY_SOURCE_INDEX, type SourceIndex } from './source.ts'

export interface AnalysisInputs {
  /** Decoded profiles by kind. */
  profiles: DecodedProfiles
  /** Profiles that were named in the record but could not be read or decoded. */
  profileErrors: { kind: ProfileKind; reason: string }[]
  /** The baseline run's decoded profiles, for the diff. */
  baselineProfiles?: DecodedProfiles
  /** Why there are no baseline profiles (the report says it once), when there are none. */
  baselineProfilesMissing?: string
  /** EXPLAIN (FORMAT JSON) answers by queryid; a string is why that plan could not be read. */
  plans: PlansById
  /** Where statements and functions are in the checked-out repository. */
  source: SourceIndex
  /** Go module paths of the repository (from go.mod), to tell application frames apart. */
  appPrefixes: string[]
}

export interface AnalyzeOptions {
  /** Areas for the bottleneck breakdown (plan.collectors.areas); default perfgate's. */
  areas?: AreaPattern[]
  /** A dependency is slow above this p95 (default 100 ms). */
  slowDependencyP95Ms?: number
}

export const EMPTY_INPUTS: AnalysisInputs = {
  profiles: {},
  profileErrors: [],
  plans: {},
  source: EMPTY_SOURCE_INDEX,
  appPrefixes: [],
}

/**
 * analyzeRecord computes AnalysisData and the findings of one run. Pure: everything it needs
 * that is not in the record comes in `inputs` (see loadAnalysisInputs). Never throws on odd
 * data: a section it cannot compute is `{ unavailable: reason }`.
 */
export function analyzeRecord(
  record: RunRecord,
  inputs: AnalysisInputs,
  options: AnalyzeOptions = {},
): { findings: Finding[]; analysis: AnalysisData } {
  const notes: string[] = []
  const findings: Finding[] = []
  const endpoints = record.plan.endpoints.map((e) => e.name)
  const pg = record.postgres
  const db = isUnavailable(pg)
    ? UNAVAILABLE_DB(pg.unavailable)
    : databaseFindings(pg, inputs.plans, inputs.source, requestTimeMs(record), findings, notes)
  const cache = cacheAnalysis(record.redis, record.plan.slos.cacheHitRate?.value ?? 0.8, findings, notes)
  const dependencies = dependencyAnalysis(record.prometheus, options.slowDependencyP95Ms ?? 100, findings)
  const profileSections = analyzeProfiles(record, inputs, options, findings, notes, endpoints)
  return {
    findings,
    analysis: { ...profileSections, ...db, cache, dependencies, notes },
  }
}

/** Time spent serving the load's requests (sum over endpoints of count × mean), in ms. */
function requestTimeMs(record: RunRecord): number | undefined {
  if (isUnavailable(record.load)) return undefined
  const ms = record.load.endpoints.reduce((sum, e) => sum + e.count * e.duration.meanMs, 0)
  return ms > 0 ? ms : undefined
}
