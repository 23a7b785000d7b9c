// The `load` part of the RunRecord: what k6 measured, aggregated per endpoint and per window.

/** Latency summary in milliseconds. */
export interface LatencyStats {
  minMs: number
  meanMs: number
  p50Ms: number
  p90Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
}

/** One time window (default 2 s) of one endpoint: the samples the gate's statistics use. */
export interface LoadWindow {
  /** Window start, milliseconds since the load started. */
  startMs: number
  count: number
  errors: number
  p50Ms: number
  p95Ms: number
  /** HDR histogram of http_req_duration in microseconds, compressed base64 (hdr-histogram-js). */
  histogram: string
}

export interface EndpointLoad {
  name: string
  method?: string
  route?: string
  count: number
  rps: number
  errors: number
  /** Fraction of requests where k6's http_req_failed was 1. */
  errorRate: number
  /**
   * k6 checks: overall, every check of the run; per endpoint, the checks attributed to it (tagged
   * `endpoint`, or `name`). Absent on an endpoint when the run had checks but none was attributed
   * to it (a user's script that does not tag its checks): not measured, which is not zero.
   */
  checks?: { passes: number; fails: number }
  statuses: Record<string, number>
  duration: LatencyStats
  waiting: LatencyStats
  connecting: LatencyStats
  blocked: LatencyStats
  /** HDR histogram of http_req_duration in microseconds, compressed base64. */
  histogram: string
  /** Same encoding for the other phases, so merged shards can recompute their percentiles too. */
  phaseHistograms?: { waiting: string; connecting: string; blocked: string }
  windows: LoadWindow[]
}

/**
 * One answer of an (endpoint, status) that failed: what the target said, so a report can explain
 * the errors it counts. Text from the target: scrubbed of secrets, control characters removed, cut
 * to its first bytes; renderers still escape it.
 */
export interface ResponseSample {
  endpoint: string
  /** HTTP status; 0 when no response came (k6's `error` says why). */
  status: number
  /** The first bytes of the body (RESPONSE_SAMPLE_BYTES), as text. */
  body: string
  /** The body was longer than what is kept. */
  truncated: boolean
  /** Headers that explain a refusal (Retry-After, WWW-Authenticate, RateLimit-*, Content-Type…), lower-case names. */
  headers: Record<string, string>
  /** `load`: answered during the load (the generated script logs it); `after-load`: perfgate re-requested the endpoint once after a user's script, with the attribution probe's auth. */
  source: 'load' | 'after-load'
  /** k6's or fetch's error when there was no HTTP answer (timeout, connection refused). */
  error?: string
}

/** A stretch of the measured VU curve: a hold when `fromVUs` equals `toVUs`, else a ramp. */
export interface VuSegment {
  /**
   * Seconds since the load's start (`startedAt`, the windows' anchor): k6's first `vus` point can
   * come a fraction of a second before the first request, so the first segment may start below 0.
   */
  startS: number
  durationS: number
  fromVUs: number
  toVUs: number
  /** Only on a last segment that folds a jagged rest of the curve: its highest VUs. */
  maxVUs?: number
}

export interface LoadPart {
  startedAt: string
  endedAt: string
  durationS: number
  windowS: number
  vusMax: number
  /** k6's `vus` metric as segments (run/vu-curve.ts); absent in older records and merged shards. */
  vusCurve?: VuSegment[]
  overall: EndpointLoad
  endpoints: EndpointLoad[]
  /** k6's end-of-test summary text (for the report's K6 output section). */
  k6Summary: string
  k6ExitCode: number
  /** k6 exit 99: the script's own thresholds were crossed. */
  thresholdsCrossed: boolean
  /** Present when the run did not finish (k6 died, a shard is missing): why. */
  partial?: string
  /** Present when this record must never become a baseline (no requests, interrupted): why. */
  unusableAsBaseline?: string
  /** Files written beside result.json, relative to the output folder. */
  files: string[]
  /** Where the load came from: a script generated from the scenario, or the user's own script. */
  source?: { kind: 'generated' | 'script'; script: string }
  /** A user's script: its scenarios as k6 inspect read them, after perfgate's `vus`/`duration` overrides. */
  scriptRun?: import('./scenario.ts').ScriptRun
  /** Up to 3 answers per failing (endpoint, status); absent in records of older perfgate versions. */
  responseSamples?: ResponseSample[]
  /** Failing endpoints perfgate could not re-request after a user's script, and why. */
  responseSamplesSkipped?: { endpoint: string; reason: string }[]
  /** NDJSON lines that could not be read (a line cut off when k6 died, for instance). */
  malformedLines?: number
  /**
   * The warm-up load before the measured one (`warm-up`): its own k6 run, so none of its requests
   * is in `overall`, `endpoints`, the SLOs or the comparison.
   */
  warmUp?: { durationS: number; requestsCount: number; errorRate: number; note?: string; files: string[] }
}
