// AnalysisData: what analysis computed from the collectors' parts and the raw profiles, kept in
// result.json so the report renders from the record alone. Compact: top-N lists only.
// Every section is data or `{ unavailable: '<one line>' }`, like the collectors' parts.
import type { Part } from './common.ts'
import type { ProfileKind } from './collectors.ts'

/** One row of a `go tool pprof -top` table; values in the sample type's unit. */
export interface ProfileTopRow {
  name: string
  flat: number
  flatPct: number
  sumPct: number
  cum: number
  cumPct: number
  flatText: string
  cumText: string
}

export interface ProfileTop {
  kind: ProfileKind
  sampleType: string
  sampleUnit: string
  total: number
  /** The header lines pprof prints above the table. */
  header: string[]
  rows: ProfileTopRow[]
  /** The whole table as `go tool pprof -top` prints it (top 20 rows). */
  text: string
  /** Application functions only (runtime, standard library, known libraries left out), by flat, top 10. */
  application: ProfileTopRow[]
  /**
   * Application functions by the samples whose innermost application frame they are (their own work
   * plus the library calls they make), top 10; absent in older records.
   */
  applicationCost?: ApplicationCostRow[]
}

export interface ApplicationCostRow {
  name: string
  value: number
  /** Of the profile's total, 0..1. */
  share: number
  valueText: string
  /** The direct library call carrying at least half of it. */
  dominantCall?: string
}

export interface AreaShareData {
  area: string
  /** Fraction of the profile's total, 0..1. */
  share: number
  value: number
}

export interface AreaBreakdown {
  kind: 'cpu' | 'allocs'
  sampleType: string
  sampleUnit: string
  total: number
  shares: AreaShareData[]
}

export interface GoroutineGroup {
  count: number
  share: number
  waitingIn: string
  entry: string
  /** Frames leaf first, at most 8. */
  stack: string[]
  /** The endpoint whose requests create these goroutines, when it could be told. */
  endpoint?: string
  /** How the endpoint was told: a frame's name, the source's call chain, or the request counts. */
  endpointBasis?: string
  /** Where the goroutine is started (`go f()`), `FILE:LINE`. */
  location?: string
}

export interface GoroutineAnalysis {
  before?: number
  during?: number
  after?: number
  growth?: number
  threshold?: number
  perThousandRequests?: number
  leakSuspected: boolean
  /** One sentence on why the leak rule did or did not fire. */
  reason: string
  topStacks: GoroutineGroup[]
}

export interface ContentionSiteData {
  function: string
  blockedIn: string
  callers: string[]
  delayNs: number
  delayText: string
  contentions: number
  share: number
  /** Where `function` is defined, `FILE:LINE`, when found. */
  location?: string
}

export interface ContentionData {
  kind: 'block' | 'mutex'
  totalDelayNs: number
  totalDelayText: string
  totalContentions: number
  sites: ContentionSiteData[]
}

export interface ProfileDiffRow {
  name: string
  /** Share of the baseline's profile, percent. */
  basePct: number
  /** Share of this run's profile, percent. */
  currentPct: number
  /** currentPct − basePct, percentage points. */
  deltaPct: number
  /** `file:line` holding most of the function's own samples. */
  location?: string
  /** The application's own code (not runtime, standard library or a known library). */
  application?: boolean
}

export interface ProfileDiff {
  kind: ProfileKind
  sampleType: string
  /** Only functions whose share moved by more than this many points are rows; absent on older records. */
  minDeltaPct?: number
  /** Functions whose share moved most (older records: grew most), largest move first. */
  rows: ProfileDiffRow[]
}

export interface SlowQuery {
  queryid: string
  /** Statement text, at most 500 characters. */
  query: string
  calls: number
  meanMs: number
  totalMs: number
  /** Share of the total database execution time over the load, 0..1. */
  share: number
  /** Why it is listed: `mean > 10 ms` and/or `top by total time`. */
  reasons: string[]
  /** Sequential scans in its generic plan. */
  seqScans?: string[]
  location?: string
}

export interface NPlusOne {
  endpoint: string
  queryid: string
  query: string
  /** Times the statement ran per request of the endpoint. */
  perRequest: number
  /** Statements of all kinds per request of the endpoint. */
  statementsPerRequest: number
  /**
   * Share of the endpoint's database work per request, 0..1: of its queries (round trips) or of
   * its execution time, whichever is larger (`shareBasis`).
   */
  shareOfEndpointDbTime: number
  shareBasis: 'queries' | 'time'
  /** Share of the whole database time over the load, when the statement is in pg_stat_statements. */
  shareOfDbTime?: number
  table?: string
  fix: string
  location?: string
}

export interface IndexSuggestion {
  table: string
  columns: string[]
  /** A statement to run as is. */
  statement: string
  /** Where the suggestion comes from: the plan's filter, or table scan counts. */
  source: 'plan' | 'table-stats'
  filter?: string
  queryid?: string
  /** Share of database time of the statement(s) that would use it, 0..1. */
  share?: number
  /** E.g. why a trigram index is suggested. */
  note?: string
  seqScans?: number
  idxScans?: number
  rows?: number
}

export interface CachePrefixData {
  prefix: string
  keys: number
  /** Keys without a TTL. */
  noTtl: number
  /** Keys expiring in less than a minute. */
  shortTtl: number
}

export interface CacheAnalysis {
  hitRate?: number
  /** The target hit rate, 0..1 (the SLO, default 0.8). */
  target: number
  hits: number
  misses: number
  evictions: number
  expired: number
  memoryUsedBytes: number
  maxmemoryBytes: number
  policy: string
  prefixes: CachePrefixData[]
}

export interface DependencySummary {
  name: string
  count: number
  p50Ms?: number
  p95Ms?: number
  meanMs?: number
  slow: boolean
}

export interface AnalysisData {
  /** Top tables by profile kind (cpu, heap, allocs, block, mutex, goroutine_after…). */
  profiles: Part<{ tops: ProfileTop[]; notes: string[] }>
  areas: Part<AreaBreakdown[]>
  goroutines: Part<GoroutineAnalysis>
  contention: Part<ContentionData[]>
  diff: Part<ProfileDiff[]>
  /**
   * What `diff` compared with: absent, the baseline run's profiles; `live-paired`, the base
   * deployment's profiles taken over the same load window in a paired run (baseline-pprof-url).
   */
  diffBase?: 'live-paired'
  slowQueries: Part<SlowQuery[]>
  nPlusOne: Part<NPlusOne[]>
  indexes: Part<IndexSuggestion[]>
  cache: Part<CacheAnalysis>
  dependencies: Part<DependencySummary[]>
  /** One line each: what could not be analysed and why. */
  notes: string[]
}
