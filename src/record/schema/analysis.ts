// Schemas of the analysis tables and findings (record/analysis.ts, record/findings.ts).
import { z } from 'zod'
import type { AnalysisData, GoroutineGroup, ProfileTopRow } from '../analysis.ts'
import type { Finding } from '../findings.ts'
import { bool, num, part, str, strings } from './common.ts'
import { profileKindSchema } from './collectors.ts'

const opt = num.optional()
const optStr = str.optional()

const topRowSchema: z.ZodType<ProfileTopRow> = z.object({
  name: str,
  flat: num,
  flatPct: num,
  sumPct: num,
  cum: num,
  cumPct: num,
  flatText: str,
  cumText: str,
})

const topSchema = z.object({
  kind: profileKindSchema,
  sampleType: str,
  sampleUnit: str,
  total: num,
  header: strings,
  rows: z.array(topRowSchema),
  text: str,
  application: z.array(topRowSchema),
  applicationCost: z
    .array(z.object({ name: str, value: num, share: num, valueText: str, dominantCall: str.optional() }))
    .optional(),
})

const areaSchema = z.object({
  kind: z.enum(['cpu', 'allocs']),
  sampleType: str,
  sampleUnit: str,
  total: num,
  shares: z.array(z.object({ area: str, share: num, value: num })),
})

const goroutineGroupSchema: z.ZodType<GoroutineGroup> = z.object({
  count: num,
  share: num,
  waitingIn: str,
  entry: str,
  stack: strings,
  endpoint: optStr,
  endpointBasis: optStr,
  location: optStr,
})

const goroutinesSchema = z.object({
  before: opt,
  during: opt,
  after: opt,
  growth: opt,
  threshold: opt,
  perThousandRequests: opt,
  leakSuspected: bool,
  reason: str,
  topStacks: z.array(goroutineGroupSchema),
})

const contentionSchema = z.object({
  kind: z.enum(['block', 'mutex']),
  totalDelayNs: num,
  totalDelayText: str,
  totalContentions: num,
  sites: z.array(
    z.object({
      function: str,
      blockedIn: str,
      callers: strings,
      delayNs: num,
      delayText: str,
      contentions: num,
      share: num,
      location: optStr,
    }),
  ),
})

const diffSchema = z.object({
  kind: profileKindSchema,
  sampleType: str,
  minDeltaPct: num.optional(),
  rows: z.array(
    z.object({
      name: str,
      basePct: num,
      currentPct: num,
      deltaPct: num,
      location: optStr,
      application: bool.optional(),
    }),
  ),
})

const slowQuerySchema = z.object({
  queryid: str,
  query: str,
  calls: num,
  meanMs: num,
  totalMs: num,
  share: num,
  reasons: strings,
  seqScans: strings.optional(),
  location: optStr,
})

const nPlusOneSchema = z.object({
  endpoint: str,
  queryid: str,
  query: str,
  perRequest: num,
  statementsPerRequest: num,
  shareOfEndpointDbTime: num,
  shareBasis: z.enum(['queries', 'time']),
  shareOfDbTime: opt,
  table: optStr,
  fix: str,
  location: optStr,
})

const indexSchema = z.object({
  table: str,
  columns: strings,
  statement: str,
  source: z.enum(['plan', 'table-stats']),
  filter: optStr,
  queryid: optStr,
  share: opt,
  note: optStr,
  seqScans: opt,
  idxScans: opt,
  rows: opt,
})

const cacheSchema = z.object({
  hitRate: opt,
  target: num,
  hits: num,
  misses: num,
  evictions: num,
  expired: num,
  memoryUsedBytes: num,
  maxmemoryBytes: num,
  policy: str,
  prefixes: z.array(z.object({ prefix: str, keys: num, noTtl: num, shortTtl: num })),
})

const dependencySummarySchema = z.object({
  name: str,
  count: num,
  p50Ms: opt,
  p95Ms: opt,
  meanMs: opt,
  slow: bool,
})

export const analysisSchema: z.ZodType<AnalysisData> = z.object({
  profiles: part(z.object({ tops: z.array(topSchema), notes: strings })),
  areas: part(z.array(areaSchema)),
  goroutines: part(goroutinesSchema),
  contention: part(z.array(contentionSchema)),
  diff: part(z.array(diffSchema)),
  diffBase: z.literal('live-paired').optional(),
  slowQueries: part(z.array(slowQuerySchema)),
  nPlusOne: part(z.array(nPlusOneSchema)),
  indexes: part(z.array(indexSchema)),
  cache: part(cacheSchema),
  dependencies: part(z.array(dependencySummarySchema)),
  notes: strings,
})

export const findingSchema: z.ZodType<Finding> = z.object({
  kind: z.enum([
    'slow-query',
    'n-plus-one',
    'missing-index',
    'cache',
    'goroutine-leak',
    'contention',
    'cpu-hotspot',
    'allocation-hotspot',
    'bottleneck-area',
    'external-dependency',
    'other',
  ]),
  title: str,
  detail: str,
  endpoint: optStr,
  location: optStr,
  impact: opt,
  impactBasis: optStr,
  tier: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
  effort: z.enum(['low', 'medium', 'high']),
  fix: str,
  evidence: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
})
