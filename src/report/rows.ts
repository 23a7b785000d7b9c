// The endpoint rows of the report: per endpoint its load figures, SLO status and p95 against the
// baseline, the overall row, and the endpoint table every renderer shows. Pure.
import type { MetricComparison, SloResult } from '../record/compare.ts'
import type { EndpointLoad, LoadPart } from '../record/load.ts'
import { codeSpan, strong } from './blocks.ts'
import { deltaCell, statusText } from './format.ts'
import { fmt } from './markdown.ts'
import type { Block, EndpointRow, ReportInput, Text } from './model.ts'

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
    ...(c95?.evidence.test === 'paired-sign-flip' && c95.evidence.ci && c95.verdict !== 'no-data'
      ? { p95Interval: c95.evidence.ci }
      : {}),
  }
}

export function overallRow(load: LoadPart, slos: SloResult[], rows: MetricComparison[]): EndpointRow {
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

function groupByEndpoint<T extends { endpoint?: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    if (item.endpoint === undefined) continue
    const list = out.get(item.endpoint)
    if (list) list.push(item)
    else out.set(item.endpoint, [item])
  }
  return out
}

/** Endpoints with an SLO but no load row still appear, with no data. */
export function endpointRows(input: ReportInput, load: LoadPart | undefined): EndpointRow[] {
  // Each endpoint's SLO results and comparison rows, looked up once: thousands of endpoints would
  // otherwise scan every result and row for each endpoint.
  const slosOf = groupByEndpoint(input.slos)
  const rowsOf = groupByEndpoint(input.comparison?.rows ?? [])
  const out = (load?.endpoints ?? []).map((ep) =>
    endpointRow(ep, slosOf.get(ep.name) ?? [], rowsOf.get(ep.name) ?? []),
  )
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
    if (hasBaseline)
      base.push(fmt.ms(r.baseline?.p95Ms), deltaCell(r.p95RelDelta, r.p95Verdict, r.p95Interval))
    return base
  })
  return {
    kind: 'table',
    header,
    rows: cells,
    align: header.map((_, i) => (i === 0 || i >= 6 ? 'l' : 'r')),
  }
}
