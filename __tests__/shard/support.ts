// Shard records built the way a real run builds them: samples fed through the run stage's
// LoadAggregator, so histograms, windows and stats are what runLoad would have written.
import { LoadAggregator } from '../../src/run/aggregate.ts'
import { mulberry32 } from '../../src/compare/stats.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'
import { SCHEMA_VERSION, type RunRecord } from '../../src/record/index.ts'
import type { LoadPart } from '../../src/record/load.ts'

export interface Sample {
  endpoint: string
  /** Epoch ms. */
  timeMs: number
  ms: number
  status?: string
  failed?: boolean
}

/** A deterministic pseudo-random stream, so tests are repeatable. */
export const random = mulberry32

/** `n` samples over `durationS` seconds from `startMs`, log-normal-ish latencies, a few errors. */
export function samples(seed: number, startMs: number, durationS: number, n: number): Sample[] {
  const r = random(seed)
  const names = ['feed', 'clip_detail', 'search']
  return Array.from({ length: n }, (_, i) => {
    const failed = r() < 0.01
    return {
      endpoint: names[i % names.length]!,
      timeMs: startMs + Math.floor((i / n) * durationS * 1000),
      ms: Math.exp(1 + r() * 3) + r(),
      status: failed ? '500' : '200',
      failed,
    }
  })
}

/** Aggregated as runLoad would, on a 10 s window grid unless `windowS` says otherwise. */
export function aggregate(all: Sample[], vus: number, windowS = 10): LoadPart {
  const agg = new LoadAggregator({ endpoints: DEFAULT_ENDPOINTS, windowS })
  agg.point('vus', all[0]?.timeMs ?? 0, vus, '{}')
  for (const s of all) {
    const tags = JSON.stringify({ endpoint: s.endpoint, status: s.status ?? '200', scenario: 'perfgate' })
    agg.point('http_reqs', s.timeMs, 1, tags)
    agg.point('http_req_duration', s.timeMs, s.ms, tags)
    agg.point('http_req_waiting', s.timeMs, s.ms * 0.9, tags)
    agg.point('http_req_connecting', s.timeMs, s.ms * 0.01, tags)
    agg.point('http_req_blocked', s.timeMs, s.ms * 0.02, tags)
    agg.point('http_req_failed', s.timeMs, s.failed ? 1 : 0, tags)
    agg.point('checks', s.timeMs, s.failed ? 0 : 1, JSON.stringify({ endpoint: s.endpoint }))
  }
  const result = agg.result()
  return {
    startedAt: new Date(result.startMs).toISOString(),
    endedAt: new Date(result.endMs).toISOString(),
    durationS: result.durationS,
    windowS: result.windowS,
    vusMax: result.vusMax,
    overall: result.overall,
    endpoints: result.endpoints,
    k6Summary: `summary of ${all.length} samples`,
    k6ExitCode: 0,
    thresholdsCrossed: false,
    files: ['k6.ndjson.gz', 'k6-summary.txt'],
  }
}

export function shardRecord(
  index: number | undefined,
  count: number,
  load: LoadPart | { unavailable: string },
  collected = false,
): RunRecord {
  const startedAt = 'startedAt' in load ? load.startedAt : '2024-01-01T00:00:00.000Z'
  const endedAt = 'endedAt' in load ? load.endedAt : startedAt
  const part = (name: string) =>
    collected
      ? {
          files: [`${name}/scrape.txt`],
          intervalS: 30,
          requestsCount: 0,
          routes: [],
          samplesCount: 0,
          runtime: { before: {}, after: {} },
          runtimeDelta: {},
          dependencies: [],
          notes: [],
        }
      : { unavailable: 'collected by shard 0, which owns the collectors' }
  return {
    schema: SCHEMA_VERSION,
    meta: {
      tool: 'perfgate',
      toolVersion: 'test',
      startedAt,
      endedAt,
      targetUrl: 'http://127.0.0.1:1',
      k6Version: '1.8.1',
      ...(index !== undefined ? { shard: { index, count } } : {}),
    },
    plan: {
      scenario: 'Mixed behavior',
      vus: 12,
      durationS: 30,
      stages: [],
      thinkTimeScale: 0.1,
      userTypes: [],
      endpoints: DEFAULT_ENDPOINTS.map(({ name, method, route }) => ({ name, method, route })),
      slos: { endpoints: [] },
    },
    load,
    prometheus: part('prometheus'),
    postgres: { unavailable: 'database-url not set' },
    redis: { unavailable: 'redis-url not set' },
    appStats: { unavailable: 'app-stats-urls not set' },
    profiles: { unavailable: 'pprof-url not set' },
    findings: [],
  }
}
