// The validated plan every stage reads. Built once by plan/load.ts from action inputs,
// CLI flags and perfgate.yml; nothing downstream re-validates it.

/** How a paired run loads its two sides (the record's `paired.design` has the same values). */
export type PairedDesignName = 'simultaneous' | 'alternating'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'

/** One endpoint of the target: a name used everywhere, and the route template it matches. */
export interface EndpointSpec {
  name: string
  method: HttpMethod
  /** Route template with `:param` segments, e.g. `/api/v1/clips/:id`. */
  route: string
  /** Query string appended by generated scripts, may use `{sort}`-style placeholders. */
  query?: Record<string, string | string[]>
  /** JSON body for generated requests (POST/PUT/PATCH). */
  body?: unknown
  /** Generated requests send `Authorization: Bearer <token>` from the fixtures. */
  auth?: boolean
  /** Status codes that count as success for checks (default: 2xx). */
  expectStatus?: number[]
}

export interface JourneyStep {
  endpoint: string
  /** Seconds to sleep after the step, before think-time scaling. */
  think: number
  /** Probability in [0, 1] that the step runs (default 1). */
  probability?: number
  /** Repeat count or inclusive range [min, max] (default 1). */
  repeat?: number | [number, number]
  /** Nested steps run as a group (the group's `endpoint` is ignored when present). */
  steps?: JourneyStep[]
  /** Query overrides for this step (e.g. sort=new). */
  query?: Record<string, string | string[]>
}

export interface UserType {
  name: string
  /** Percent of VUs, all user types add up to 100. */
  weight: number
  steps: JourneyStep[]
}

export interface Stage {
  /** k6 duration text, e.g. `30s`, `1m`. */
  duration: string
  target: number
}

export interface Scenario {
  name: string
  vus: number
  /** Total duration in seconds (sum of stages). */
  durationS: number
  stages: Stage[]
  thinkTimeScale: number
  userTypes: UserType[]
  /** Optional JSON fixtures file with ids, tags, search terms, tokens. */
  fixtures?: string
  /** The `vus`/`duration` inputs when given (a user's script gets them as k6's CLI overrides). */
  overrides?: { vus?: number; durationS?: number }
}

/** A target as the user wrote it, next to its parsed value (k6 thresholds do the same). */
export interface Target {
  text: string
  value: number
  /** Where it was set, `perfgate.yml:12`; only on the throughput target, which has no default. */
  source?: string
}

export interface EndpointSlo {
  endpoint: string
  p50Ms?: Target
  p95Ms?: Target
  p99Ms?: Target
  /** Maximum error rate as a fraction (0.01 = 1 %). */
  errorRate?: Target
  minRps?: Target
}

export interface Slos {
  endpoints: EndpointSlo[]
  errorRate?: Target
  minRps?: Target
  cacheHitRate?: Target
}

export interface Tolerances {
  /** Relative increase allowed before a latency change is considered, e.g. 0.10 = +10 %. */
  p50: number
  p95: number
  p99: number
  /** Relative increase of error rate, with an absolute floor (fraction) below which it is ignored. */
  errorRate: number
  errorRateFloor: number
  /** Relative decrease of throughput allowed, e.g. 0.10 = -10 %. */
  rps: number
  /** Relative increase of database time per request (pg_stat_statements, attribution probe). */
  dbTime: number
  /** Relative increase of SQL statements per request. */
  statements: number
  /** Relative decrease of the cache hit rate, e.g. 0.05 = 0.95 → 0.90. */
  cacheHitRate: number
  /** Significance level of the noise test. */
  alpha: number
}

export type FailOn = 'slo' | 'regression'

export interface GatePolicy {
  /** Empty means never fail. */
  failOn: FailOn[]
  tolerances: Tolerances
}

export interface BaselineSource {
  /** `artifact` (default), `path` or `branch`. */
  kind: 'artifact' | 'path' | 'branch' | 'none'
  path?: string
  branch?: string
  /** How many historical records to use for run-to-run spread. */
  history: number
}

export interface DependencySpec {
  name: string
  /** Prometheus histogram base name, e.g. `external_request_duration_seconds`. */
  metric: string
  labels?: Record<string, string>
}

