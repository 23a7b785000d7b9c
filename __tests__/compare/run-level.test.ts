// Run-level rows (database time and statements per request, cache hit rate): one value per run,
// so only the base branch's run-to-run spread can make a change a regression.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compare, gateVerdict } from '../../src/compare/index.ts'
import type { RunRecord } from '../../src/record/index.ts'
import type { MetricComparison } from '../../src/record/compare.ts'
import type { PostgresData, RedisData } from '../../src/record/collectors.ts'
import { ENDPOINTS, policy, syntheticRecord } from './helpers.ts'

/** A synthetic run with PostgreSQL totals, a probe row for `search` and a Redis hit rate. */
function runWith(
  seed: number,
  db: { statementsPerRequest: number; dbMsPerRequest: number; searchStatements: number } | undefined,
  hitRate?: number,
): RunRecord {
  const record = syntheticRecord({ seed, endpoints: ENDPOINTS })
  const requests = 'overall' in record.load ? record.load.overall.count : 0
  if (db) {
    const postgres: Partial<PostgresData> = {
      statements: [],
      totals: { calls: db.statementsPerRequest * requests, totalExecMs: db.dbMsPerRequest * requests },
      attribution: [
        {
          endpoint: 'search',
          method: 'GET',
          path: '/search?q=x',
          requestsCount: 20,
          okCount: 20,
          statementsPerRequest: db.searchStatements,
          dbTimeMsPerRequest: db.dbMsPerRequest * 2,
          statements: [],
        },
      ],
    }
    record.postgres = postgres as PostgresData
  }
  if (hitRate !== undefined) record.redis = { hitsCount: 1, missesCount: 0, hitRate } as RedisData
  return record
}

const rowOf = (rows: MetricComparison[], id: string) => {
  const row = rows.find((r) => r.id === id)
  assert.ok(row, `no row ${id} in ${rows.map((r) => r.id).join(', ')}`)
  return row
}

const NORMAL = { statementsPerRequest: 3, dbMsPerRequest: 2, searchStatements: 2 }

describe('compare: run-level rows', () => {
  it('has overall and per-endpoint database rows and an overall cache row when the runs have the data', () => {
    const c = compare(runWith(1, NORMAL, 0.95), runWith(2, NORMAL, 0.95), policy())
    const ids = c.rows.filter((r) => r.evidence.windowsCurrent === 0).map((r) => r.id)
    assert.deepEqual(ids, [
      'overall.dbTimeMsPerRequest',
      'search.dbTimeMsPerRequest',
      'overall.statementsPerRequest',
      'search.statementsPerRequest',
      'overall.cacheHitRate',
    ])
    const statements = rowOf(c.rows, 'overall.statementsPerRequest')
    assert.ok(Math.abs(statements.current! - 3) < 1e-6, `${statements.current}`)
    assert.equal(statements.verdict, 'unchanged')
  })

  it('has no database or cache rows when neither run has the data', () => {
    const c = compare(runWith(1, undefined), runWith(2, undefined), policy())
    assert.equal(
      c.rows.some((r) => ['dbTimeMsPerRequest', 'statementsPerRequest', 'cacheHitRate'].includes(r.metric)),
      false,
    )
  })

  it('a new N+1 without history is inconclusive and does not fail the gate', () => {
    const nPlusOne = { ...NORMAL, searchStatements: 21 }
    const c = compare(runWith(1, NORMAL), runWith(2, nPlusOne), policy())
    const row = rowOf(c.rows, 'search.statementsPerRequest')
    assert.equal(row.verdict, 'inconclusive', row.message)
    assert.match(row.evidence.note, /only the run-to-run spread of 3 base-branch runs/)
    assert.equal(gateVerdict([], c, policy(), { baselineFound: true }).failed, false)
  })

  it('a new N+1 outside the spread of three base-branch runs is a regression that fails the gate', () => {
    const history = [3, 4, 5].map((seed) => runWith(seed, { ...NORMAL, searchStatements: 2 + seed / 10 }))
    const nPlusOne = { ...NORMAL, searchStatements: 21 }
    const c = compare(history[0], runWith(9, nPlusOne), policy(), history.slice(1))
    const row = rowOf(c.rows, 'search.statementsPerRequest')
    assert.equal(row.verdict, 'regression', row.message)
    assert.equal(row.evidence.test, 'history')
    assert.equal(row.evidence.history?.n, 3)
    const gate = gateVerdict([], c, policy(), { baselineFound: true })
    assert.equal(gate.failed, true)
    assert.ok(
      gate.regressions.some((r) =>
        /^search statements per request \+\d+% \(outside 3 base-branch runs\)$/.test(r),
      ),
      gate.regressions.join('; '),
    )
  })

  it('a change beyond tolerance but inside the run-to-run spread is inconclusive', () => {
    const history = [1.5, 2.5, 2].map((ms, i) => runWith(3 + i, { ...NORMAL, dbMsPerRequest: ms }))
    const c = compare(history[2], runWith(9, { ...NORMAL, dbMsPerRequest: 2.45 }), policy(), history)
    const row = rowOf(c.rows, 'overall.dbTimeMsPerRequest')
    assert.equal(row.verdict, 'inconclusive', row.message)
    assert.match(row.evidence.note, /within the run-to-run spread of 3 base-branch runs/)
  })

  it('a lower cache hit rate is the worse direction', () => {
    const history = [0.95, 0.96, 0.955].map((rate, i) => runWith(3 + i, undefined, rate))
    const c = compare(history[0], runWith(9, undefined, 0.6), policy(), history.slice(1))
    const row = rowOf(c.rows, 'overall.cacheHitRate')
    assert.equal(row.verdict, 'regression', row.message)
    // Higher is better: +5 % is beyond tolerance but inside the 99 % prediction interval of three runs.
    const better = rowOf(
      compare(history[0], runWith(9, undefined, 0.999), policy(), history.slice(1)).rows,
      'overall.cacheHitRate',
    )
    assert.equal(better.verdict, 'inconclusive', better.message)
    assert.match(
      better.evidence.note,
      /within the run-to-run spread of 3 base-branch runs \(99 % prediction interval/,
    )
  })

  it('a current run whose database collector failed is no-data, with the reason', () => {
    const current = runWith(2, undefined)
    current.postgres = { unavailable: 'connection refused' }
    const c = compare(runWith(1, NORMAL), current, policy())
    const row = rowOf(c.rows, 'overall.statementsPerRequest')
    assert.equal(row.verdict, 'no-data')
    assert.match(row.message, /PostgreSQL unavailable: connection refused/)
  })
})
