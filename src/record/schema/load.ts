// Schema of the `load` part (record/load.ts).
import { z } from 'zod'
import type { EndpointLoad, LatencyStats, LoadPart, LoadWindow, ResponseSample, VuSegment } from '../load.ts'
import type { ScriptRun } from '../scenario.ts'
import type { PairedPart, PairedRowRecord, PairedSide } from '../paired.ts'
import { bool, num, numbers, str, strings } from './common.ts'

const latencySchema: z.ZodType<LatencyStats> = z.object({
  minMs: num,
  meanMs: num,
  p50Ms: num,
  p90Ms: num,
  p95Ms: num,
  p99Ms: num,
  maxMs: num,
})

const windowSchema: z.ZodType<LoadWindow> = z.object({
  startMs: num,
  count: num,
  errors: num,
  p50Ms: num,
  p95Ms: num,
  histogram: str,
})

export const endpointLoadSchema: z.ZodType<EndpointLoad> = z.object({
  name: str,
  method: str.optional(),
  route: str.optional(),
  count: num,
  rps: num,
  errors: num,
  errorRate: num,
  checks: z.object({ passes: num, fails: num }).optional(),
  statuses: numbers,
  duration: latencySchema,
  waiting: latencySchema,
  connecting: latencySchema,
  blocked: latencySchema,
  histogram: str,
  phaseHistograms: z.object({ waiting: str, connecting: str, blocked: str }).optional(),
  windows: z.array(windowSchema),
})

const responseSampleSchema: z.ZodType<ResponseSample> = z.object({
  endpoint: str,
  status: num,
  body: str,
  truncated: bool,
  headers: z.record(z.string(), z.string()),
  source: z.enum(['load', 'after-load']),
  error: str.optional(),
})

const stagesSchema = z.array(z.object({ duration: str, target: num }))

const scriptRunSchema: z.ZodType<ScriptRun> = z.object({
  scenarios: z.array(
    z.object({
      name: str,
      executor: str,
      exec: str.optional(),
      startS: num,
      durationS: num,
      maxVUs: num,
      stages: stagesSchema.optional(),
      vus: num.optional(),
      rate: num.optional(),
      timeUnit: str.optional(),
    }),
  ),
  maxVUs: num,
  durationS: num,
  overrides: z.object({ vus: num.optional(), durationS: num.optional() }).optional(),
})

const vuSegmentSchema: z.ZodType<VuSegment> = z.object({
  startS: num,
  durationS: num,
  fromVUs: num,
  toVUs: num,
  maxVUs: num.optional(),
})

export const loadSchema: z.ZodType<LoadPart> = z.object({
  startedAt: str,
  endedAt: str,
  durationS: num,
  windowS: num,
  vusMax: num,
  vusCurve: z.array(vuSegmentSchema).optional(),
  overall: endpointLoadSchema,
  endpoints: z.array(endpointLoadSchema),
  k6Summary: str,
  k6ExitCode: num,
  thresholdsCrossed: bool,
  partial: str.optional(),
  unusableAsBaseline: str.optional(),
  files: strings,
  source: z.object({ kind: z.enum(['generated', 'script']), script: str }).optional(),
  scriptRun: scriptRunSchema.optional(),
  responseSamples: z.array(responseSampleSchema).optional(),
  responseSamplesSkipped: z.array(z.object({ endpoint: str, reason: str })).optional(),
  malformedLines: num.optional(),
  warmUp: z
    .object({ durationS: num, requestsCount: num, errorRate: num, note: str.optional(), files: strings })
    .optional(),
})

const pairedSideSchema: z.ZodType<PairedSide> = z.object({
  url: str,
  durationS: num,
  vusMax: num,
  overall: endpointLoadSchema,
  endpoints: z.array(endpointLoadSchema),
})

/** An interval end: a number, infinite when open (z.number() refuses ±Infinity). */
const bound = z.custom<number>((v) => typeof v === 'number' && !Number.isNaN(v), 'want a number')

const pairedRowSchema: z.ZodType<PairedRowRecord> = z.object({
  id: str,
  endpoint: str,
  metric: z.enum(['p50Ms', 'p95Ms']),
  pairs: num,
  relativeChange: num,
  // ±Infinity with fewer than two pairs (JSON null; record/io.ts reads it back as the infinite end)
  interval: z.tuple([bound, bound]),
  p: num,
  pAdjusted: num,
  verdict: z.enum(['regression', 'improvement', 'unchanged', 'inconclusive', 'no-data']),
  gated: bool,
  tolerance: num,
  morePairs: num.optional(),
})

export const pairedSchema: z.ZodType<PairedPart> = z.object({
  design: z.enum(['simultaneous', 'alternating']),
  currentUrl: str,
  base: pairedSideSchema,
  alpha: num,
  minWindowRequests: num,
  quantileTest: str.optional(),
  rows: z.array(pairedRowSchema),
  inconclusive: str.optional(),
  stopping: z
    .object({
      maxDurationS: num,
      looksAtS: z.array(num).min(1),
      alpha: num,
      taken: z.array(z.object({ atS: num, open: num })),
      ended: z.enum(['resolved', 'max-duration']),
      judgedToS: num.optional(),
    })
    .optional(),
})
