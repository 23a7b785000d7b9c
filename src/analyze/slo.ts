// SLO evaluation: the plan's targets against one run's record, as complete result rows
// (lighthouse-ci style). Missing data becomes a `no-data` row with a reason and a hint, never an
// exception. Pure.
import type { Slos, Target } from '../plan/types.ts'
import { isUnavailable } from '../record/common.ts'
import type { Operator, SloMetric, SloResult, Unit } from '../record/compare.ts'
import type { RunRecord } from '../record/index.ts'
import type { EndpointLoad, LoadPart } from '../record/load.ts'
import { formatValue } from '../record/format.ts'
import { cacheHitRateOf, errorRateValue, latencyValue, loadOf, rpsValue } from '../record/values.ts'

interface SloMetricSpec {
  label: string
  unit: Unit
  /** Applied when the target text has no operator. */
  defaultOperator: Operator
  /** What to look at when the target is missed. */
  hint: (subject: string) => string
}

const latencyHint = (subject: string) =>
  `${subject} is over target: see the slow queries, N+1 and CPU profile sections of the report for where the time goes`

/**
 * How each SLO metric is read and judged. The operator comes from the target text (`<100ms` is
 * strict, `<=100ms` is not, `>=100` for rps, `>80%` for the cache); a bare number gets the default.
 *
 * | metric       | unit  | default | passes when        |
 * |--------------|-------|---------|--------------------|
 * | p50Ms        | ms    | `<`     | actual < target    |
 * | p95Ms        | ms    | `<`     | actual < target    |
 * | p99Ms        | ms    | `<`     | actual < target    |
 * | errorRate    | ratio | `<`     | actual < target    |
 * | rps          | req/s | `>=`    | actual >= target   |
 * | cacheHitRate | ratio | `>`     | actual > target    |
 */
export const SLO_METRICS: Record<SloMetric, SloMetricSpec> = {
  p50Ms: { label: 'p50', unit: 'ms', defaultOperator: '<', hint: latencyHint },
  p95Ms: { label: 'p95', unit: 'ms', defaultOperator: '<', hint: latencyHint },
  p99Ms: { label: 'p99', unit: 'ms', defaultOperator: '<', hint: latencyHint },
  errorRate: {
    label: 'error rate',
    unit: 'ratio',
    defaultOperator: '<',
    hint: (subject) =>
      `${subject} is over target: see the status codes and k6 checks; timeouts and pool exhaustion are common causes`,
  },
  rps: {
    label: 'rps',
    unit: 'req/s',
    defaultOperator: '>=',
    hint: () =>
      'throughput follows the scenario (VUs, think time) as much as the service: check think-time-scale and VUs, then latency',
  },
  cacheHitRate: {
    label: 'cache hit rate',
    unit: 'ratio',
    defaultOperator: '>',
    hint: () => 'check cache keys, TTLs and evictions; see the cache findings of the report',
  },
}

const OPERATORS: [RegExp, Operator][] = [
  [/^\s*(<=|=<|≤)/, '<='],
  [/^\s*(>=|=>|≥)/, '>='],
  [/^\s*</, '<'],
  [/^\s*>/, '>'],
]

/** The operator written at the start of a target's text, else the metric's default. */
export function operatorOf(target: Target, metric: SloMetric): Operator {
  for (const [pattern, operator] of OPERATORS) if (pattern.test(target.text)) return operator
  return SLO_METRICS[metric].defaultOperator
}

export function meets(actual: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case '<':
      return actual < value
    case '<=':
      return actual <= value
    case '>':
      return actual > value
    case '>=':
      return actual >= value
  }
}

type Actual = { value: number } | { missing: string; hint?: string }

function endpointActual(load: LoadPart, ep: EndpointLoad, metric: SloMetric): Actual {
  let value: number | undefined
  if (metric === 'p50Ms' || metric === 'p95Ms' || metric === 'p99Ms') value = latencyValue(ep, metric)
  else if (metric === 'errorRate') value = errorRateValue(ep)
  else if (metric === 'rps') value = rpsValue(ep, load)
  return value === undefined ? { missing: `no ${SLO_METRICS[metric].label} recorded` } : { value }
}

