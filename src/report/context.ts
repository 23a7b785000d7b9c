// The context every section builder reads: the input, the record's collector parts that have data,
// the sorted findings, the endpoint rows and the baseline's parts; and the lookups several sections
// share (app stats figures, PostgreSQL settings, profile top tables, why a part is missing). Pure.
import type { AnalysisData, ProfileTop } from '../record/analysis.ts'
import { isUnavailable, type Part } from '../record/common.ts'
import type {
  AppStatsData,
  PostgresData,
  PrometheusData,
  ProfileKind,
  RedisData,
} from '../record/collectors.ts'
import type { Finding } from '../record/findings.ts'
import type { RunRecord } from '../record/index.ts'
import type { LoadPart } from '../record/load.ts'
import { dataOf, missingReason, NO_ANALYSIS, sentence } from './format.ts'
import type { EndpointRow, ReportInput } from './model.ts'
import { findingsSince, type FindingsSince } from './new-findings.ts'
import { endpointRows, overallRow } from './rows.ts'

export interface ReportContext {
  input: ReportInput
  record: RunRecord
  load?: LoadPart
  prom?: PrometheusData
  pg?: PostgresData
  redis?: RedisData
  app?: AppStatsData
  /** The record's analysis: top tables, goroutines, contention, queries, cache, dependencies. */
  analysis?: AnalysisData
  /** The record's findings, most urgent first. */
  findings: Finding[]
  /** Which findings are new since the baseline; absent without a baseline that carries findings. */
  since?: FindingsSince
  endpoints: EndpointRow[]
  overall?: EndpointRow
  hasBaseline: boolean
  /** The baseline's collector parts, for the baseline columns of the resource tables. */
  base: { prom?: PrometheusData; pg?: PostgresData; redis?: RedisData }
}

/** The context of `input`'s report. Does not modify `input`. */
export function reportContext(input: ReportInput): ReportContext {
  const record = input.record
  const load = dataOf(record.load)
  const comparison = input.comparison
  const hasBaseline =
    Boolean(comparison?.baselineFound && input.baseline !== undefined) || Boolean(comparison?.baselineFound)
  const overall = load ? overallRow(load, input.slos, comparison?.rows ?? []) : undefined
  const findings = [...(record.findings ?? [])].sort(
    (a, b) => a.tier - b.tier || (b.impact ?? 0) - (a.impact ?? 0),
  )
  // A paired run's base side is in the record itself, without findings of its own.
  const since =
    hasBaseline && input.baseline && !record.paired
      ? findingsSince(findings, input.baseline.findings)
      : undefined
  return {
    input,
    record,
    ...(load ? { load } : {}),
    ...(dataOf(record.prometheus) ? { prom: dataOf(record.prometheus)! } : {}),
    ...(dataOf(record.postgres) ? { pg: dataOf(record.postgres)! } : {}),
    ...(dataOf(record.redis) ? { redis: dataOf(record.redis)! } : {}),
    ...(dataOf(record.appStats) ? { app: dataOf(record.appStats)! } : {}),
    ...(record.analysis ? { analysis: record.analysis } : {}),
    findings,
    ...(since ? { since } : {}),
    endpoints: endpointRows(input, load),
    ...(overall ? { overall } : {}),
    hasBaseline,
    base:
      hasBaseline && input.baseline
        ? {
            ...(dataOf(input.baseline.prometheus) ? { prom: dataOf(input.baseline.prometheus)! } : {}),
            ...(dataOf(input.baseline.postgres) ? { pg: dataOf(input.baseline.postgres)! } : {}),
            ...(dataOf(input.baseline.redis) ? { redis: dataOf(input.baseline.redis)! } : {}),
          }
        : {},
  }
}

export function appValue(
  app: AppStatsData | undefined,
  key: string,
): { before?: number; after?: number; delta?: number } {
  for (const source of app?.sources ?? []) {
    const v = source.values[key]
    if (v) return v
  }
  return {}
}

export function setting(pg: PostgresData | undefined, name: string): string | undefined {
  return pg?.settings.find((s) => s.name === name)?.value
}

/** Why a profile kind has no top table: the analysis's note on it, else why the collector lacks it. */
export function profileMissing(ctx: ReportContext, kinds: ProfileKind[]): string {
  if (!ctx.analysis) return NO_ANALYSIS
  const part = ctx.record.profiles
  if (part === undefined || part === null || isUnavailable(part)) return missingReason(part, 'pprof')
  const tops = ctx.analysis.profiles
  const notes = isUnavailable(tops) ? [tops.unavailable] : tops.notes
  for (const kind of kinds) {
    const n = notes.find((x) => x.startsWith(`${kind}: `))
    if (n) return `${kind} profile: ${sentence(n.slice(kind.length + 2))}`
  }
  const missing = part.missing.find((m) => kinds.includes(m.kind))
  if (missing) return `${missing.kind} profile: ${sentence(missing.reason)}`
  return isUnavailable(tops) ? sentence(tops.unavailable) : `no ${kinds[0]} profile in this run`
}

/** The analysis's top table of the first kind present. */
export function topOf(ctx: ReportContext, kinds: ProfileKind[]): ProfileTop | undefined {
  const tops = dataOf(ctx.analysis?.profiles)?.tops ?? []
  for (const k of kinds) {
    const t = tops.find((x) => x.kind === k)
    if (t) return t
  }
  return undefined
}

/** Why an analysis section is missing: no analysis, the collector's own reason, or the analysis's. */
export function analysisMissing(
  ctx: ReportContext,
  part: Part<unknown> | undefined,
  collector?: Part<unknown>,
): string {
  if (!ctx.analysis || part === undefined) return NO_ANALYSIS
  if (collector !== undefined && isUnavailable(collector)) return sentence(collector.unavailable)
  if (isUnavailable(part)) return sentence(part.unavailable)
  return 'the analysis has no data for it'
}
