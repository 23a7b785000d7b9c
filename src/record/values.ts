// Reading a record as point values: its load part, an endpoint's whole-run latency, error rate and
// throughput, the cache hit rate. Shared by the SLO rows (analyze/), the comparison (compare/) and
// the report, so no stage reads another stage's internals. Pure; a decoded histogram percentile is
// memoised per endpoint object.
import { isUnavailable } from './common.ts'
import { histogramPercentileMs } from './histogram.ts'
import type { RunRecord } from './index.ts'
import type { EndpointLoad, LoadPart } from './load.ts'

export type LatencyMetric = 'p50Ms' | 'p95Ms' | 'p99Ms'

const PERCENTILE: Record<LatencyMetric, number> = { p50Ms: 50, p95Ms: 95, p99Ms: 99 }

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The load part of a record, or why there is none. */
export function loadOf(record: RunRecord | undefined): { load?: LoadPart; missing?: string } {
  if (record === undefined) return { missing: 'no record' }
  const load = record.load
  if (load === undefined || load === null) return { missing: 'the record has no load part' }
  if (isUnavailable(load)) return { missing: `load test unavailable: ${load.unavailable}` }
  return { load }
}

/** The endpoint's load by name, or the overall load when `endpoint` is undefined. */
export function endpointOf(load: LoadPart, endpoint: string | undefined): EndpointLoad | undefined {
  if (endpoint === undefined) return load.overall
  return load.endpoints.find((e) => e.name === endpoint)
}

const decoded = new WeakMap<EndpointLoad, Partial<Record<LatencyMetric, number>>>()

/** Whole-run latency percentile: the recorded summary, else the endpoint's histogram. */
export function latencyValue(ep: EndpointLoad, metric: LatencyMetric): number | undefined {
  if (!(ep.count > 0)) return undefined
  const recorded = ep.duration?.[metric]
  if (finite(recorded)) return recorded
  let cache = decoded.get(ep)
  if (cache === undefined) {
    cache = {}
    decoded.set(ep, cache)
  }
  if (!(metric in cache)) cache[metric] = histogramPercentileMs(ep.histogram, PERCENTILE[metric])
  return cache[metric]
}

export function errorRateValue(ep: EndpointLoad): number | undefined {
  if (!(ep.count > 0)) return undefined
  if (finite(ep.errorRate)) return ep.errorRate
  return finite(ep.errors) ? ep.errors / ep.count : undefined
}

export function rpsValue(ep: EndpointLoad, load: LoadPart): number | undefined {
  if (finite(ep.rps) && ep.count > 0) return ep.rps
  if (finite(ep.count) && load.durationS > 0) return ep.count / load.durationS
  return undefined
}

/**
 * The cache hit rate of a run as a fraction 0..1: `record.redis.hitRate` when the Redis collector
 * measured it, else the keyspace hits and misses counted by an app-stats endpoint during the load
 * (`…keyspace_hits` / `…keyspace_misses` deltas, as in `/health/cache`), else undefined.
 */
export function cacheHitRateOf(record: RunRecord): number | undefined {
  const fraction = (v: unknown): v is number =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1
  const redis = record.redis
  if (redis && !isUnavailable(redis) && fraction(redis.hitRate)) return redis.hitRate
  const stats = record.appStats
  if (!stats || isUnavailable(stats)) return undefined
  for (const source of stats.sources ?? []) {
    const delta = (suffix: string) =>
      Object.entries(source.values ?? {}).find(([key]) => key.endsWith(suffix))?.[1]?.delta
    const hits = delta('keyspace_hits')
    const misses = delta('keyspace_misses')
    if (
      typeof hits === 'number' &&
      typeof misses === 'number' &&
      hits >= 0 &&
      misses >= 0 &&
      hits + misses > 0
    ) {
      return hits / (hits + misses)
    }
  }
  return undefined
}
