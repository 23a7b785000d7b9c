// Rows with one value per run and no windows: database time and SQL statements per request
// (overall from pg_stat_statements over the load, per endpoint from the attribution probe) and the
// cache hit rate (Redis, else an app-stats endpoint). Their evidence can only be the run-to-run
// spread of the base branch (`judge` with `runLevel`): without three earlier runs a change beyond
// tolerance is inconclusive, never a regression. Rows appear only when one of the two runs has the
// data, so a project without a database URL gets no empty database rows.
import type { Tolerances } from '../plan/types.ts'
import { isUnavailable } from '../record/common.ts'
import type { ComparedMetric, MetricComparison, MetricTolerance, Unit } from '../record/compare.ts'
import type { RunRecord } from '../record/index.ts'
import { metricLabel } from './metrics.ts'
import { cacheHitRateOf, loadOf } from '../record/values.ts'
import { hashSeed } from './stats.ts'
import { judge, type JudgeOptions } from './verdict.ts'

const OVERALL = ''

/** A run's values by endpoint (OVERALL for the whole run), or why it has none. */
interface RunValues {
  values: Map<string, number>
  missing?: string
}

interface RunLevelSpec {
  metric: ComparedMetric
  unit: Unit
  tolerance(t: Tolerances): MetricTolerance
  read(record: RunRecord): RunValues
}

function postgresValues(record: RunRecord, pick: (calls: number, timeMs: number) => number): RunValues {
  const pg = record.postgres
  if (!pg) return { values: new Map(), missing: 'no PostgreSQL statistics (database-url not set)' }
  if (isUnavailable(pg)) return { values: new Map(), missing: `PostgreSQL unavailable: ${pg.unavailable}` }
  const values = new Map<string, number>()
  const requests = loadOf(record).load?.overall.count ?? 0
  if (pg.totals && requests > 0) values.set(OVERALL, pick(pg.totals.calls, pg.totals.totalExecMs) / requests)
  for (const a of pg.attribution ?? []) {
    if (a.okCount > 0) values.set(a.endpoint, pick(a.statementsPerRequest, a.dbTimeMsPerRequest))
  }
  return values.size > 0 ? { values } : { values, missing: 'no statements per request measured' }
}

const SPECS: readonly RunLevelSpec[] = [
  {
    metric: 'dbTimeMsPerRequest',
    unit: 'ms',
    tolerance: (t) => ({ relative: t.dbTime, worse: 'higher' }),
    read: (record) => postgresValues(record, (_calls, timeMs) => timeMs),
  },
  {
    metric: 'statementsPerRequest',
    unit: 'count',
    tolerance: (t) => ({ relative: t.statements, worse: 'higher' }),
    read: (record) => postgresValues(record, (calls) => calls),
  },
  {
    metric: 'cacheHitRate',
    unit: 'ratio',
    tolerance: (t) => ({ relative: t.cacheHitRate, worse: 'lower' }),
    read: (record) => {
      const rate = cacheHitRateOf(record)
      return rate === undefined
        ? { values: new Map(), missing: 'no cache hit rate (no Redis or app-stats counters)' }
        : { values: new Map([[OVERALL, rate]]) }
    },
  },
]

/** The run-level rows of `current` against `baseline` and the earlier base-branch runs. */
export function runLevelRows(
  baseline: RunRecord | undefined,
  current: RunRecord,
  past: RunRecord[],
  policy: { tolerances: Tolerances },
  options: JudgeOptions,
): MetricComparison[] {
  const rows: MetricComparison[] = []
  for (const spec of SPECS) {
    const label = metricLabel(spec.metric)
    const cur = spec.read(current)
    const base = baseline
      ? spec.read(baseline)
      : { values: new Map<string, number>(), missing: 'no baseline yet' }
    if (cur.values.size === 0 && base.values.size === 0) continue
    const history = past.map((record) => spec.read(record).values)
    const keys = [...new Set([OVERALL, ...cur.values.keys(), ...base.values.keys()])].filter(
      (key) => cur.values.has(key) || base.values.has(key),
    )
    for (const key of keys) {
      const endpoint = key === OVERALL ? undefined : key
      const id = `${endpoint ?? 'overall'}.${spec.metric}`
      const tolerance = spec.tolerance(policy.tolerances)
      const b = base.values.get(key)
      const c = cur.values.get(key)
      const missing =
        c === undefined
          ? `current: ${cur.missing ?? `no ${label} for this endpoint`}`
          : b === undefined
            ? `baseline: ${base.missing ?? `no ${label} for this endpoint`}`
            : undefined
      const judged = judge(
        {
          subject: `${endpoint ?? 'overall'} ${label}`,
          unit: spec.unit,
          tolerance,
          ...(b !== undefined ? { baseline: b } : {}),
          ...(c !== undefined ? { current: c } : {}),
          ...(missing ? { missing } : {}),
          baselineWindows: [],
          currentWindows: [],
          history: history.flatMap((values) => values.get(key) ?? []),
          runLevel: true,
        },
        { ...options, seed: hashSeed(id, options.seed) },
      )
      rows.push({
        id,
        scope: endpoint === undefined ? 'overall' : 'endpoint',
        ...(endpoint !== undefined ? { endpoint } : {}),
        metric: spec.metric,
        unit: spec.unit,
        ...(b !== undefined ? { baseline: b } : {}),
        ...(c !== undefined ? { current: c } : {}),
        ...judged,
        tolerance,
      })
    }
  }
  return rows
}
