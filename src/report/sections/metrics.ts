// 2. Measured Metrics: the k6 results, the endpoint table and SLOs, Prometheus and the resources.
import { codeBlock, codeSpan, list, note, notCollected, para, section } from '../blocks.ts'
import { p95Chart } from '../charts.ts'
import type { ReportContext } from '../context.ts'
import { missingReason, relChange, sentence, sloValue, statusText } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { LoadPart } from '../../record/load.ts'
import type { Block, Section } from '../model.ts'
import { endpointTable } from '../rows.ts'
import { failureBlocks } from '../failures.ts'
import { pairedLine, pairedOpenLine, pairedStoppingLine, pairedTable } from '../paired.ts'
import { cacheUsage, databaseUsage } from './resources.ts'
import { goroutineMoments, goroutineMomentsText } from '../goroutines.ts'

function k6KeyMetrics(load: LoadPart): string {
  const o = load.overall
  const passes = o.checks?.passes ?? 0
  const checks = passes + (o.checks?.fails ?? 0)
  // k6 gives a check's sample no request tags: per endpoint they count only when the script tags them.
  const unattributed = load.endpoints.filter((e) => !e.checks && e.count > 0).map((e) => e.name)
  return [
    'Key Metrics:',
    `- http_reqs: ${o.count} (${o.rps.toFixed(1)}/s)`,
    '- http_req_duration:',
    `  - p50: ${o.duration.p50Ms.toFixed(2)}ms`,
    `  - p95: ${o.duration.p95Ms.toFixed(2)}ms`,
    `  - p99: ${o.duration.p99Ms.toFixed(2)}ms`,
    `- http_req_failed: ${(o.errorRate * 100).toFixed(2)}%`,
    `- checks: ${checks > 0 ? ((passes / checks) * 100).toFixed(2) : 'n/a'}% passed (${passes} of ${checks})`,
    ...(unattributed.length > 0
      ? [
          `  - per endpoint: not measured for this script for ${unattributed.join(', ')} (its checks carry no endpoint tag: check(res, {…}, { endpoint: '${unattributed[0]}' }) counts one)`,
        ]
      : []),
  ].join('\n')
}

function warmUpLine(w: NonNullable<LoadPart['warmUp']>): string {
  return `Warm-up: ${w.durationS} s of load before the measured run (${w.requestsCount} requests, ${(w.errorRate * 100).toFixed(2)} % errors${w.note ? `; ${w.note}` : ''}), not counted in these results, the SLOs or the comparison.`
}

export function measuredMetrics(ctx: ReportContext): Section {
  return section(
    'metrics',
    '2. Measured Metrics',
    [],
    [
      section('k6', 'Load Test Results (K6)', k6Blocks(ctx)),
      section('endpoints', 'Endpoint-Specific Performance', endpointBlocks(ctx)),
      section('prometheus', 'Prometheus Metrics', prometheusBlocks(ctx)),
      section('resources', 'Resource Utilization', [], [databaseUsage(ctx), cacheUsage(ctx)]),
    ],
  )
}

function k6Blocks(ctx: ReportContext): Block[] {
  const load = ctx.load
  return load
    ? [
        ...(load.partial ? [note(`Partial load: ${sentence(load.partial)}.`)] : []),
        ...(load.warmUp ? [note(warmUpLine(load.warmUp))] : []),
        codeBlock(k6KeyMetrics(load)),
        // k6's own summary once, in the appendix: printed here too it doubled the report's thresholds.
        note(
          load.k6Summary.trim()
            ? 'k6’s own end-of-test summary (thresholds, checks, every metric) is in Appendix A.'
            : 'k6 printed no end-of-test summary.',
        ),
      ]
    : [notCollected(missingReason(ctx.record.load, 'the load test'))]
}

/** The endpoint table and chart, the other changes against the baseline and the SLO table. */
function endpointBlocks(ctx: ReportContext): Block[] {
  const endpointsBlocks: Block[] =
    ctx.endpoints.length > 0 || ctx.overall
      ? [endpointTable(ctx.endpoints, ctx.overall, ctx.hasBaseline)]
      : [notCollected(missingReason(ctx.record.load, 'the load test'))]
  const chart = p95Chart(ctx.endpoints, ctx.hasBaseline)
  if (chart) endpointsBlocks.push({ kind: 'chart', chart })
  const paired = pairedLine(ctx.record, ctx.input.comparison)
  const stopping = pairedStoppingLine(ctx.input.comparison)
  const open = pairedOpenLine(ctx.input.comparison)
  if (paired)
    endpointsBlocks.push(
      para(paired),
      ...(open ? [para(open)] : []),
      ...(stopping ? [para(stopping)] : []),
      pairedTable(ctx.record, ctx.input.comparison),
    )
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
  if (ctx.load) endpointsBlocks.push(para(throughputGateLine(ctx)))
  // What the failing requests were answered, under the rows they fail.
  if (ctx.load) endpointsBlocks.push(...failureBlocks(ctx.load))
  return endpointsBlocks
}