function actualOf(record: RunRecord, endpoint: string | undefined, metric: SloMetric): Actual {
  if (metric === 'cacheHitRate') {
    const value = cacheHitRateOf(record)
    if (value !== undefined) return { value }
    const why = isUnavailable(record.redis)
      ? `Redis collector unavailable: ${record.redis.unavailable}`
      : record.redis
        ? 'Redis saw no lookups during the load'
        : 'not collected'
    return {
      missing: `no cache hit rate (${why})`,
      hint: 'set redis-url so the Redis collector can read keyspace hits',
    }
  }
  const { load, missing } = loadOf(record)
  if (!load)
    return { missing: missing ?? 'no load data', hint: 'see the run log for why the load test did not run' }
  if (endpoint === undefined) return endpointActual(load, load.overall, metric)
  const ep = load.endpoints.find((e) => e.name === endpoint)
  if (!ep || !(ep.count > 0)) {
    return {
      missing: `${endpoint} had no requests in this run`,
      hint: `check that the scenario calls ${endpoint} and that its route pattern matches the requests`,
    }
  }
  return endpointActual(load, ep, metric)
}

function evaluate(
  record: RunRecord,
  endpoint: string | undefined,
  metric: SloMetric,
  target: Target,
): SloResult {
  const spec = SLO_METRICS[metric]
  const operator = operatorOf(target, metric)
  const subject = metric === 'cacheHitRate' ? spec.label : `${endpoint ?? 'overall'} ${spec.label}`
  const base = {
    id: `${endpoint ?? 'overall'}.${metric}`,
    scope: endpoint === undefined ? ('overall' as const) : ('endpoint' as const),
    ...(endpoint !== undefined ? { endpoint } : {}),
    metric,
    target,
    operator,
  }
  const actual = actualOf(record, endpoint, metric)
  if ('missing' in actual) {
    return {
      ...base,
      status: 'no-data',
      message: `${subject}, target ${target.text}: no data (${actual.missing})`,
      ...(actual.hint ? { hint: actual.hint } : {}),
    }
  }
  const passed = meets(actual.value, operator, target.value)
  const shown = formatValue(actual.value, spec.unit)
  return {
    ...base,
    actual: actual.value,
    status: passed ? 'pass' : 'fail',
    message: `${subject} ${shown}, target ${target.text}: ${passed ? 'pass' : 'fail'}`,
    ...(passed ? {} : { hint: spec.hint(subject) }),
  }
}

/** Names of the endpoints that had requests in the run, in the record's order. */
function loadedEndpoints(record: RunRecord): string[] {
  const { load } = loadOf(record)
  return (load?.endpoints ?? []).filter((e) => e.count > 0).map((e) => e.name)
}

/**
 * Evaluates every SLO of `slos` against `record`: per endpoint p50/p95/p99, error rate and minimum
 * rps, the overall error-rate target for each endpoint without its own, then overall error rate, throughput and cache hit rate, in that order. Pure.
 */
export function evaluateSlos(record: RunRecord, slos: Slos): SloResult[] {
  const out: SloResult[] = []
  for (const e of slos.endpoints ?? []) {
    const targets: [SloMetric, Target | undefined][] = [
      ['p50Ms', e.p50Ms],
      ['p95Ms', e.p95Ms],
      ['p99Ms', e.p99Ms],
      ['errorRate', e.errorRate],
      ['rps', e.minRps],
    ]
    for (const [metric, target] of targets) if (target) out.push(evaluate(record, e.endpoint, metric, target))
  }
  if (slos.errorRate) {
    // The overall error-rate SLO also judges each endpoint that has none of its own: an endpoint
    // answering only 4xx must not pass because the others keep the overall rate low.
    const own = new Set((slos.endpoints ?? []).filter((e) => e.errorRate).map((e) => e.endpoint))
    for (const ep of loadedEndpoints(record))
      if (!own.has(ep)) out.push(evaluate(record, ep, 'errorRate', slos.errorRate))
    out.push(evaluate(record, undefined, 'errorRate', slos.errorRate))
  }
  if (slos.minRps) out.push(evaluate(record, undefined, 'rps', slos.minRps))
  if (slos.cacheHitRate) out.push(evaluate(record, undefined, 'cacheHitRate', slos.cacheHitRate))
  return out
}