export interface AreaPattern {
  area: string
  patterns: string[]
}

export interface CollectorsPlan {
  metricsUrl?: string
  databaseUrl?: string
  redisUrl?: string
  pprofUrl?: string
  /** Full header line, e.g. `Authorization: Bearer x`. A secret. */
  debugAuthHeader?: string
  appStatsUrls: string[]
  dependencies: DependencySpec[]
  areas: AreaPattern[]
  /** Seconds to wait at most after the load before the cool-down snapshots (collect/cool-down.ts). */
  coolDownS: number
  /**
   * Wait the whole `coolDownS` whatever the target does (the cool-down before it was adaptive). Not
   * an input: bench/overhead.ts sets it to measure the adaptive cool-down against the fixed one.
   */
  coolDownFixed?: boolean
  /** Per-collector time box in seconds. */
  timeoutS: number
  /** Requests per endpoint in the query attribution probe. */
  probeRequests: number
  /** The target's HTTP metric and label names (perfgate.yml `collectors.metrics`); absent: Clipper-like defaults. */
  metricNames?: Partial<MetricNames>
  /** A paired run's base deployment collectors (`baseline-metrics-url`, …); absent when none is given. */
  base?: BaseCollectorsPlan
}

/**
 * The base deployment's own Prometheus, pprof and app-stats endpoints in a paired run, read over
 * the same load window as the target's. No database or Redis: the two sides usually share them
 * (one set of collectors sees both sides' load), and the target's collectors already read them.
 */
export interface BaseCollectorsPlan {
  metricsUrl?: string
  pprofUrl?: string
  /** `baseline-debug-auth-header`, else `debug-auth-header`. A secret. */
  debugAuthHeader?: string
  appStatsUrls: string[]
}

/** What the target's Prometheus metrics for HTTP requests are called (collect/prometheus.ts has the defaults). */
export interface MetricNames {
  /** Request counter, e.g. `http_requests_total`. */
  requests: string
  /** Request duration histogram base name, e.g. `http_request_duration_seconds`. */
  duration: string
  /** In-flight requests gauge. */
  inFlight: string
  /** Label holding the route template (default: `path`, else `route`, else `handler`). */
  routeLabel?: string
  /** Label holding the HTTP method (default: `method`). */
  methodLabel?: string
  /** Label holding the status code (default: `status`, else `code`). */
  statusLabel?: string
  /** Route patterns left out of the route table (`*` matches anything); replace the default list. */
  excludeRoutes: string[]
}

export type Mode = 'run' | 'comment' | 'merge'

export interface Plan {
  targetUrl: string
  /**
   * The base branch's deployment (`baseline-url`): loaded side by side with the target in one k6
   * process, and the gate judges the paired comparison instead of a stored baseline.
   */
  baselineUrl?: string
  /** How a paired run loads its two sides (`paired-design`); set with baselineUrl, default simultaneous. */
  pairedDesign?: PairedDesignName
  /**
   * `paired-max-duration`: a paired run keeps loading past the scenario's duration, up to this many
   * seconds, until every gated row resolves (compare/paired-stopping.ts); absent: no stopping rule.
   */
  pairedMaxDurationS?: number
  /** Seconds perfgate polls a silent target (a sleeping preview waking up) before giving up; default 60. */
  targetWaitS?: number
  /** Seconds of the scenario's load run (and discarded) before the measured load; 0 or absent: none. */
  warmUpS?: number
  /** A user's own k6 script; when set, `scenario` only describes it. */
  script?: string
  scenario: Scenario
  endpoints: EndpointSpec[]
  slos: Slos
  collectors: CollectorsPlan
  baseline: BaselineSource
  gate: GatePolicy
  mode: Mode
  reportName: string
  outputDir: string
  k6Path?: string
  /** Repository checkout searched for statement sources (GITHUB_WORKSPACE or --repo). */
  repoDir?: string
  shards: number
  shard: number
  /**
   * The `debug` input (CLI `--debug`). Nothing reads it yet: the action reads the raw input itself
   * (to print the stack of a plan error too), so for the CLI this is the flag's only carrier.
   */
  debug: boolean
}
