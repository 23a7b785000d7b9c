// Schemas of the collectors' parts (record/collectors.ts).
import { z } from 'zod'
import type {
  AppStatsData,
  DependencyMetrics,
  HistogramDelta,
  PostgresData,
  ProfileKind,
  ProfilesData,
  PrometheusData,
  RedisData,
  RouteMetrics,
  RuntimeFigures,
} from '../collectors.ts'
import { bool, num, numbers, str, strings } from './common.ts'

const opt = num.optional()

const histogramDeltaShape = {
  count: num,
  sumSeconds: num,
  meanMs: opt,
  p50Ms: opt,
  p95Ms: opt,
  p99Ms: opt,
} satisfies Record<keyof HistogramDelta, z.ZodType>

const routeSchema: z.ZodType<RouteMetrics> = z.object({
  ...histogramDeltaShape,
  method: str.optional(),
  path: str,
  statuses: numbers,
})

const runtimeSchema: z.ZodType<RuntimeFigures> = z.object({
  goVersion: str.optional(),
  goroutines: opt,
  threads: opt,
  gomaxprocs: opt,
  memoryLimitBytes: opt,
  heapAllocBytes: opt,
  heapInuseBytes: opt,
  heapObjectsCount: opt,
  rssBytes: opt,
  openFdsCount: opt,
  cpuSeconds: opt,
  gcCount: opt,
  gcPauseSeconds: opt,
  allocatedBytes: opt,
})

const dependencySchema: z.ZodType<DependencyMetrics> = z.object({
  ...histogramDeltaShape,
  name: str,
  metric: str,
  labels: z.record(z.string(), z.string()),
  declared: bool,
})

export const prometheusSchema: z.ZodType<PrometheusData> = z.object({
  files: strings,
  intervalS: num,
  requestsCount: num,
  routes: z.array(routeSchema),
  inFlightMax: opt,
  samplesCount: num,
  runtime: z.object({ before: runtimeSchema, after: runtimeSchema, goroutinesMax: opt }),
  runtimeDelta: z.object({
    cpuSeconds: opt,
    gcCount: opt,
    gcPauseSeconds: opt,
    allocatedBytes: opt,
    cpuCores: opt,
  }),
  dependencies: z.array(dependencySchema),
  notes: strings,
})

const backends = z.object({ total: num, active: num, idle: num, idleInTransaction: num, waiting: num })

export const postgresSchema: z.ZodType<PostgresData> = z.object({
  files: strings,
  version: str,
  versionNum: num,
  settings: z.array(z.object({ name: str, value: str })),
  statements: z.array(
    z.object({
      queryid: str,
      query: str,
      calls: num,
      totalExecMs: num,
      meanExecMs: num,
      rows: num,
      sharedBlksHit: num,
      sharedBlksRead: num,
    }),
  ),
  totals: z.object({ calls: num, totalExecMs: num }).optional(),
  statementsTracked: num,
  tables: z.array(
    z.object({ table: str, seqScanCount: num, seqTupReadCount: num, idxScanCount: num, nLiveTupCount: num }),
  ),
  database: z.object({
    blksHitCount: num,
    blksReadCount: num,
    cacheHitRatio: opt,
    deadlocksCount: num,
    tempBytes: num,
    tempFilesCount: num,
    xactCommitCount: num,
    xactRollbackCount: num,
  }),
  activity: z.object({ samplesCount: num, max: backends, mean: backends }).optional(),
  explains: z.array(
    z.object({
      queryid: str,
      file: str.optional(),
      nodeType: str.optional(),
      totalCost: opt,
      seqScans: strings.optional(),
      error: str.optional(),
    }),
  ),
  explainNote: str.optional(),
  attribution: z.array(
    z.object({
      endpoint: str,
      method: str,
      path: str,
      requestsCount: num,
      okCount: num,
      statementsPerRequest: num,
      dbTimeMsPerRequest: num,
      statements: z.array(z.object({ queryid: str, query: str, callsPerRequest: num, meanExecMs: num })),
    }),
  ),
  attributionSkipped: z.array(z.object({ endpoint: str, reason: str })),
  notes: strings,
})

export const redisSchema: z.ZodType<RedisData> = z.object({
  files: strings,
  version: str,
  hitsCount: num,
  missesCount: num,
  hitRate: opt,
  evictedKeysCount: num,
  expiredKeysCount: num,
  commandsCount: num,
  commands: z.array(z.object({ command: str, callsCount: num, usecPerCall: opt })),
  memory: z.object({
    usedBytes: num,
    peakBytes: num,
    maxmemoryBytes: num,
    policy: str,
    fragmentationRatio: opt,
  }),
  keysPerDb: z.array(z.object({ db: str, keysCount: num, expiresCount: num })),
  connectedClientsCount: opt,
  sample: z.object({
    keysCount: num,
    complete: bool,
    prefixes: z.array(
      z.object({
        prefix: str,
        keysCount: num,
        memoryBytes: num,
        ttl: z.object({ none: num, lt1m: num, lt10m: num, lt1h: num, ge1h: num }),
      }),
    ),
  }),
  notes: strings,
})

export const appStatsSchema: z.ZodType<AppStatsData> = z.object({
  files: strings,
  sources: z.array(
    z.object({
      url: str,
      values: z.record(z.string(), z.object({ before: opt, after: opt, delta: opt })),
      error: str.optional(),
    }),
  ),
})

export const profileKindSchema: z.ZodType<ProfileKind> = z.enum([
  'cpu',
  'heap',
  'allocs',
  'goroutine_before',
  'goroutine_during',
  'goroutine_after',
  'block',
  'mutex',
])

export const profilesSchema: z.ZodType<ProfilesData> = z.object({
  files: z.array(
    z.object({
      kind: profileKindSchema,
      file: str,
      bytes: num,
      samplesCount: num,
      delta: bool.optional(),
      window: z.object({ startS: num, durationS: num }).optional(),
    }),
  ),
  cpu: z.object({ startS: num, durationS: num }).optional(),
  missing: z.array(z.object({ kind: profileKindSchema, reason: str })),
  coolDown: z.object({ waitedS: num, reason: str }).optional(),
  goroutinesPeak: z.object({ count: num, samples: num }).optional(),
})
