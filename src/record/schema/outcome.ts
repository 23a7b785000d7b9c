// Schema of the record's outcome: SLO rows, the comparison and the gate (record/compare.ts).
import { z } from 'zod'
import type { Comparison, Evidence, GateVerdict, MetricComparison, SloResult } from '../compare.ts'
import type { GatePolicy, Slos, Target, Tolerances } from '../../plan/types.ts'
import type { RunOutcome } from '../index.ts'
import { bool, num, statNum, str, strings } from './common.ts'

const opt = statNum.optional()
const optStr = str.optional()

export const targetSchema: z.ZodType<Target> = z.object({ text: str, value: num, source: optStr })
const optTarget = targetSchema.optional()

export const slosSchema: z.ZodType<Slos> = z.object({
  endpoints: z.array(
    z.object({
      endpoint: str,
      p50Ms: optTarget,
      p95Ms: optTarget,
      p99Ms: optTarget,
      errorRate: optTarget,
      minRps: optTarget,
    }),
  ),
  errorRate: optTarget,
  minRps: optTarget,
  cacheHitRate: optTarget,
})

const scope = z.enum(['endpoint', 'overall'])

const sloResultSchema: z.ZodType<SloResult> = z.object({
  id: str,
  scope,
  endpoint: optStr,
  metric: z.enum(['p50Ms', 'p95Ms', 'p99Ms', 'errorRate', 'rps', 'cacheHitRate']),
  target: targetSchema,
  operator: z.enum(['<', '<=', '>', '>=']),
  actual: opt,
  status: z.enum(['pass', 'fail', 'no-data']),
  message: str,
  hint: optStr,
})

const verdict = z.enum(['regression', 'improvement', 'unchanged', 'inconclusive', 'no-data'])

const evidenceSchema: z.ZodType<Evidence> = z.object({
  test: z.enum(['window-permutation', 'mann-whitney', 'history', 'paired-sign-flip', 'none']),
  pValue: opt,
  adjustedPValue: opt,
  family: opt,
  ci: z.tuple([statNum, statNum]).optional() as z.ZodType<[number, number] | undefined>,
  windowsBaseline: num,
  windowsCurrent: num,
  history: z.object({ n: num, mean: num, sd: num, min: num, max: num, lo: num, hi: num }).optional(),
  note: str,
})

const rowSchema: z.ZodType<MetricComparison> = z.object({
  id: str,
  scope,
  endpoint: optStr,
  metric: z.enum([
    'p50Ms',
    'p95Ms',
    'p99Ms',
    'errorRate',
    'rps',
    'dbTimeMsPerRequest',
    'statementsPerRequest',
    'cacheHitRate',
    'latencyDrift',
  ]),
  unit: z.enum(['ms', 'ratio', 'req/s', 'count', 'factor']),
  baseline: opt,
  current: opt,
  absDelta: opt,
  relDelta: opt,
  verdict,
  evidence: evidenceSchema,
  tolerance: z.object({ relative: num, floor: opt, worse: z.enum(['higher', 'lower']) }),
  message: str,
})

const runRefSchema = z.object({
  startedAt: optStr,
  sha: optStr,
  ref: optStr,
  loadUnavailable: optStr,
  partial: optStr,
})

const comparisonSchema: z.ZodType<Comparison> = z.object({
  baselineFound: bool,
  baseline: runRefSchema.optional(),
  current: runRefSchema,
  historyRuns: num,
  rows: z.array(rowSchema),
  counts: z.object({
    regression: num,
    improvement: num,
    unchanged: num,
    inconclusive: num,
    'no-data': num,
  }),
  notes: strings,
})

const gateSchema: z.ZodType<GateVerdict> = z.object({
  verdict: z.enum(['pass', 'warn', 'fail', 'no-baseline']),
  failed: bool,
  reasons: strings,
  regressions: strings,
})

const tolerancesSchema: z.ZodType<Tolerances> = z.object({
  p50: num,
  p95: num,
  p99: num,
  errorRate: num,
  errorRateFloor: num,
  rps: num,
  dbTime: num,
  statements: num,
  cacheHitRate: num,
  alpha: num,
})

const policySchema: z.ZodType<GatePolicy> = z.object({
  failOn: z.array(z.enum(['slo', 'regression'])),
  tolerances: tolerancesSchema,
})

export const outcomeSchema: z.ZodType<RunOutcome> = z.object({
  slos: z.array(sloResultSchema),
  comparison: comparisonSchema,
  gate: gateSchema,
  policy: policySchema,
  baselineSource: optStr,
})
