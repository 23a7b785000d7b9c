// buildReportModel: record + findings + SLO rows + comparison + gate → the report model, every
// section of the profiling template filled, or saying in one line why it cannot be. Pure.
import type { GateOutcome, MetricComparison, SloResult } from '../record/compare.ts'
import { isUnavailable, type Part } from '../record/common.ts'
import type {
  AppStatsData,
  PostgresData,
  PrometheusData,
  ProfileKind,
  RedisData,
} from '../record/collectors.ts'
import type { Finding, FindingKind } from '../record/findings.ts'
import type { RunRecord } from '../record/index.ts'
import type {
  AnalysisData,
  IndexSuggestion,
  ProfileTop,
  ProfileTopRow,
  SlowQuery,
} from '../record/analysis.ts'
import { findingsByTier, implementationPlan, successCriteria, TIER_TITLES } from '../analyze/recommend.ts'
import type { EndpointLoad, LoadPart, LoadWindow } from '../record/load.ts'
import { decodeHistogram, interpolatedPercentile, newHistogram } from '../run/histogram.ts'
import { fmt } from './markdown.ts'
import type {
  BarChart,
  Block,
  EndpointRow,
  ListItem,
  ReportInput,
  ReportModel,
  Section,
  Span,
  Text,
  TimeSeries,
  Verdict,
} from './model.ts'
import { flameTree, formatProfileValue } from './profiles.ts'

// ---------------------------------------------------------------------------------------------
// Small helpers

function dataOf<T>(part: Part<T> | undefined): T | undefined {
  return part !== undefined && part !== null && !isUnavailable(part) ? (part as T) : undefined
}

function sentence(text: string): string {
  return text.trim().replace(/[.\s]+$/, '')
}

/** Why a collector part is missing, for a one-line note. */
function missingReason(part: Part<unknown> | undefined, what: string): string {
  if (part === undefined || part === null) return `${what} was not part of this run`
  if (isUnavailable(part)) return sentence(part.unavailable)
  return `${what} has no data`
}

/** Why the record has no analysis to render from, in one line. */
const NO_ANALYSIS =
  'this record has no analysis (written by an older perfgate); `perfgate report result.json` re-runs it'

const note = (text: string): Block => ({ kind: 'note', text })
const notCollected = (reason: string): Block =>
  note(`${reason === NO_ANALYSIS ? 'Not analysed' : 'Not collected'}: ${sentence(reason)}.`)
const para = (text: Text): Block => ({ kind: 'paragraph', text })
const list = (items: ListItem[], ordered = false): Block => ({ kind: 'list', items, ordered })
const codeBlock = (text: string, language = ''): Block => ({ kind: 'code', text, language })
const section = (id: string, title: string, blocks: Block[], children: Section[] = []): Section => ({
  id,
  title,
  blocks,
  children,
})
const strong = (text: string): Span => ({ text, strong: true })
const plain = (text: string): Span => ({ text })
const codeSpan = (text: string): Span => ({ text, code: true })
const kv = (label: string, value: Text): ListItem => ({
  text: [strong(label + ':'), plain(' '), ...(typeof value === 'string' ? [plain(value)] : value)],
})

function appValue(
  app: AppStatsData | undefined,
  key: string,
): { before?: number; after?: number; delta?: number } {
  for (const source of app?.sources ?? []) {
    const v = source.values[key]
    if (v) return v
  }
  return {}
}

function setting(pg: PostgresData | undefined, name: string): string | undefined {
  return pg?.settings.find((s) => s.name === name)?.value
}

function pctOf(part: number | undefined, whole: number | undefined): string {
  if (part === undefined || whole === undefined || !(whole > 0)) return 'n/a'
  return fmt.pct(part / whole)
}

function durationText(seconds: number): string {
  if (seconds % 60 === 0 && seconds >= 60) {
    const m = seconds / 60
    return `${seconds} seconds (${m} minute${m === 1 ? '' : 's'})`
  }
  return `${seconds} seconds`
}

function shortSha(sha: string | undefined): string | undefined {
  return sha ? sha.slice(0, 12) : undefined
}

const EMOJI: Record<GateOutcome, string> = { pass: '✅', fail: '❌', warn: '⚠️', 'no-baseline': '🆕' }

const STATUS_TEXT: Record<string, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  'no-data': '⚪ no data',
  none: '— no target',
}

const VERDICT_MARK: Record<string, string> = {
  regression: '🔺 regression',
  improvement: '🟢 improvement',
  unchanged: 'unchanged',
  inconclusive: '❔ inconclusive',
  'no-data': 'no data',
}

export function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status
}

export function verdictText(verdict: string): string {
  return VERDICT_MARK[verdict] ?? verdict
}

// ---------------------------------------------------------------------------------------------
// Rows

function endpointRow(ep: EndpointLoad, slos: SloResult[], rows: MetricComparison[]): EndpointRow {
  const mine = slos.filter((s) => s.endpoint === ep.name)
  const p95 = mine.find((s) => s.metric === 'p95Ms')
  const worst = mine.some((s) => s.status === 'fail')
    ? 'fail'
    : mine.some((s) => s.status === 'no-data')
      ? 'no-data'
      : mine.length > 0
        ? 'pass'
        : 'none'
  const cmp = (metric: string) => rows.find((r) => r.endpoint === ep.name && r.metric === metric)
  const c95 = cmp('p95Ms')
  const baseline =
    c95?.baseline !== undefined || cmp('p50Ms')?.baseline !== undefined
      ? { p50Ms: cmp('p50Ms')?.baseline, p95Ms: c95?.baseline, p99Ms: cmp('p99Ms')?.baseline }
      : undefined
  return {
    name: ep.name,
    ...(ep.method ? { method: ep.method } : {}),
    ...(ep.route ? { route: ep.route } : {}),
    count: ep.count,
    rps: ep.rps,
    errorRate: ep.errorRate,
    p50Ms: ep.duration.p50Ms,
    p95Ms: ep.duration.p95Ms,
    p99Ms: ep.duration.p99Ms,
    ...(p95 ? { target: p95.target.text, targetMs: p95.target.value } : {}),
    status: worst,
    slos: mine,
    ...(baseline ? { baseline } : {}),
    ...(c95?.relDelta !== undefined ? { p95RelDelta: c95.relDelta } : {}),
    ...(c95 ? { p95Verdict: c95.verdict, p95Message: c95.message } : {}),
  }
}

function overallRow(load: LoadPart, slos: SloResult[], rows: MetricComparison[]): EndpointRow {
  const row = endpointRow({ ...load.overall, name: 'overall' }, [], [])
  const mine = slos.filter((s) => s.scope === 'overall' && s.metric !== 'cacheHitRate')
  const c95 = rows.find((r) => r.scope === 'overall' && r.metric === 'p95Ms')
  return {
    ...row,
    slos: mine,
    status: mine.some((s) => s.status === 'fail') ? 'fail' : mine.length > 0 ? 'pass' : 'none',
    ...(c95?.baseline !== undefined ? { baseline: { p95Ms: c95.baseline } } : {}),
    ...(c95?.relDelta !== undefined ? { p95RelDelta: c95.relDelta } : {}),
    ...(c95 ? { p95Verdict: c95.verdict } : {}),
  }
}

/** Endpoints with an SLO but no load row still appear, with no data. */
function endpointRows(input: ReportInput, load: LoadPart | undefined): EndpointRow[] {
  const rows = input.comparison?.rows ?? []
  const out = (load?.endpoints ?? []).map((ep) => endpointRow(ep, input.slos, rows))
  const seen = new Set(out.map((r) => r.name))
  for (const slo of input.slos) {
    if (slo.scope !== 'endpoint' || !slo.endpoint || seen.has(slo.endpoint)) continue
    seen.add(slo.endpoint)
    const p95 = input.slos.find((s) => s.endpoint === slo.endpoint && s.metric === 'p95Ms')
    out.push({
      name: slo.endpoint,
      count: 0,
      rps: 0,
      errorRate: 0,
      p50Ms: NaN,
      p95Ms: NaN,
      p99Ms: NaN,
      ...(p95 ? { target: p95.target.text, targetMs: p95.target.value } : {}),
      status: 'no-data',
      slos: input.slos.filter((s) => s.endpoint === slo.endpoint),
    })
  }
  return out
}

const CHART_MAX = 20

function p95Chart(rows: EndpointRow[], hasBaseline: boolean): BarChart | undefined {
  const measured = rows.filter((r) => r.count > 0 && Number.isFinite(r.p95Ms))
  if (measured.length === 0) return undefined
  // Keep the endpoints closest to (or over) their target first when there are too many.
  const ranked =
    measured.length <= CHART_MAX
      ? measured
      : [...measured]
          .map((r, i) => ({ r, i, k: r.targetMs ? r.p95Ms / r.targetMs : 0 }))
          .sort((a, b) => b.k - a.k || b.r.p95Ms - a.r.p95Ms)
          .slice(0, CHART_MAX)
          .sort((a, b) => a.i - b.i)
          .map((x) => x.r)
  const withBaseline = hasBaseline && ranked.some((r) => r.baseline?.p95Ms !== undefined)
  return {
    title: 'p95 latency by endpoint (ms)',
    unit: 'ms',
    labels: ranked.map((r) => r.name),
    current: ranked.map((r) => r.p95Ms),
    target: ranked.map((r) => r.targetMs ?? NaN),
    ...(withBaseline ? { baseline: ranked.map((r) => r.baseline?.p95Ms ?? NaN) } : {}),
    omitted: measured.length - ranked.length,
  }
}

/** Shortest step of the latency-over-time figure: test windows are 2 s, too jittery to read. */
const SERIES_STEP_MIN_S = 10
/** At most this many points per endpoint, so hour-long runs stay readable. */
const SERIES_POINTS_MAX = 120