/**
 * Whether throughput is judged, and by what: it has no default target (a fixed req/s figure fails
 * any shorter or slower scenario by construction), so the report says so either way.
 */
function throughputGateLine(ctx: ReportContext): string {
  const slo = ctx.input.slos.find((s) => s.scope === 'overall' && s.metric === 'rps')
  if (!slo) return 'Throughput is not gated: set slos.throughput to gate it.'
  const where = slo.target.source ? ` at ${slo.target.source}` : ' in the configuration'
  const bound = slo.operator === '>=' ? 'at least' : 'more than'
  return `Throughput is gated: ${bound} ${slo.target.value} req/s, set by slos.throughput${where}.`
}

/**
 * A bucket-interpolated server-side percentile, never above what k6 measured for the same route:
 * the server cannot take longer than the client waited, the interpolation can.
 */
function estimateCell(
  ctx: ReportContext,
): (route: { method?: string; path: string }, ms: number | undefined) => string {
  const maxByRoute = new Map<string, number>()
  for (const ep of ctx.load?.endpoints ?? []) {
    if (!ep.route || !(ep.count > 0)) continue
    const key = `${ep.method ?? ''} ${ep.route}`
    maxByRoute.set(key, Math.max(maxByRoute.get(key) ?? 0, ep.duration.maxMs))
  }
  return (route, ms) => {
    const max = maxByRoute.get(`${route.method ?? ''} ${route.path}`)
    return ms !== undefined && max !== undefined && ms > max ? `≤ ${fmt.ms(max)}` : fmt.ms(ms)
  }
}

function prometheusBlocks(ctx: ReportContext): Block[] {
  const prom = ctx.prom
  if (!prom) return [notCollected(missingReason(ctx.record.prometheus, 'Prometheus'))]
  const promBlocks: Block[] = []
  if (prom.routes.length > 0) {
    const routes = [...prom.routes].sort((a, b) => b.count - a.count)
    const est = estimateCell(ctx)
    promBlocks.push(
      note(
        'Server-side percentiles are estimates, interpolated within the buckets of http_request_duration_seconds; where a route is one of the load test’s endpoints they are capped at the maximum k6 measured for it (shown as ≤).',
      ),
    )
    promBlocks.push({
      kind: 'table',
      header: [
        'Route',
        'Requests',
        'p50 (est.)',
        'p95 (est.)',
        'p99 (est.)',
        'Statuses',
        ...(ctx.base.prom ? ['Baseline p95', 'Δ p95'] : []),
      ],
      rows: routes.map((r) => {
        const b = ctx.base.prom?.routes.find((x) => x.path === r.path && x.method === r.method)
        return [
          [codeSpan(`${r.method ? r.method + ' ' : ''}${r.path}`)],
          fmt.count(r.count),
          est(r, r.p50Ms),
          est(r, r.p95Ms),
          est(r, r.p99Ms),
          Object.entries(r.statuses)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ') || 'n/a',
          ...(ctx.base.prom ? [fmt.ms(b?.p95Ms), relChange(r.p95Ms, b?.p95Ms)] : []),
        ]
      }),
      align: ['l', 'r', 'r', 'r', 'r', 'l', 'r', 'r'],
    })
  } else promBlocks.push(note('No http_request_duration_seconds series grew during the load.'))
  const slowest = [...prom.routes].filter((r) => r.p95Ms !== undefined).sort((a, b) => b.p95Ms! - a.p95Ms!)[0]
  const rt = prom.runtime
  const d = prom.runtimeDelta
  const goroutines = goroutineMoments(ctx)
  promBlocks.push(
    para('Key Observations:'),
    list([
      { text: `http_requests_total: ${fmt.count(prom.requestsCount)} over ${prom.intervalS.toFixed(0)} s` },
      {
        text: slowest
          ? `http_request_duration_seconds (p95, estimated from buckets): ${estimateCell(ctx)(slowest, slowest.p95Ms)} on the slowest route ${slowest.path}`
          : 'http_request_duration_seconds (p95): no route had observations',
      },
      {
        text: `http_in_flight_requests (max): ${prom.inFlightMax !== undefined ? prom.inFlightMax : 'not exposed'}`,
      },
      // The one set of goroutine counts the whole report uses (report/goroutines.ts).
      {
        text: `goroutines: ${goroutines ? goroutineMomentsText(goroutines) : 'not exposed'}`,
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
  return promBlocks
}
