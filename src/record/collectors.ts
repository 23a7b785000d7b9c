// Data shapes of the collectors' parts (src/collect/). Units are in the field names. Every part
// is `Part<…Data>`: the data, or `{ unavailable: '<one line>' }`. Raw files sit beside result.json.

/** Latency of a Prometheus histogram's growth over the load, quantiles as `histogram_quantile`. */
export interface HistogramDelta {
  /** Observations added during the load. */
  count: number
  sumSeconds: number
  meanMs?: number
  p50Ms?: number
  p95Ms?: number
  p99Ms?: number
}

/** One `{method, path}` series of the request histogram, with the counter's statuses. */
export interface RouteMetrics extends HistogramDelta {
  method?: string
  path: string
  /** Delta of the request counter by status code. */
  statuses: Record<string, number>
}

/** Go runtime and process figures of one scrape (absent when the target does not expose them). */
export interface RuntimeFigures {
  /** The Go version the target was built with (`go_info{version}`), e.g. `go1.23.4`. */
  goVersion?: string
  goroutines?: number
  threads?: number
  gomaxprocs?: number
  /** The soft memory limit (`go_gc_gomemlimit_bytes`, GOMEMLIMIT); math.MaxInt64 when unset. */
  memoryLimitBytes?: number
  heapAllocBytes?: number
  heapInuseBytes?: number
  heapObjectsCount?: number
  rssBytes?: number
  openFdsCount?: number
  /** Cumulative counters; the part's `runtimeDelta` has their growth over the load. */
  cpuSeconds?: number
  gcCount?: number
  gcPauseSeconds?: number
  allocatedBytes?: number
}

export interface RuntimeDelta {
  cpuSeconds?: number
  gcCount?: number
  gcPauseSeconds?: number
  allocatedBytes?: number
  /** Cpu seconds per wall second of the load, i.e. cores in use. */
  cpuCores?: number
}

export interface DependencyMetrics extends HistogramDelta {
  /** The name in perfgate.yml, or `<metric>{labels}` for a discovered histogram. */
  name: string
  metric: string
  labels: Record<string, string>
  /** Named in perfgate.yml (true) or found because its count grew (false). */
  declared: boolean
}

export interface PrometheusData {
  /** Raw scrapes beside result.json. */
  files: string[]
  /** Seconds between the before and after scrapes. */
  intervalS: number
  /** Delta of the request counter over the load, all routes and statuses. */
  requestsCount: number
  routes: RouteMetrics[]
  /** Maximum of the in-flight gauge over the before/during/after scrapes. */
  inFlightMax?: number
  samplesCount: number
  runtime: { before: RuntimeFigures; after: RuntimeFigures; goroutinesMax?: number }
  runtimeDelta: RuntimeDelta
  dependencies: DependencyMetrics[]
  /** Counter resets, missing metrics: one line each. */
  notes: string[]
}

export interface PgSetting {
  name: string
  /** As SHOW prints it, e.g. `128MB`. */
  value: string
}

export interface PgStatementDelta {
  queryid: string
  query: string
  calls: number
  totalExecMs: number
  meanExecMs: number
  rows: number
  sharedBlksHit: number
  sharedBlksRead: number
}

export interface PgTableDelta {
  table: string
  seqScanCount: number
  seqTupReadCount: number
  idxScanCount: number
  nLiveTupCount: number
}

export interface PgDatabaseDelta {
  blksHitCount: number
  blksReadCount: number
  /** blks_hit / (blks_hit + blks_read) over the load; absent when nothing was read. */
  cacheHitRatio?: number
  deadlocksCount: number
  tempBytes: number
  tempFilesCount: number
  xactCommitCount: number
  xactRollbackCount: number
}

/** Client backends by state, over the samples taken during the load. */
export interface PgActivity {
  samplesCount: number
  max: { total: number; active: number; idle: number; idleInTransaction: number; waiting: number }
  mean: { total: number; active: number; idle: number; idleInTransaction: number; waiting: number }
}

export interface PgExplain {
  queryid: string
  /** Relative to the output folder, e.g. `explain/123.json`. */
  file?: string
  /** Plan root node type and estimated total cost, for the report. */
  nodeType?: string
  totalCost?: number
  /** Sequential scans in the plan, by relation. */
  seqScans?: string[]
  error?: string
}