function latencySeries(load: LoadPart | undefined): { step: number; series: TimeSeries[] } {
  if (!load) return { step: SERIES_STEP_MIN_S, series: [] }
  const windowS = load.windowS > 0 ? load.windowS : SERIES_STEP_MIN_S
  const stepS = Math.max(
    windowS,
    SERIES_STEP_MIN_S,
    Math.ceil(load.durationS / SERIES_POINTS_MAX / SERIES_STEP_MIN_S) * SERIES_STEP_MIN_S,
  )
  const series = load.endpoints
    .filter((ep) => ep.windows.length > 0)
    .map((ep) => ({ name: ep.name, points: seriesPoints(ep, stepS) }))
  return { step: stepS, series }
}

/**
 * The endpoint's windows merged into steps of `stepS`: the p95 of each step's merged histograms,
 * or, when a window histogram cannot be read, the highest window p95 of the step.
 */
function seriesPoints(ep: EndpointLoad, stepS: number): TimeSeries['points'] {
  const steps = new Map<number, LoadWindow[]>()
  for (const w of ep.windows) {
    if (!(w.count > 0)) continue
    const at = Math.floor(w.startMs / 1000 / stepS) * stepS
    steps.set(at, [...(steps.get(at) ?? []), w])
  }
  return [...steps.entries()].map(([tS, windows]) => {
    if (windows.length === 1) return { tS, p95Ms: windows[0]!.p95Ms }
    try {
      const merged = newHistogram()
      for (const w of windows) merged.add(decodeHistogram(w.histogram))
      return { tS, p95Ms: interpolatedPercentile(merged, 0.95) / 1000 }
    } catch {
      return { tS, p95Ms: Math.max(...windows.map((w) => w.p95Ms)) }
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Verdict

function verdictOf(input: ReportInput, sloPass: number, sloTotal: number): Verdict {
  const { gate } = input
  const outcome = gate.verdict
  const label = `perfgate: ${outcome === 'no-baseline' ? 'no baseline yet' : outcome}`
  const parts: string[] = []
  if (sloTotal > 0) parts.push(`${sloPass}/${sloTotal} SLOs met`)
  if (outcome === 'no-baseline') parts.push('first run, nothing to compare with')
  else if (input.comparison?.baselineFound) {
    const n = gate.regressions.length
    parts.push(n === 0 ? 'no regressions against the baseline' : `${n} regression${n === 1 ? '' : 's'}`)
  }
  if (gate.failed) parts.push('the job fails')
  return {
    outcome,
    emoji: EMOJI[outcome],
    label,
    line: `${EMOJI[outcome]} ${label}: ${parts.join(', ')}`,
    reasons: gate.reasons,
    regressions: gate.regressions,
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

interface Ctx {
  input: ReportInput
  record: RunRecord
  load?: LoadPart
  prom?: PrometheusData
  pg?: PostgresData
  redis?: RedisData
  app?: AppStatsData
  /** The record's analysis: top tables, goroutines, contention, queries, cache, dependencies. */
  analysis?: AnalysisData
  findings: Finding[]
  endpoints: EndpointRow[]
  overall?: EndpointRow
  hasBaseline: boolean
  /** The baseline's collector parts, for the baseline columns of the resource tables. */
  base: { prom?: PrometheusData; pg?: PostgresData; redis?: RedisData }
}

/** `+12.0%` of current against baseline, or n/a. */
function relChange(current: number | undefined, baseline: number | undefined): string {
  if (current === undefined || baseline === undefined || !(baseline > 0)) return 'n/a'
  return fmt.signedPct((current - baseline) / baseline)
}

function findingsOf(ctx: Ctx, ...kinds: FindingKind[]): Finding[] {
  return ctx.findings.filter((f) => kinds.includes(f.kind))
}

function impactText(f: Finding): string {
  if (f.impact === undefined) return 'not measured'
  const basis = f.impactBasis?.replace(/^share of /, '')
  return `${fmt.pct(f.impact)}${basis ? ` of ${basis}` : ''}`
}

function findingItem(f: Finding, checked?: boolean): ListItem {
  return {
    text: [strong(f.title), plain(`: ${f.detail}`)],
    ...(checked !== undefined ? { checked } : {}),
  }
}

function executiveSummary(ctx: Ctx): Section {
  const { input } = ctx
  const slos = input.slos
  const failed = slos.filter((s) => s.status === 'fail')
  const passed = slos.filter((s) => s.status === 'pass')
  const noData = slos.filter((s) => s.status === 'no-data')
  const crit = ctx.findings.filter((f) => f.tier <= 2)
  const scope = input.record.meta.git?.pr ? `pull request #${input.record.meta.git.pr}` : 'this run'
  const intro = para(
    `This report documents the performance of ${input.record.meta.targetUrl} under the "${input.record.plan.scenario}" load test for ${scope}, measured and written by perfgate.`,
  )
  const keyFindings: ListItem[] = [
    {
      text:
        slos.length === 0
          ? 'Performance vs. SLO targets: no SLOs configured'
          : `Performance vs. SLO targets: ${passed.length} of ${slos.length} met` +
            (failed.length ? `, ${failed.length} failed (${failed.map((s) => s.id).join(', ')})` : '') +
            (noData.length ? `, ${noData.length} without data` : ''),
      checked: slos.length > 0 && failed.length === 0 && noData.length === 0,
    },
    {
      text:
        ctx.findings.length === 0
          ? 'Critical bottlenecks identified: none found in the collected data'
          : `Critical bottlenecks identified: ${crit.length} critical or high-priority of ${ctx.findings.length} findings` +
            (crit.length
              ? ` (${crit
                  .slice(0, 3)
                  .map((f) => f.title)
                  .join('; ')})`
              : ''),
      checked: ctx.findings.length > 0,
    },
    {
      text: resourceLine(ctx),
      checked:
        ctx.pg !== undefined || ctx.redis !== undefined || ctx.app !== undefined || ctx.prom !== undefined,
    },
    {
      text:
        ctx.findings.length === 0
          ? 'Optimization recommendations: none, nothing stood out'
          : `Optimization recommendations: ${[1, 2, 3, 4]
              .map((t) => `${ctx.findings.filter((f) => f.tier === t).length} in priority ${t}`)
              .join(', ')} (section 5)`,
      checked: ctx.findings.length > 0,
    },
  ]
  const overall = ctx.overall
  const errSlo = slos.find((s) => s.scope === 'overall' && s.metric === 'errorRate')
  const rpsSlo = slos.find((s) => s.scope === 'overall' && s.metric === 'rps')
  const p95Targets = ctx.endpoints.filter((r) => r.target).length
  const status: ListItem[] = overall
    ? [
        kv(
          'p95 Latency',
          `${fmt.ms(overall.p95Ms)} overall (Target: ${p95Targets > 0 ? `varies by endpoint, ${ctx.endpoints.filter((r) => r.slos.some((s) => s.metric === 'p95Ms' && s.status === 'pass')).length} of ${p95Targets} met` : 'none set'})`,
        ),
        kv(
          'Error Rate',
          `${fmt.pct(overall.errorRate, 2)} (Target: ${errSlo ? `${errSlo.target.text}, ${errSlo.status}` : 'none set'})`,
        ),
        kv(
          'Throughput',
          `${fmt.rps(overall.rps)} (Target: ${rpsSlo ? `${rpsSlo.target.text}, ${rpsSlo.status}` : 'none set'})`,
        ),
      ]
    : [
        {
          text: `No load data: ${ctx.record.load && isUnavailable(ctx.record.load) ? sentence(ctx.record.load.unavailable) : 'the load test did not run'}.`,
        },
      ]
  const gate: ListItem[] = [
    kv(
      'Gate',
      `${EMOJI[input.gate.verdict]} ${input.gate.verdict}${input.gate.failed ? ' (the job fails)' : ''}`,
    ),
    ...input.gate.reasons.map((r) => ({ text: r })),
  ]
  return section(
    'summary',
    'Executive Summary',
    [intro],
    [
      section('key-findings', 'Key Findings', [list(keyFindings)]),
      section('status', 'Performance Status', [list(status), list(gate)]),
    ],
  )
}

function resourceLine(ctx: Ctx): string {
  const parts: string[] = []
  const rt = ctx.prom?.runtimeDelta
  if (rt?.cpuCores !== undefined) parts.push(`${rt.cpuCores.toFixed(2)} CPU cores in use`)
  if (ctx.pg?.activity) parts.push(`up to ${ctx.pg.activity.max.total} database connections`)
  if (ctx.redis?.hitRate !== undefined) parts.push(`cache hit rate ${fmt.pct(ctx.redis.hitRate)}`)
  const after = ctx.prom?.runtime.after
  if (after?.rssBytes !== undefined) parts.push(`RSS ${fmt.bytes(after.rssBytes)}`)
  return parts.length > 0
    ? `Resource utilization patterns: ${parts.join(', ')} (section 2)`
    : 'Resource utilization patterns: no collector data (set metrics-url, database-url, redis-url)'
}

function stageText(stages: { duration: string; target: number }[]): ListItem[] {
  return stages.map((s, i) => ({
    text:
      i > 0 && stages[i - 1]!.target === s.target
        ? `${s.duration} → hold ${s.target} VUs`
        : `${s.duration} → ${s.target} VUs`,
  }))
}

function testConfiguration(ctx: Ctx): Section {
  const plan = ctx.record.plan
  const load = ctx.load
  const params: ListItem[] = [
    kv('Scenario', plan.script ? `${plan.scenario} (k6 script ${plan.script})` : plan.scenario),
    kv('Virtual Users', `${plan.vus} concurrent users${load ? ` (peak measured ${load.vusMax})` : ''}`),
    kv(
      'Duration',
      `${durationText(plan.durationS)}${load ? `, measured ${Math.round(load.durationS)} s` : ''}`,
    ),
    kv('Think-time scale', String(plan.thinkTimeScale)),
    plan.stages.length > 0
      ? { ...kv('Ramp-up', ''), children: stageText(plan.stages) }
      : kv('Ramp-up', 'none (constant VUs)'),
    plan.userTypes.length > 0
      ? {
          ...kv('User Distribution', ''),
          children: plan.userTypes.map((u) => ({ text: `${u.weight}% ${u.name}` })),
        }
      : kv('User Distribution', plan.script ? 'defined by the k6 script' : 'one user type'),
    kv('Target', ctx.record.meta.targetUrl),
    ...(ctx.record.meta.k6Version ? [kv('k6', ctx.record.meta.k6Version)] : []),
  ]
  const pg = ctx.pg
  const maxConns = appValue(ctx.app, 'database.max_conns')
  const poolSize = maxConns.after ?? maxConns.before
  const poolText =
    poolSize !== undefined
      ? `${poolSize} (max_conns from app stats)`
      : ctx.app
        ? 'not reported by the app stats (no database.max_conns)'
        : `not collected (${missingReason(ctx.record.appStats, 'app stats')})`
  const dbItems: ListItem[] = [
    kv(
      'Database',
      pg
        ? `PostgreSQL ${pg.version}`
        : `PostgreSQL: not collected (${missingReason(ctx.record.postgres, 'PostgreSQL')})`,
    ),
  ]
  dbItems[0]!.children = [
    kv('Connection pool', poolText),
    kv('Shared buffers', pg ? (setting(pg, 'shared_buffers') ?? 'not reported') : 'not collected'),
    ...(pg && setting(pg, 'max_connections') ? [kv('max_connections', setting(pg, 'max_connections')!)] : []),
  ]
  const redis = ctx.redis
  const cacheItem: ListItem = {
    ...kv(
      'Cache',
      redis ? `Redis ${redis.version}` : `Redis: not collected (${missingReason(ctx.record.redis, 'Redis')})`,
    ),
    children: redis
      ? [
          kv(
            'Max memory',
            redis.memory.maxmemoryBytes > 0
              ? fmt.bytes(redis.memory.maxmemoryBytes)
              : 'no limit (maxmemory 0)',
          ),
          kv('Eviction policy', redis.memory.policy || 'not reported'),
        ]
      : [kv('Max memory', 'not collected'), kv('Eviction policy', 'not collected')],
  }
  const after = ctx.prom?.runtime.after
  const before = ctx.prom?.runtime.before
  const gomaxprocs = after?.gomaxprocs ?? before?.gomaxprocs
  const memLimit = after?.memoryLimitBytes ?? before?.memoryLimitBytes
  const goVersion = after?.goVersion ?? before?.goVersion
  const backend: ListItem = {
    ...kv(
      'Backend',
      ctx.prom
        ? `Go${goVersion ? ` ${goVersion.replace(/^go/, '')}` : ''} (from Prometheus runtime metrics)`
        : `Go: not collected (${missingReason(ctx.record.prometheus, 'Prometheus')})`,
    ),
    children: ctx.prom
      ? [
          kv(
            'GOMAXPROCS',
            gomaxprocs !== undefined ? String(gomaxprocs) : 'not exposed (no go_sched_gomaxprocs_threads)',
          ),
          kv(
            'Memory limit',
            memLimit !== undefined
              ? memLimit >= 2 ** 62
                ? 'none (GOMEMLIMIT unset)'
                : fmt.bytes(memLimit)
              : 'not exposed (no go_gc_gomemlimit_bytes)',
          ),
          ...(after?.rssBytes !== undefined
            ? [kv('Resident memory after load', fmt.bytes(after.rssBytes))]
            : []),
        ]
      : [kv('GOMAXPROCS', 'not collected'), kv('Memory limit', 'not collected')],
  }
  return section(
    'configuration',
    '1. Test Configuration',
    [],
    [
      section('load-parameters', 'Load Test Parameters', [list(params)]),
      section('system-configuration', 'System Configuration', [list([...dbItems, cacheItem, backend])]),
    ],
  )
}

function k6KeyMetrics(load: LoadPart): string {
  const o = load.overall
  const checks = o.checks.passes + o.checks.fails
  return [
    'Key Metrics:',
    `- http_reqs: ${o.count} (${o.rps.toFixed(1)}/s)`,
    '- http_req_duration:',
    `  - p50: ${o.duration.p50Ms.toFixed(2)}ms`,
    `  - p95: ${o.duration.p95Ms.toFixed(2)}ms`,
    `  - p99: ${o.duration.p99Ms.toFixed(2)}ms`,
    `- http_req_failed: ${(o.errorRate * 100).toFixed(2)}%`,
    `- checks: ${checks > 0 ? ((o.checks.passes / checks) * 100).toFixed(2) : 'n/a'}% passed (${o.checks.passes} of ${checks})`,
  ].join('\n')
}

function deltaCell(rel: number | undefined, verdict: string | undefined): string {
  if (verdict === undefined) return 'n/a'
  return `${rel !== undefined ? fmt.signedPct(rel) + ' ' : ''}${verdictText(verdict)}`
}

export function endpointTable(
  rows: EndpointRow[],
  overall: EndpointRow | undefined,
  hasBaseline: boolean,
): Block {
  const header = ['Endpoint', 'Requests', 'Errors', 'p50', 'p95', 'p99', 'Target (p95)', 'Status']
  if (hasBaseline) header.push('Baseline p95', 'Δ p95')
  const all = overall ? [...rows, overall] : rows
  const cells = all.map((r) => {
    const name: Text = r.name === 'overall' && r === overall ? [strong('overall')] : [codeSpan(r.name)]
    const base: Text[] = [
      name,
      r.count > 0 ? fmt.count(r.count) : '0',
      r.count > 0 ? fmt.pct(r.errorRate, 2) : 'n/a',
      fmt.ms(r.p50Ms),
      fmt.ms(r.p95Ms),
      fmt.ms(r.p99Ms),
      r.target ?? '—',
      statusText(r.status),
    ]
    if (hasBaseline) base.push(fmt.ms(r.baseline?.p95Ms), deltaCell(r.p95RelDelta, r.p95Verdict))
    return base
  })
  return {
    kind: 'table',
    header,
    rows: cells,
    align: header.map((_, i) => (i === 0 || i >= 6 ? 'l' : 'r')),
  }
}

function warmUpLine(w: NonNullable<NonNullable<Ctx['load']>['warmUp']>): string {
  return `Warm-up: ${w.durationS} s of load before the measured run (${w.requestsCount} requests, ${(w.errorRate * 100).toFixed(2)} % errors${w.note ? `; ${w.note}` : ''}), not counted in these results, the SLOs or the comparison.`
}

function baselineMetrics(ctx: Ctx): Section {
  const load = ctx.load
  const k6: Block[] = load
    ? [
        ...(load.partial ? [note(`Partial load: ${sentence(load.partial)}.`)] : []),
        ...(load.warmUp ? [note(warmUpLine(load.warmUp))] : []),
        codeBlock(
          (load.k6Summary.trim()
            ? k6Text(load.k6Summary) + '\n\n'
            : 'k6 printed no end-of-test summary.\n\n') + k6KeyMetrics(load),
        ),
      ]
    : [notCollected(missingReason(ctx.record.load, 'the load test'))]
  const endpointsBlocks: Block[] =
    ctx.endpoints.length > 0 || ctx.overall
      ? [endpointTable(ctx.endpoints, ctx.overall, ctx.hasBaseline)]
      : [notCollected(missingReason(ctx.record.load, 'the load test'))]
  const chart = p95Chart(ctx.endpoints, ctx.hasBaseline)
  if (chart) endpointsBlocks.push({ kind: 'chart', chart })
  if (ctx.hasBaseline && ctx.input.comparison) {
    const others = ctx.input.comparison.rows.filter(
      (r) =>
        r.metric !== 'p95Ms' &&
        (r.verdict === 'regression' || r.verdict === 'improvement' || r.verdict === 'inconclusive'),
    )
    if (others.length > 0)
      endpointsBlocks.push(
        para('Other changes against the baseline:'),
        list(others.map((r) => ({ text: r.message }))),
      )
  }
  const sloRows = ctx.input.slos.filter((s) => s.metric !== 'p95Ms' || s.scope === 'overall')
  if (sloRows.length > 0) {
    endpointsBlocks.push({
      kind: 'table',
      header: ['SLO', 'Target', 'Measured', 'Status'],
      rows: sloRows.map((s) => [
        [codeSpan(s.id)],
        s.target.text,
        s.actual !== undefined ? sloValue(s) : 'n/a',
        statusText(s.status),
      ]),
    })
  }

  const promBlocks: Block[] = []
  const prom = ctx.prom
  if (!prom) promBlocks.push(notCollected(missingReason(ctx.record.prometheus, 'Prometheus')))
  else {
    if (prom.routes.length > 0) {
      const routes = [...prom.routes].sort((a, b) => b.count - a.count)
      promBlocks.push({
        kind: 'table',
        header: [
          'Route',
          'Requests',
          'p50',
          'p95',
          'p99',
          'Statuses',
          ...(ctx.base.prom ? ['Baseline p95', 'Δ p95'] : []),
        ],
        rows: routes.map((r) => {
          const b = ctx.base.prom?.routes.find((x) => x.path === r.path && x.method === r.method)
          return [
            [codeSpan(`${r.method ? r.method + ' ' : ''}${r.path}`)],
            fmt.count(r.count),
            fmt.ms(r.p50Ms),
            fmt.ms(r.p95Ms),
            fmt.ms(r.p99Ms),
            Object.entries(r.statuses)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ') || 'n/a',
            ...(ctx.base.prom ? [fmt.ms(b?.p95Ms), relChange(r.p95Ms, b?.p95Ms)] : []),
          ]
        }),
        align: ['l', 'r', 'r', 'r', 'r', 'l', 'r', 'r'],
      })
    } else promBlocks.push(note('No http_request_duration_seconds series grew during the load.'))
    const slowest = [...prom.routes]
      .filter((r) => r.p95Ms !== undefined)
      .sort((a, b) => b.p95Ms! - a.p95Ms!)[0]
    const rt = prom.runtime
    const d = prom.runtimeDelta
    promBlocks.push(
      para('Key Observations:'),
      list([
        { text: `http_requests_total: ${fmt.count(prom.requestsCount)} over ${prom.intervalS.toFixed(0)} s` },
        {
          text: slowest
            ? `http_request_duration_seconds (p95): ${fmt.ms(slowest.p95Ms)} on the slowest route ${slowest.path}`
            : 'http_request_duration_seconds (p95): no route had observations',
        },
        {
          text: `http_in_flight_requests (max): ${prom.inFlightMax !== undefined ? prom.inFlightMax : 'not exposed'}`,
        },
        {
          text: `goroutines: ${rt.before.goroutines ?? 'n/a'} before, ${rt.goroutinesMax ?? 'n/a'} max, ${rt.after.goroutines ?? 'n/a'} after`,
        },
        {
          text: `CPU: ${d.cpuSeconds !== undefined ? d.cpuSeconds.toFixed(1) + ' s' : 'n/a'}${d.cpuCores !== undefined ? ` (${d.cpuCores.toFixed(2)} cores)` : ''}; GC: ${d.gcCount ?? 'n/a'} cycles, ${d.gcPauseSeconds !== undefined ? fmt.ms(d.gcPauseSeconds * 1000) : 'n/a'} paused; allocated ${fmt.bytes(d.allocatedBytes)}`,
        },
        {
          text: `heap in use ${fmt.bytes(rt.before.heapInuseBytes)} → ${fmt.bytes(rt.after.heapInuseBytes)}; RSS ${fmt.bytes(rt.before.rssBytes)} → ${fmt.bytes(rt.after.rssBytes)}`,
        },
        ...prom.notes.map((n) => ({ text: n })),
      ]),
    )
  }

  return section(
    'metrics',
    '2. Measured Metrics',
    [],
    [
      section('k6', 'Load Test Results (K6)', k6),
      section('endpoints', 'Endpoint-Specific Performance', endpointsBlocks),
      section('prometheus', 'Prometheus Metrics', promBlocks),
      section('resources', 'Resource Utilization', [], [databaseUsage(ctx), cacheUsage(ctx)]),
    ],
  )
}

function sloValue(s: SloResult): string {
  if (s.actual === undefined) return 'n/a'
  if (s.metric === 'errorRate' || s.metric === 'cacheHitRate') return fmt.pct(s.actual, 2)
  if (s.metric === 'rps') return fmt.rps(s.actual)
  return fmt.ms(s.actual)
}

function databaseUsage(ctx: Ctx): Section {
  const app = ctx.app
  const pg = ctx.pg
  const blocks: Block[] = []
  const dbKeys = Object.entries(app?.sources.flatMap((s) => Object.entries(s.values)) ?? []).length
  if (app) {
    const rows: Text[][] = []
    for (const source of app.sources) {
      for (const [key, v] of Object.entries(source.values)) {
        if (!key.startsWith('database.')) continue
        rows.push([[codeSpan(key)], fmtNum(v.before), fmtNum(v.after), fmtNum(v.delta)])
      }
    }
    if (rows.length > 0)
      blocks.push({
        kind: 'table',
        header: ['Pool statistic', 'Before', 'After', 'Delta'],
        rows,
        align: ['l', 'r', 'r', 'r'],
      })
    else blocks.push(note('The app stats had no `database.*` figures.'))
    for (const source of app.sources)
      if (source.error) blocks.push(note(`App stats ${source.url}: ${source.error}`))
  } else
    blocks.push(notCollected(`app stats (pool figures): ${missingReason(ctx.record.appStats, 'app stats')}`))
  void dbKeys

  const maxConns = appValue(app, 'database.max_conns')
  const total = appValue(app, 'database.total_conns')
  const acquired = appValue(app, 'database.acquired_conns')
  const idle = appValue(app, 'database.idle_conns')
  const acqCount = appValue(app, 'database.acquire_count')
  const acqMs = appValue(app, 'database.acquire_duration_ms')
  const pool = maxConns.after ?? maxConns.before
  const peak = pg?.activity?.max.total ?? total.after
  const analysis: ListItem[] = []
  analysis.push({
    text:
      peak !== undefined && pool !== undefined
        ? `Connection pool usage: ${pctOf(peak, pool)} utilized (peak ${peak} of ${pool} connections${pg?.activity ? ', from pg_stat_activity samples' : ''})`
        : peak !== undefined
          ? `Connection pool usage: peak ${peak} connections; the pool size is unknown (no database.max_conns)`
          : 'Connection pool usage: unknown (neither app stats nor PostgreSQL activity samples)',
  })
  analysis.push({
    text:
      acqCount.delta !== undefined && acqMs.delta !== undefined && acqCount.delta > 0
        ? `Average acquire duration: ${fmt.ms(acqMs.delta / acqCount.delta)} over ${fmt.count(acqCount.delta)} acquires`
        : 'Average acquire duration: unknown (no database.acquire_count / acquire_duration_ms growth)',
  })
  const act = pg?.activity
  analysis.push({
    text: act
      ? `Idle vs. active connections: ${act.mean.idle.toFixed(1)} idle : ${act.mean.active.toFixed(1)} active on average (max ${act.max.idle} : ${act.max.active}, ${act.max.idleInTransaction} idle in transaction, ${act.max.waiting} waiting)`
      : idle.after !== undefined && acquired.after !== undefined
        ? `Idle vs. active connections: ${idle.after} idle : ${acquired.after} acquired after the load`
        : 'Idle vs. active connections: unknown (no activity samples or pool figures)',
  })
  if (pg) {
    analysis.push({
      text: `Buffer cache hit ratio: ${fmt.pct(pg.database.cacheHitRatio)}; commits ${fmt.count(pg.database.xactCommitCount)}, rollbacks ${fmt.count(pg.database.xactRollbackCount)}, deadlocks ${pg.database.deadlocksCount}, temp files ${pg.database.tempFilesCount} (${fmt.bytes(pg.database.tempBytes)})`,
    })
  } else
    analysis.push({
      text: `PostgreSQL statistics: not collected (${missingReason(ctx.record.postgres, 'PostgreSQL')})`,
    })
  blocks.push(para([strong('Analysis'), plain(':')]), list(analysis))
  return section('database', 'Database', blocks)
}

function fmtNum(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a'
  return Number.isInteger(v) ? fmt.count(v) : v.toFixed(2)
}

function cacheUsage(ctx: Ctx): Section {
  const redis = ctx.redis
  if (!redis)
    return section('cache', 'Cache (Redis)', [notCollected(missingReason(ctx.record.redis, 'Redis'))])
  const keys = redis.keysPerDb.reduce((s, d) => s + d.keysCount, 0)
  const b = ctx.base.redis
  const blocks: Block[] = [
    {
      kind: 'table',
      header: ['Figure', 'Value', ...(b ? ['Baseline'] : [])],
      rows: [
        ['hit rate', fmt.pct(redis.hitRate), fmt.pct(b?.hitRate)],
        [
          'keyspace hits / misses',
          `${fmt.count(redis.hitsCount)} / ${fmt.count(redis.missesCount)}`,
          `${fmt.count(b?.hitsCount)} / ${fmt.count(b?.missesCount)}`,
        ],
        ['commands', fmt.count(redis.commandsCount), fmt.count(b?.commandsCount)],
        [
          'used memory (peak)',
          `${fmt.bytes(redis.memory.usedBytes)} (${fmt.bytes(redis.memory.peakBytes)})`,
          `${fmt.bytes(b?.memory.usedBytes)} (${fmt.bytes(b?.memory.peakBytes)})`,
        ],
        [
          'fragmentation ratio',
          redis.memory.fragmentationRatio?.toFixed(2) ?? 'n/a',
          b?.memory.fragmentationRatio?.toFixed(2) ?? 'n/a',
        ],
        [
          'evicted / expired keys',
          `${fmt.count(redis.evictedKeysCount)} / ${fmt.count(redis.expiredKeysCount)}`,
          `${fmt.count(b?.evictedKeysCount)} / ${fmt.count(b?.expiredKeysCount)}`,
        ],
        ['connected clients', fmtNum(redis.connectedClientsCount), fmtNum(b?.connectedClientsCount)],
        ...redis.keysPerDb.map((d): Text[] => {
          const bd = b?.keysPerDb.find((x) => x.db === d.db)
          return [
            d.db,
            `${fmt.count(d.keysCount)} keys, ${fmt.count(d.expiresCount)} with TTL`,
            bd ? `${fmt.count(bd.keysCount)} keys, ${fmt.count(bd.expiresCount)} with TTL` : 'n/a',
          ]
        }),
      ].map((row) => (b ? row : row.slice(0, 2))),
      align: ['l', 'r', 'r'],
    },
    para([strong('Analysis'), plain(':')]),
    list([
      {
        text: `Hit rate: ${redis.hitRate !== undefined ? fmt.pct(redis.hitRate) : 'n/a (no lookups during the load)'}`,
      },
      {
        text: `Memory usage: ${fmt.bytes(redis.memory.usedBytes)} / ${redis.memory.maxmemoryBytes > 0 ? fmt.bytes(redis.memory.maxmemoryBytes) : 'no limit'}`,
      },
      { text: `Evictions: ${fmt.count(redis.evictedKeysCount)}` },
      { text: `Keys: ${fmt.count(keys)}` },
      ...redis.notes.map((n) => ({ text: n })),
    ]),
  ]
  return section('cache', 'Cache (Redis)', blocks)
}

// Profiling -------------------------------------------------------------------------------------

/** Why a profile kind has no top table: the analysis's note on it, else why the collector lacks it. */
function profileMissing(ctx: Ctx, kinds: ProfileKind[]): string {
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
function topOf(ctx: Ctx, kinds: ProfileKind[]): ProfileTop | undefined {
  const tops = dataOf(ctx.analysis?.profiles)?.tops ?? []
  for (const k of kinds) {
    const t = tops.find((x) => x.kind === k)
    if (t) return t
  }
  return undefined
}

function profileRow(r: ProfileTopRow, what: string): ListItem {
  return {
    text: [codeSpan(r.name), plain(` - ${r.flatPct.toFixed(1)}% ${what} flat, ${r.cumPct.toFixed(1)}% cum`)],
    checked: false,
  }
}

function cpuProfile(ctx: Ctx): Section {
  const top = topOf(ctx, ['cpu'])
  if (!top) return section('cpu', 'CPU Profile', [notCollected(profileMissing(ctx, ['cpu']))])
  const over5 = top.rows.filter((r) => r.flatPct > 5)
  const hot = findingsOf(ctx, 'cpu-hotspot')
  const keyItems: ListItem[] =
    hot.length > 0
      ? hot.map((f) => ({
          ...findingItem(f, false),
          text: [strong(f.title), plain(` - ${impactText(f)}: ${f.detail}`)],
        }))
      : (over5.length > 0 ? over5 : top.rows.slice(0, 3)).slice(0, 5).map((r) => profileRow(r, 'CPU'))
  // The application's own functions, as the analysis ranks them (own CPU time first).
  const app = top.application.slice(0, 5)
  const diff = dataOf(ctx.analysis?.diff)?.find((d) => d.kind === 'cpu')
  return section('cpu', 'CPU Profile', [
    para([
      strong('Top CPU Consumers'),
      plain(` (>5% CPU time: ${over5.length} function${over5.length === 1 ? '' : 's'}):`),
    ]),
    codeBlock(top.text),
    para([strong('Key Findings'), plain(':')]),
    keyItems.length > 0 ? list(keyItems) : note('The CPU profile has no samples.'),
    para([strong('Hot Paths'), plain(' (application functions by own CPU time):')]),
    app.length > 0
      ? list(app.map((r) => profileRow(r, 'CPU')))
      : note('No application function in the CPU profile (only runtime, standard library and libraries).'),
    ...(diff && diff.rows.length > 0
      ? [
          para([strong('Against the baseline'), plain(' (CPU share grew most):')]),
          list(
            diff.rows.slice(0, 5).map((r) => ({
              text: [
                codeSpan(r.name),
                plain(
                  `: ${r.basePct.toFixed(1)}% → ${r.currentPct.toFixed(1)}% (${r.deltaPct >= 0 ? '+' : '−'}${Math.abs(r.deltaPct).toFixed(1)} points)`,
                ),
              ],
            })),
          ),
        ]
      : []),
  ])
}

function memoryProfile(ctx: Ctx): Section {
  const heap = topOf(ctx, ['heap'])
  const allocs = topOf(ctx, ['allocs'])
  if (!heap && !allocs)
    return section('memory', 'Memory Profile', [notCollected(profileMissing(ctx, ['heap', 'allocs']))])
  const shown = (heap ?? allocs)!
  const allocRows = allocs
    ? (allocs.application.length > 0 ? allocs.application : allocs.rows).slice(0, 3)
    : []
  const total = (t: ProfileTop | undefined) => (t ? formatProfileValue(t.total, t.sampleUnit) : 'n/a')
  return section('memory', 'Memory Profile', [
    para([strong('Top Memory Allocators'), plain(` (${shown.sampleType}):`)]),
    codeBlock(shown.text),
    para([strong('Key Findings'), plain(':')]),
    list([
      {
        text: `Total heap allocation: ${total(allocs)} allocated since start, ${total(heap)} in use`,
      },
      {
        text: `Major allocators (${allocs?.sampleType ?? 'allocated space'}):`,
        children: allocRows.length
          ? allocRows.map((r) => ({
              text: [codeSpan(r.name), plain(`: ${r.flatText} (${r.flatPct.toFixed(1)}%)`)],
              checked: false,
            }))
          : [
              {
                text: allocs
                  ? 'none in the profile'
                  : `no allocs profile: ${profileMissing(ctx, ['allocs'])}`,
              },
            ],
      },
      ...findingsOf(ctx, 'allocation-hotspot').map((f) => findingItem(f, false)),
    ]),
  ])
}

function goroutineProfile(ctx: Ctx): Section {
  const g = dataOf(ctx.analysis?.goroutines)
  const top = topOf(ctx, ['goroutine_after'])
  if (!g && !top)
    return section('goroutines', 'Goroutine Profile', [
      notCollected(
        ctx.analysis?.goroutines && isUnavailable(ctx.analysis.goroutines)
          ? sentence(ctx.analysis.goroutines.unavailable)
          : profileMissing(ctx, ['goroutine_after', 'goroutine_during', 'goroutine_before']),
      ),
    ])
  const leaks = findingsOf(ctx, 'goroutine-leak')
  const stacks = g?.topStacks ?? []
  const count = (n: number | undefined) => (n !== undefined ? String(n) : 'n/a')
  // Where goroutines wait: the analysis's stacks, else the top table's non-runtime functions.
  const waiting = (
    stacks.length > 0
      ? stacks.map((s) => ({ name: s.waitingIn, count: `${s.count} goroutine${s.count === 1 ? '' : 's'}` }))
      : (top?.rows ?? [])
          .filter((r) => !r.name.startsWith('runtime.') && r.cum > 0)
          .sort((a, b) => b.cum - a.cum)
          .map((r) => ({ name: r.name, count: r.cumText }))
  ).slice(0, 3)
  const blocks: Block[] = [
    para([
      strong('Goroutine Count'),
      plain(
        g
          ? `: ${count(g.before)} before the load, ${count(g.during)} during, ${count(g.after)} after the cool-down`
          : `: ${top!.total} after the load`,
      ),
    ]),
    top ? codeBlock(top.text) : note(`No goroutine top table: ${profileMissing(ctx, ['goroutine_after'])}.`),
    para([strong('Analysis'), plain(':')]),
    list([
      {
        text: `Expected goroutine count: ${count(g?.before)} before the load${g?.threshold !== undefined ? `; growth above ${g.threshold} counts as a leak` : ''}`,
        checked: true,
      },
      {
        text:
          leaks.length > 0
            ? `Potential leaks: YES - ${leaks.map((f) => `${f.title} (${f.detail})`).join('; ')}`
            : g
              ? `Potential leaks: ${g.leakSuspected ? 'YES' : 'NO'} - ${sentence(g.reason)}`
              : 'Potential leaks: not judged (no goroutine analysis)',
        checked: leaks.length === 0 && !g?.leakSuspected,
      },
      {
        text: [
          plain('Blocking operations: '),
          ...(waiting.length
            ? waiting.flatMap((w, i) => [
                ...(i ? [plain(', ')] : []),
                codeSpan(w.name),
                plain(` (${w.count})`),
              ])
            : [plain('none outside the runtime')]),
        ],
        checked: false,
      },
    ]),
  ]
  if (stacks.length > 0)
    blocks.push({
      kind: 'table',
      header: ['Goroutines', 'Waiting in', 'Started as', 'Endpoint', 'Started at'],
      rows: stacks.map((s) => [
        String(s.count),
        [codeSpan(s.waitingIn)],
        [codeSpan(s.entry)],
        s.endpoint ? [codeSpan(s.endpoint), plain(s.endpointBasis ? ` (${s.endpointBasis})` : '')] : 'n/a',
        s.location ? [codeSpan(s.location)] : 'not found',
      ]),
      align: ['r', 'l', 'l', 'l', 'l'],
    })
  return section('goroutines', 'Goroutine Profile', blocks)
}

function contentionProfile(ctx: Ctx): Section {
  const tops = (['block', 'mutex'] as const).map((k) => topOf(ctx, [k])).filter((t) => t !== undefined)
  const data = dataOf(ctx.analysis?.contention) ?? []
  if (tops.length === 0 && data.length === 0)
    return section('block', 'Block Profile', [notCollected(profileMissing(ctx, ['block', 'mutex']))])
  const findings = findingsOf(ctx, 'contention')
  const blocks: Block[] = [
    para([strong('Lock Contention'), plain(':')]),
    ...tops.map((t) => codeBlock(t.text)),
  ]
  for (const c of data) {
    if (c.sites.length === 0) continue
    blocks.push(
      para(
        `${c.kind} profile: ${c.totalDelayText} waited over ${fmt.count(c.totalContentions)} contentions; the sites:`,
      ),
      {
        kind: 'table',
        header: ['Function', 'Blocked in', 'Delay', 'Contentions', 'Share', 'Location'],
        rows: c.sites
          .slice(0, 5)
          .map((s) => [
            [codeSpan(s.function)],
            [codeSpan(s.blockedIn)],
            s.delayText,
            fmt.count(s.contentions),
            fmt.pct(s.share),
            s.location ? [codeSpan(s.location)] : 'not found',
          ]),
        align: ['l', 'l', 'r', 'r', 'r', 'l'],
      },
    )
  }
  blocks.push(
    para([strong('Key Findings'), plain(':')]),
    findings.length > 0
      ? list(findings.map((f) => findingItem(f, false)))
      : note('No application lock stood out (lock waits under 1 ms or 5% of the lock delay).'),
  )
  return section('block', 'Block Profile', blocks)
}

function profiling(ctx: Ctx): Section {
  return section(
    'profiling',
    '3. Profiling Analysis',
    [],
    [cpuProfile(ctx), memoryProfile(ctx), goroutineProfile(ctx), contentionProfile(ctx)],
  )
}

// Bottlenecks ----------------------------------------------------------------------------------

/** Why an analysis section is missing: no analysis, the collector's own reason, or the analysis's. */
function analysisMissing(ctx: Ctx, part: Part<unknown> | undefined, collector?: Part<unknown>): string {
  if (!ctx.analysis || part === undefined) return NO_ANALYSIS
  if (collector !== undefined && isUnavailable(collector)) return sentence(collector.unavailable)
  if (isUnavailable(part)) return sentence(part.unavailable)
  return 'the analysis has no data for it'
}

function queryType(query: string): string {
  const m = /^\s*(?:with\b[\s\S]*?\)\s*)?([a-z]+)/i.exec(query)
  return (m?.[1] ?? 'other').toUpperCase()
}

function slowQueriesSection(ctx: Ctx): Section {
  const slow = dataOf(ctx.analysis?.slowQueries)
  if (!slow)
    return section('slow-queries', 'Slow Queries (>10ms)', [
      notCollected(analysisMissing(ctx, ctx.analysis?.slowQueries, ctx.record.postgres)),
    ])
  const issues = findingsOf(ctx, 'slow-query', 'missing-index', 'n-plus-one')
  const issueOf = (q: SlowQuery): string => {
    const parts = issues.filter((f) => String(f.evidence?.queryid ?? '') === q.queryid).map((f) => f.title)
    if (q.seqScans?.length) parts.push(`Sequential scan on ${q.seqScans.join(', ')}`)
    return parts.join('; ') || 'none found'
  }
  const blocks: Block[] = []
  if (slow.length === 0)
    blocks.push(note('No statement averaged over 10 ms or stood out by total time during the load.'))
  else
    blocks.push({
      kind: 'table',
      header: [
        'Query',
        'Duration (mean)',
        'Count',
        'Total',
        'DB time',
        'Type',
        'Issue',
        'Location',
        ...(ctx.base.pg ? ['Baseline mean', 'Δ mean'] : []),
      ],
      rows: slow.map((q) => {
        const b = ctx.base.pg?.statements.find((x) => x.queryid === q.queryid)
        return [
          [codeSpan(q.query)],
          fmt.ms(q.meanMs),
          fmt.count(q.calls),
          fmt.ms(q.totalMs),
          fmt.pct(q.share),
          queryType(q.query),
          issueOf(q),
          q.location ? [codeSpan(q.location)] : 'not found',
          ...(ctx.base.pg
            ? [b ? fmt.ms(b.meanExecMs) : 'not in baseline', relChange(q.meanMs, b?.meanExecMs)]
            : []),
        ]
      }),
      align: ['l', 'r', 'r', 'r', 'r', 'l', 'l', 'l', 'r', 'r'],
    })
  return section('slow-queries', 'Slow Queries (>10ms)', blocks)
}

function nPlusOneSection(ctx: Ctx): Section {
  const n1 = dataOf(ctx.analysis?.nPlusOne)
  const pg = ctx.pg
  if (!n1)
    return section('n-plus-one', 'N+1 Query Patterns', [
      notCollected(analysisMissing(ctx, ctx.analysis?.nPlusOne, ctx.record.postgres)),
    ])
  const blocks: Block[] = [
    n1.length > 0
      ? list(
          n1.map((n, i) => ({
            text: [
              strong(`Pattern ${i + 1}`),
              plain(
                `: ${n.endpoint} runs one statement ${n.perRequest} times per request (${n.statementsPerRequest} statements per request in all)`,
              ),
            ],
            checked: false,
            children: [
              kv('Statement', [codeSpan(n.query)]),
              kv('Location', n.location ? [codeSpan(n.location)] : 'not found in the repository'),
              kv(
                'Impact',
                `${n.perRequest} queries per request, ${fmt.pct(n.shareOfEndpointDbTime)} of ${n.endpoint}'s ${n.shareBasis === 'queries' ? 'queries' : 'database time'} per request` +
                  (n.shareOfDbTime !== undefined ? `, ${fmt.pct(n.shareOfDbTime)} of all database time` : ''),
              ),
              kv('Solution', n.fix),
            ],
          })),
        )
      : note(
          pg && pg.attribution.length > 0
            ? 'No N+1 pattern: no statement ran repeatedly per request in the attribution probe.'
            : 'No N+1 pattern found (the attribution probe did not run).',
        ),
  ]
  if (pg && pg.attribution.length > 0) {
    // Beside each figure, its baseline and verdict when there is a baseline (compare/run-level.ts).
    const rows = ctx.hasBaseline ? (ctx.input.comparison?.rows ?? []) : []
    const versus = (endpoint: string, metric: string, format: (v: number | undefined) => string) => {
      const row = rows.find((r) => r.endpoint === endpoint && r.metric === metric)
      return row ? [format(row.baseline), deltaCell(row.relDelta, row.verdict)] : []
    }
    const withBaseline = rows.some((r) => r.metric === 'statementsPerRequest' && r.scope === 'endpoint')
    const count = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1))
    blocks.push({
      kind: 'table',
      header: [
        'Endpoint',
        'Request',
        'Statements / request',
        ...(withBaseline ? ['Baseline', 'Δ'] : []),
        'DB time / request',
        ...(withBaseline ? ['Baseline', 'Δ'] : []),
      ],
      rows: pg.attribution.map((a) => {
        const pad = (cells: string[]) => (withBaseline && cells.length === 0 ? ['—', '—'] : cells)
        return [
          [codeSpan(a.endpoint)],
          [codeSpan(`${a.method} ${a.path}`)],
          a.statementsPerRequest.toFixed(1),
          ...pad(versus(a.endpoint, 'statementsPerRequest', count)),
          fmt.ms(a.dbTimeMsPerRequest),
          ...pad(versus(a.endpoint, 'dbTimeMsPerRequest', fmt.ms)),
        ]
      }),
      align: [
        'l',
        'l',
        'r',
        ...(withBaseline ? (['r', 'l'] as const) : []),
        'r',
        ...(withBaseline ? (['r', 'l'] as const) : []),
      ],
    })
  }
  if (pg && pg.attributionSkipped.length > 0)
    blocks.push(list(pg.attributionSkipped.map((s) => ({ text: `${s.endpoint} not probed: ${s.reason}` }))))
  return section('n-plus-one', 'N+1 Query Patterns', blocks)
}

function indexesSection(ctx: Ctx): Section {
  const indexes = dataOf(ctx.analysis?.indexes)
  if (!indexes)
    return section('missing-indexes', 'Missing Indexes', [
      notCollected(analysisMissing(ctx, ctx.analysis?.indexes, ctx.record.postgres)),
    ])
  const idx = findingsOf(ctx, 'missing-index')
  const scans = (ix: IndexSuggestion) =>
    ix.seqScans !== undefined
      ? `${fmt.count(ix.seqScans)} seq / ${fmt.count(ix.idxScans ?? 0)} index scans, ${fmt.count(ix.rows)} rows`
      : 'n/a'
  return section('missing-indexes', 'Missing Indexes', [
    indexes.length > 0
      ? {
          kind: 'table',
          header: ['Table', 'Columns', 'Why', 'DB time', 'Scans'],
          rows: indexes.map((ix) => [
            [codeSpan(ix.table)],
            ix.columns.join(', ') || 'n/a',
            ix.source === 'plan' && ix.filter
              ? [plain('plan filter '), codeSpan(ix.filter), plain(ix.note ? ` (${ix.note})` : '')]
              : `table scan counts${ix.note ? ` (${ix.note})` : ''}`,
            fmt.pct(ix.share),
            scans(ix),
          ]),
          align: ['l', 'l', 'l', 'r', 'l'],
        }
      : note(
          'No missing index: no query plan had a sequential scan on a large table with an indexable filter.',
        ),
    para([strong('Recommended Indexes'), plain(':')]),
    idx.length > 0
      ? list(idx.map((f) => ({ text: [codeSpan(f.fix), plain(` - ${f.title}`)], checked: false })))
      : indexes.some((ix) => ix.statement)
        ? list(
            indexes
              .filter((ix) => ix.statement)
              .map((ix) => ({ text: [codeSpan(ix.statement)], checked: false })),
          )
        : note('None: no index suggestion in this run.'),
  ])
}

function cachingSection(ctx: Ctx): Section {
  const cache = dataOf(ctx.analysis?.cache)
  if (!cache)
    return section('caching', '4.2 Caching Issues', [
      notCollected(analysisMissing(ctx, ctx.analysis?.cache, ctx.record.redis)),
    ])
  const cacheF = findingsOf(ctx, 'cache')
  const noTtl = cache.prefixes.filter((p) => p.noTtl > 0 && p.keys > 0)
  const blocks: Block[] = [
    para([
      strong('Cache Hit Rate'),
      plain(
        `: ${cache.hitRate !== undefined ? fmt.pct(cache.hitRate) : 'n/a (no lookups during the load)'} (target ${fmt.pct(cache.target, 0)}; ${fmt.count(cache.hits)} hits, ${fmt.count(cache.misses)} misses)`,
      ),
    ]),
    para([strong('Analysis'), plain(':')]),
    list([
      ...cacheF.map((f) => findingItem(f, false)),
      {
        text: `Cache evictions: ${cache.evictions > 0 ? 'HIGH' : 'LOW'} (${fmt.count(cache.evictions)} evicted, ${fmt.count(cache.expired)} expired during the load; policy ${cache.policy || 'not reported'})`,
        checked: cache.evictions === 0,
      },
      {
        text:
          noTtl.length > 0
            ? `TTL optimization needed: ${noTtl.map((p) => `${p.prefix} (${p.noTtl} keys without TTL)`).join(', ')}`
            : 'TTL optimization needed: no key prefix without a TTL in the sample',
        checked: noTtl.length === 0,
      },
    ]),
  ]
  if (cache.prefixes.length > 0)
    blocks.push({
      kind: 'table',
      header: ['Key prefix', 'Keys sampled', 'No TTL', 'TTL < 1 min'],
      rows: cache.prefixes.map((p) => [
        [codeSpan(p.prefix)],
        fmt.count(p.keys),
        fmt.count(p.noTtl),
        fmt.count(p.shortTtl),
      ]),
      align: ['l', 'r', 'r', 'r'],
    })
  blocks.push(
    para([strong('Recommendations'), plain(':')]),
    cacheF.length > 0
      ? list(cacheF.map((f) => ({ text: f.fix, checked: false })))
      : note('None: the hit rate met its target, nothing was evicted and every sampled prefix has a TTL.'),
  )
  return section('caching', '4.2 Caching Issues', blocks)
}

function dependenciesSection(ctx: Ctx): Section {
  const deps = dataOf(ctx.analysis?.dependencies)
  if (!deps)
    return section('dependencies', '4.3 External Dependencies', [
      notCollected(analysisMissing(ctx, ctx.analysis?.dependencies, ctx.record.prometheus)),
    ])
  const depF = findingsOf(ctx, 'external-dependency')
  const findingOf = (name: string) =>
    depF.find((f) => f.evidence?.name === name || f.evidence?.dependency === name || f.title.includes(name))
  const blocks: Block[] =
    deps.length === 0
      ? [note('No dependency histogram grew during the load (declare them under collectors.dependencies).')]
      : [
          para([strong('API Call Latency'), plain(':')]),
          {
            kind: 'table',
            header: ['Service', 'p50', 'p95', 'Mean', 'Count', 'Impact'],
            rows: deps.map((d) => {
              const f = findingOf(d.name)
              return [
                [codeSpan(d.name)],
                fmt.ms(d.p50Ms),
                fmt.ms(d.p95Ms),
                fmt.ms(d.meanMs),
                fmt.count(d.count),
                f ? `${f.title} (${impactText(f)})` : d.slow ? 'slow (p95 over 100 ms)' : 'within limits',
              ]
            }),
            align: ['l', 'r', 'r', 'r', 'r', 'l'],
          },
        ]
  if (depF.length > 0) blocks.push(list(depF.map((f) => findingItem(f))))
  return section('dependencies', '4.3 External Dependencies', blocks)
}

function applicationSection(ctx: Ctx): Section {
  const areas = dataOf(ctx.analysis?.areas)
  const areaF = findingsOf(ctx, 'bottleneck-area')
  const blocks: Block[] = []
  if (areas && areas.length > 0) {
    const cpu = areas.find((a) => a.kind === 'cpu')
    const allocs = areas.find((a) => a.kind === 'allocs')
    const names = [...new Set(areas.flatMap((a) => a.shares.map((s) => s.area)))]
    const share = (b: typeof cpu, area: string) => {
      const s = b?.shares.find((x) => x.area === area)
      return s ? fmt.pct(s.share) : b ? '0.0%' : 'n/a'
    }
    blocks.push({
      kind: 'table',
      header: ['Area', 'CPU', 'Allocated bytes'],
      rows: names.map((n) => [n, share(cpu, n), share(allocs, n)]),
      align: ['l', 'r', 'r'],
    })
  }
  blocks.push(
    areaF.length > 0
      ? list(
          areaF.map((f) => ({
            text: [strong(f.title), plain(`: ${f.detail} (${impactText(f)})`)],
            checked: false,
          })),
        )
      : areas?.some((a) => a.kind === 'cpu')
        ? note('No application area (JSON, middleware, driver, GC, syscalls) took 15% or more of the CPU.')
        : areas
          ? note(`No CPU breakdown, so no CPU bottleneck judged: ${sentence(profileMissing(ctx, ['cpu']))}.`)
          : notCollected(analysisMissing(ctx, ctx.analysis?.areas, ctx.record.profiles)),
  )
  return section('application', '4.4 Application Bottlenecks', blocks)
}

function bottlenecks(ctx: Ctx): Section {
  return section(
    'bottlenecks',
    '4. Bottleneck Analysis',
    [],
    [
      section(
        'database-queries',
        '4.1 Database Queries',
        [],
        [slowQueriesSection(ctx), nPlusOneSection(ctx), indexesSection(ctx)],
      ),
      cachingSection(ctx),
      dependenciesSection(ctx),
      applicationSection(ctx),
    ],
  )
}

function recommendations(ctx: Ctx): Section {
  const byTier = findingsByTier(ctx.findings)
  return section(
    'recommendations',
    '5. Optimization Recommendations',
    ctx.findings.length === 0
      ? [
          note(
            ctx.analysis
              ? 'No findings in this run, so no recommendations: every collected signal was within its thresholds.'
              : `No findings: ${NO_ANALYSIS}.`,
          ),
        ]
      : [],
    ([1, 2, 3, 4] as const).map((tier) => {
      const fs = byTier[tier]
      return section(
        `priority-${tier}`,
        TIER_TITLES[tier],
        fs.length === 0
          ? [note(`No priority ${tier} findings in this run.`)]
          : [
              list(
                fs.map((f) => ({
                  text: [strong(f.title)],
                  children: [
                    kv('Issue', f.detail),
                    kv('Impact', impactText(f)),
                    kv('Effort', f.effort.toUpperCase()),
                    kv('Implementation', f.fix),
                    ...(f.location ? [kv('Location', [codeSpan(f.location)])] : []),
                    ...(f.endpoint ? [kv('Endpoint', [codeSpan(f.endpoint)])] : []),
                  ],
                })),
                true,
              ),
            ],
      )
    }),
  )
}

/** Characters a code span from the analysis helpers' texts may hold (SQL, names); others stay plain. */
const SAFE_CODE = /^[\w\s.,:;=()$*'"+\-/[\]{}]+$/

/** Text with `code` spans (the analysis helpers' item texts) as spans; the renderer escapes both. */
function withCode(text: string): Span[] {
  return text.split(/(`[^`\n]+`)/).flatMap((part) => {
    if (part === '') return []
    const inner = part.slice(1, -1)
    return /^`[^`\n]+`$/.test(part) && SAFE_CODE.test(inner) ? [codeSpan(inner)] : [plain(part)]
  })
}

function implementationPlanSection(ctx: Ctx): Section {
  const phases = implementationPlan(ctx.findings)
  const blocks: Block[] =
    ctx.findings.length === 0
      ? [
          note(
            ctx.analysis
              ? 'Nothing to change: no findings in this run; re-profile after the next change.'
              : `Nothing planned: ${NO_ANALYSIS}.`,
          ),
        ]
      : []
  return section(
    'implementation-plan',
    '6. Implementation Plan',
    blocks,
    phases.map((p, i) =>
      section(`phase-${i + 1}`, p.title, [
        list(
          p.items.map((item) => {
            const f = item.finding !== undefined ? ctx.findings[item.finding] : undefined
            return {
              text: [
                ...withCode(item.text),
                ...(f ? [plain(' '), { text: `(priority ${f.tier}, effort ${f.effort})`, em: true }] : []),
              ],
              checked: false,
              // What to do, unless the item already says it (an index statement).
              ...(f && f.kind !== 'missing-index' ? { children: [{ text: f.fix }] } : {}),
            }
          }),
        ),
      ]),
    ),
  )
}

function successCriteriaSection(ctx: Ctx): Section {
  const targets: ListItem[] = ctx.input.slos.map((s) => ({
    text:
      s.status === 'no-data'
        ? `${s.id} ${s.target.text}: no data (${s.message.replace(/^.*no data \(/, '').replace(/\)$/, '')})`
        : `${criterionName(s)} ${s.target.text} (measured ${sloValue(s)})`,
    checked: s.status === 'pass',
  }))
  // The SLO targets are listed above with their measurements; the analysis adds one per finding.
  const fixed = successCriteria(ctx.findings, ctx.record.plan.slos).filter((c) => c.finding !== undefined)
  return section(
    'success-criteria',
    '7. Success Criteria',
    [],
    [
      section('targets', 'Performance Targets', [
        targets.length > 0 ? list(targets) : note('No SLO targets configured (perfgate.yml `slos`).'),
        ...(fixed.length > 0
          ? [
              para([strong('Each finding fixed'), plain(':')]),
              list(fixed.map((c) => ({ text: withCode(c.text), checked: false }))),
            ]
          : []),
      ]),
      section('validation', 'Validation Steps', [
        list(
          [
            { text: 'Run same load test scenario (perfgate does this on every push)' },
            {
              text: `Compare p95 latencies (${ctx.hasBaseline ? 'done: see the Δ p95 column' : 'no baseline yet: this run can become it'})`,
            },
            {
              text: `Check error rates (${ctx.overall ? fmt.pct(ctx.overall.errorRate, 2) : 'n/a'} in this run)`,
            },
            { text: 'Verify resource utilization (section 2, Resource Utilization)' },
            { text: 'Document improvements (this report, kept as an artifact)' },
          ],
          true,
        ),
      ]),
    ],
  )
}

function criterionName(s: SloResult): string {
  const label: Record<string, string> = {
    p50Ms: 'p50',
    p95Ms: 'p95',
    p99Ms: 'p99',
    errorRate: 'error rate',
    rps: 'throughput',
    cacheHitRate: 'cache hit rate',
  }
  if (s.metric === 'cacheHitRate') return 'Cache hit rate'
  return `${s.endpoint ?? 'Overall'} ${label[s.metric] ?? s.metric}`
}

function notes(ctx: Ctx): Section {
  const unexpected: string[] = []
  const load = ctx.load
  if (load?.partial) unexpected.push(`The load did not finish: ${load.partial}`)
  if (load && load.k6ExitCode !== 0)
    unexpected.push(
      `k6 exited with code ${load.k6ExitCode}${load.thresholdsCrossed ? ' (the script’s own thresholds were crossed)' : ''}`,
    )
  if (load?.malformedLines) unexpected.push(`${load.malformedLines} k6 output lines could not be read`)
  for (const ep of load?.endpoints ?? []) {
    const non2xx = Object.entries(ep.statuses).filter(([code]) => !code.startsWith('2'))
    if (non2xx.length > 0 && ep.errorRate > 0)
      unexpected.push(`${ep.name} answered ${non2xx.map(([c, n]) => `${n}× ${c}`).join(', ')}`)
  }
  for (const f of findingsOf(ctx, 'other', 'goroutine-leak')) unexpected.push(`${f.title}: ${f.detail}`)
  for (const n of ctx.analysis?.notes ?? []) unexpected.push(`Analysis: ${n}`)
  unexpected.push(...(ctx.input.comparison?.notes ?? []))
  for (const [name, part] of [
    ['Prometheus', ctx.prom],
    ['PostgreSQL', ctx.pg],
    ['Redis', ctx.redis],
  ] as const)
    for (const n of part?.notes ?? []) unexpected.push(`${name}: ${n}`)
  if (ctx.pg?.explainNote) unexpected.push(`PostgreSQL: ${ctx.pg.explainNote}`)

  const questions: string[] = []
  for (const s of ctx.input.slos.filter((x) => x.status === 'no-data'))
    questions.push(`${s.message}${s.hint ? `: ${s.hint}` : ''}`)
  for (const r of ctx.input.comparison?.rows.filter((x) => x.verdict === 'inconclusive') ?? [])
    questions.push(`Is this real? ${r.message}`)
  for (const s of ctx.pg?.attributionSkipped ?? [])
    questions.push(`Why was ${s.endpoint} not probed? ${s.reason}`)
  if (!ctx.analysis) questions.push(`What would the analysis find? ${NO_ANALYSIS}`)
  const collectors: [string, Part<unknown> | undefined, string][] = [
    ['Prometheus metrics', ctx.record.prometheus, 'metrics-url'],
    ['PostgreSQL statistics', ctx.record.postgres, 'database-url'],
    ['Redis statistics', ctx.record.redis, 'redis-url'],
    ['app stats', ctx.record.appStats, 'app-stats-urls'],
    ['pprof profiles', ctx.record.profiles, 'pprof-url'],
  ]
  for (const [name, part, input] of collectors)
    if (!dataOf(part)) questions.push(`Can ${name} be collected (${input})? ${missingReason(part, name)}`)

  const follow: string[] = []
  for (const s of ctx.input.slos.filter((x) => x.status === 'fail'))
    follow.push(`${s.message}${s.hint ? ` - ${s.hint}` : ''}`)
  for (const r of ctx.input.gate.regressions) follow.push(`Investigate the regression: ${r}`)
  for (const f of ctx.findings.filter((x) => x.tier === 1)) follow.push(`${f.title}: ${f.fix}`)

  const box = (lines: string[], empty: string, checked?: boolean): Block =>
    lines.length > 0
      ? list(lines.map((text) => ({ text, ...(checked !== undefined ? { checked } : {}) })))
      : note(empty)
  return section(
    'notes',
    '8. Notes and Observations',
    [],
    [
      section('unexpected', 'Unexpected Findings', [
        box(unexpected, 'None: the run went as planned and every collector reported cleanly.'),
      ]),
      section('questions', 'Questions for Further Investigation', [
        box(questions, 'None: every SLO had data and no comparison was inconclusive.', false),
      ]),
      section('follow-up', 'Follow-up Actions', [
        box(follow, 'None: no SLO failed, no regression, no critical finding.', false),
      ]),
    ],
  )
}

/** An EXPLAIN output: FORMAT JSON pretty-printed, text plans as they are. */
function planBlock(text: string): Block {
  try {
    return codeBlock(JSON.stringify(JSON.parse(text), null, 2), 'json')
  } catch {
    return codeBlock(text.trim())
  }
}

/** k6's summary without its leading blank lines, indentation kept. */
function k6Text(summary: string): string {
  return summary.replace(/^(\s*\n)+/, '').trimEnd()
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

function appendix(ctx: Ctx): Section {
  const load = ctx.load
  const k6 = load
    ? load.k6Summary.trim()
      ? [codeBlock(k6Text(load.k6Summary))]
      : [note('k6 printed no end-of-test summary.')]
    : [notCollected(missingReason(ctx.record.load, 'the load test'))]
  const dbParts: Block[] = []
  if (ctx.app) {
    const values = Object.fromEntries(ctx.app.sources.map((s) => [s.url, s.values]))
    dbParts.push(para('App stats (before / after / delta):'), codeBlock(json(values), 'json'))
  }
  if (ctx.pg) {
    dbParts.push(
      para('PostgreSQL (deltas over the load):'),
      codeBlock(
        json({
          version: ctx.pg.version,
          settings: ctx.pg.settings,
          database: ctx.pg.database,
          activity: ctx.pg.activity,
          tables: ctx.pg.tables,
          statementsTracked: ctx.pg.statementsTracked,
          statements: ctx.pg.statements,
        }),
        'json',
      ),
    )
  }
  if (dbParts.length === 0)
    dbParts.push(
      notCollected(
        `${missingReason(ctx.record.postgres, 'PostgreSQL')}; app stats: ${missingReason(ctx.record.appStats, 'app stats')}`,
      ),
    )
  const cache = ctx.redis
    ? [codeBlock(json({ ...ctx.redis, files: undefined }), 'json')]
    : [notCollected(missingReason(ctx.record.redis, 'Redis'))]
  const plans: Block[] = []
  if (!ctx.pg) plans.push(notCollected(missingReason(ctx.record.postgres, 'PostgreSQL')))
  else if (ctx.pg.explains.length === 0)
    plans.push(
      note(
        ctx.pg.explainNote
          ? `No query plans: ${sentence(ctx.pg.explainNote)}.`
          : 'No query plans: no statement was slow enough to explain.',
      ),
    )
  else {
    for (const ex of ctx.pg.explains) {
      const st = ctx.pg.statements.find((s) => s.queryid === ex.queryid)
      const planText = ctx.input.explainPlans?.[ex.queryid]
      const summary = ex.error
        ? `-- EXPLAIN failed: ${ex.error}`
        : `-- plan root: ${ex.nodeType ?? 'n/a'}, estimated cost ${ex.totalCost ?? 'n/a'}${ex.seqScans?.length ? `, sequential scans on ${ex.seqScans.join(', ')}` : ''}${ex.file ? `\n-- full plan: ${ex.file}` : ''}`
      plans.push(
        para([
          plain('Query '),
          codeSpan(ex.queryid),
          plain(st ? ` (${fmt.count(st.calls)} calls, mean ${fmt.ms(st.meanExecMs)}):` : ':'),
        ]),
        codeBlock(`EXPLAIN (GENERIC_PLAN) ${st?.query ?? `-- query ${ex.queryid}`};\n\n${summary}`, 'sql'),
        ...(planText ? [planBlock(planText)] : []),
      )
    }
  }
  return section(
    'appendix',
    'Appendix',
    [],
    [
      section('appendix-k6', 'A. Full K6 Output', k6),
      section('appendix-db', 'B. Database Statistics', dbParts),
      section('appendix-cache', 'C. Cache Statistics', cache),
      section('appendix-plans', 'D. Query Plan Examples', plans),
    ],
  )
}

// ---------------------------------------------------------------------------------------------

/**
 * buildReportModel computes every row, verdict and section of the report from the record, its
 * findings, the SLO rows, the comparison and the gate. Pure; does not modify its input.
 */
export function buildReportModel(input: ReportInput): ReportModel {
  const record = input.record
  const load = dataOf(record.load)
  const comparison = input.comparison
  const hasBaseline =
    Boolean(comparison?.baselineFound && input.baseline !== undefined) || Boolean(comparison?.baselineFound)
  const endpoints = endpointRows(input, load)
  const overall = load ? overallRow(load, input.slos, comparison?.rows ?? []) : undefined
  const ctx: Ctx = {
    input,
    record,
    ...(load ? { load } : {}),
    ...(dataOf(record.prometheus) ? { prom: dataOf(record.prometheus)! } : {}),
    ...(dataOf(record.postgres) ? { pg: dataOf(record.postgres)! } : {}),
    ...(dataOf(record.redis) ? { redis: dataOf(record.redis)! } : {}),
    ...(dataOf(record.appStats) ? { app: dataOf(record.appStats)! } : {}),
    ...(record.analysis ? { analysis: record.analysis } : {}),
    findings: [...(record.findings ?? [])].sort(
      (a, b) => a.tier - b.tier || (b.impact ?? 0) - (a.impact ?? 0),
    ),
    endpoints,
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
  const sloPass = input.slos.filter((s) => s.status === 'pass').length
  const verdict = verdictOf(input, sloPass, input.slos.length)
  const rows = comparison?.rows ?? []
  const regressions = hasBaseline ? rows.filter((r) => r.verdict === 'regression').map((r) => r.message) : []
  const improvements = hasBaseline
    ? rows.filter((r) => r.verdict === 'improvement').map((r) => r.message)
    : []
  const baseRef = comparison?.baseline
  const cpu = input.profiles?.cpu
  const flame = cpu ? flameTree(cpu) : undefined
  const timeline = latencySeries(load)
  const date = (record.meta.startedAt ?? '').slice(0, 16).replace('T', ' ') + ' UTC'
  const commit = record.meta.git?.sha
    ? `${record.meta.git.sha.slice(0, 12)}${record.meta.git.ref ? ` (${record.meta.git.ref})` : ''}`
    : 'unknown (no git sha in the record)'
  return {
    reportName: input.reportName,
    title: `Performance Profiling Report - ${input.reportName}`,
    date,
    commit,
    targetUrl: record.meta.targetUrl,
    loadTest: `${record.plan.scenario} (${record.plan.vus} VUs, ${durationText(record.plan.durationS).replace(/^\d+ seconds \((.*)\)$/, '$1')})`,
    toolVersion: record.meta.toolVersion,
    hasBaseline,
    ...(hasBaseline && baseRef
      ? {
          baselineRef: `${shortSha(baseRef.sha) ?? baseRef.startedAt ?? 'earlier run'}${baseRef.ref ? ` (${baseRef.ref})` : ''}`,
        }
      : {}),
    links: input.links ?? {},
    verdict,
    endpoints,
    ...(overall ? { overall } : {}),
    changes: { regressions, improvements },
    topFindings: ctx.findings.slice(0, 5).map((f) => ({
      tier: f.tier,
      title: f.title,
      detail: f.detail,
      ...(f.location ? { location: f.location } : {}),
    })),
    ...(p95Chart(endpoints, hasBaseline) ? { p95Chart: p95Chart(endpoints, hasBaseline)! } : {}),
    latencySeries: timeline.series,
    latencySeriesStepS: timeline.step,
    ...(flame ? { flame } : {}),
    sections: [
      executiveSummary(ctx),
      testConfiguration(ctx),
      baselineMetrics(ctx),
      profiling(ctx),
      bottlenecks(ctx),
      recommendations(ctx),
      implementationPlanSection(ctx),
      successCriteriaSection(ctx),
      notes(ctx),
      appendix(ctx),
    ],
    footer: [
      { label: 'Report Author', value: `perfgate ${record.meta.toolVersion} (automated)` },
      { label: 'Date', value: date },
      { label: 'Review Status', value: `Automated, gate ${input.gate.verdict}` },
    ],
  }
}