export interface PgAttributionStatement {
  queryid: string
  query: string
  callsPerRequest: number
  meanExecMs: number
}

/** The query attribution probe: statements per request of one endpoint sent alone. */
export interface PgAttribution {
  endpoint: string
  method: string
  /** Path and query sent (no host). */
  path: string
  requestsCount: number
  okCount: number
  statementsPerRequest: number
  dbTimeMsPerRequest: number
  statements: PgAttributionStatement[]
}

export interface PostgresData {
  files: string[]
  version: string
  versionNum: number
  settings: PgSetting[]
  /** The 100 statements with the most execution time over the load. */
  statements: PgStatementDelta[]
  /** Every statement's calls and execution time over the load summed (absent in older records). */
  totals?: { calls: number; totalExecMs: number }
  /** Statements in pg_stat_statements before/after; `dealloc` grows when entries were evicted. */
  statementsTracked: number
  tables: PgTableDelta[]
  database: PgDatabaseDelta
  activity?: PgActivity
  explains: PgExplain[]
  /** `EXPLAIN (GENERIC_PLAN)` needs PostgreSQL 16; why there are no plans otherwise. */
  explainNote?: string
  attribution: PgAttribution[]
  /** Endpoints the probe skipped, with the reason. */
  attributionSkipped: { endpoint: string; reason: string }[]
  notes: string[]
}

export interface RedisPrefix {
  /** `clip:*`, `feed:hot:*`. */
  prefix: string
  keysCount: number
  memoryBytes: number
  /** Keys by remaining TTL: none, < 1 min, < 10 min, < 1 h, ≥ 1 h. */
  ttl: { none: number; lt1m: number; lt10m: number; lt1h: number; ge1h: number }
}

export interface RedisData {
  files: string[]
  version: string
  hitsCount: number
  missesCount: number
  /** hits / (hits + misses) over the load; absent when there were no lookups. */
  hitRate?: number
  evictedKeysCount: number
  expiredKeysCount: number
  commandsCount: number
  /** Delta of calls per command (INFO commandstats), largest first. */
  commands: { command: string; callsCount: number; usecPerCall?: number }[]
  memory: {
    usedBytes: number
    peakBytes: number
    maxmemoryBytes: number
    policy: string
    fragmentationRatio?: number
  }
  keysPerDb: { db: string; keysCount: number; expiresCount: number }[]
  connectedClientsCount?: number
  sample: { keysCount: number; complete: boolean; prefixes: RedisPrefix[] }
  notes: string[]
}

export interface AppStatsValue {
  before?: number
  after?: number
  delta?: number
}

export interface AppStatsSource {
  /** URL without credentials or query string. */
  url: string
  /** Flattened numeric fields (`database.acquire_count`), numbers written as strings included. */
  values: Record<string, AppStatsValue>
  error?: string
}

export interface AppStatsData {
  files: string[]
  sources: AppStatsSource[]
}

export type ProfileKind =
  'cpu' | 'heap' | 'allocs' | 'goroutine_before' | 'goroutine_during' | 'goroutine_after' | 'block' | 'mutex'

export interface ProfileFile {
  kind: ProfileKind
  file: string
  bytes: number
  samplesCount: number
  /** allocs/block/mutex: the profile covers a window of the load, not the process's lifetime. */
  delta?: boolean
  /** The delta's window in seconds since the load started; absent on older records: the CPU profile's window. */
  window?: { startS: number; durationS: number }
}

export interface ProfilesData {
  files: ProfileFile[]
  /** CPU profile window, seconds since the load started. */
  cpu?: { startS: number; durationS: number }
  /** Profiles that could not be taken, each with its one-line reason. */
  missing: { kind: ProfileKind; reason: string }[]
  /** How long the adaptive cool-down before goroutine_after waited, and what ended it. */
  coolDown?: { waitedS: number; reason: string }
  /** The highest goroutine count (`goroutine?debug=1` total) over the samples taken during the load. */
  goroutinesPeak?: { count: number; samples: number }
}
