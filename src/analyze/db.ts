// Database findings from the PostgreSQL part: slow queries, N+1 patterns (from the attribution
// probe), missing indexes (generic plans' Seq Scan filters and table scan counts).
import type { IndexSuggestion, NPlusOne, SlowQuery } from '../record/analysis.ts'
import type { PgStatementDelta, PostgresData } from '../record/collectors.ts'
import { indexFor, parseFilter, seqScanFilters } from './plans.ts'
import type { SourceIndex } from './source.ts'

import {
  SLOW_QUERY_MEAN_MS,
  SLOW_QUERY_MIN_BLOCKS_PER_CALL,
  SLOW_QUERY_TOP_BY_TOTAL,
  SLOW_QUERY_TOP_MIN_DB_SHARE,
} from './findings/rules.ts'
/** A statement run more than this many times per request of one endpoint is an N+1. */
export const N_PLUS_ONE_MIN_PER_REQUEST = 2
/** Tables smaller than this are not worth an index for their sequential scans. */
export const SEQ_SCAN_MIN_ROWS = 10_000

export function clip(text: string, max = 500): string {
  const one = text.replace(/\s+/g, ' ').trim()
  return one.length > max ? one.slice(0, max - 1) + '…' : one
}

function isPerfgateOwn(query: string): boolean {
  // The collectors' own queries (pg_stat_*, EXPLAIN, SHOW) are not the application's.
  return /\bpg_stat_|\bpg_catalog\.|^\s*(explain|show|set|begin|commit|rollback|discard|deallocate)\b/i.test(
    query,
  )
}

/** Plain DML: what an application's requests run (not DDL, DO blocks or session commands). */
function isDml(query: string): boolean {
  const q = query.trim().replace(/^(\/\*.*?\*\/\s*)+/s, '')
  return /^(select|with|insert|update|delete|merge|values|table)\b/i.test(q)
}

export function applicationStatements(pg: PostgresData): PgStatementDelta[] {
  return pg.statements.filter((s) => !isPerfgateOwn(s.query) && isDml(s.query) && s.calls > 0)
}

export function totalDbMs(pg: PostgresData): number {
  return applicationStatements(pg).reduce((sum, s) => sum + s.totalExecMs, 0)
}

/**
 * slowQueries lists statements whose mean is above 10 ms or that touch ≥ 10,000 shared buffers
 * per call, plus the top 5 by total time (those taking at least 5 % of database time), each with
 * its share of database time.
 */
export function slowQueries(pg: PostgresData, source: SourceIndex, limit = 10): SlowQuery[] {
  const statements = applicationStatements(pg)
  const total = statements.reduce((sum, s) => sum + s.totalExecMs, 0)
  const byTotal = [...statements].sort((a, b) => b.totalExecMs - a.totalExecMs)
  const top = new Set(
    byTotal
      .slice(0, SLOW_QUERY_TOP_BY_TOTAL)
      .filter((s) => total > 0 && s.totalExecMs / total >= SLOW_QUERY_TOP_MIN_DB_SHARE),
  )
  const out: SlowQuery[] = []
  for (const s of byTotal) {
    const reasons: string[] = []
    if (s.meanExecMs > SLOW_QUERY_MEAN_MS) reasons.push(`mean > ${SLOW_QUERY_MEAN_MS} ms`)
    if (top.has(s)) reasons.push('top by total time')
    if ((s.sharedBlksHit + s.sharedBlksRead) / s.calls >= SLOW_QUERY_MIN_BLOCKS_PER_CALL)
      reasons.push(`≥ ${SLOW_QUERY_MIN_BLOCKS_PER_CALL} buffers per call`)
    if (reasons.length === 0) continue
    const explain = pg.explains.find((e) => e.queryid === s.queryid)
    const location = source.locateStatement(s.query)
    out.push({
      queryid: s.queryid,
      query: clip(s.query),
      calls: s.calls,
      meanMs: s.meanExecMs,
      totalMs: s.totalExecMs,
      share: total > 0 ? s.totalExecMs / total : 0,
      reasons,
      ...(explain?.seqScans?.length ? { seqScans: explain.seqScans } : {}),
      ...(location ? { location } : {}),
    })
    if (out.length >= limit) break
  }
  return out
}

/** The main table a statement reads: the first FROM (or UPDATE/INSERT INTO) relation. */
export function mainTable(query: string): string | undefined {
  const m = /\b(?:from|update|into)\s+((?:"[^"]+"|[a-z_][\w$]*)(?:\.(?:"[^"]+"|[a-z_][\w$]*))?)/i.exec(query)
  return m?.[1]
}

function nPlusOneFix(query: string, table: string | undefined): string {
  const t = table ?? 'the table'
  const where = /\bwhere\s+(?:\w+\.)?(\w+)\s*=\s*\$\d+/i.exec(query)?.[1]
  const batch = where
    ? `load them in one query (\`… FROM ${t} WHERE ${where} = ANY($1)\` with the collected keys)`
    : 'load them in one batched query'
  return `Batch or join: ${batch}, or JOIN ${t} into the query that lists the parent rows.`
}

/**
 * nPlusOnePatterns reads the attribution probe: a statement run more than twice per request
 * of one endpoint is reported with its count per request, its share of the endpoint's
 * database time and where it is written.
 */
export function nPlusOnePatterns(pg: PostgresData, source: SourceIndex): NPlusOne[] {
  const total = totalDbMs(pg)
  const out: NPlusOne[] = []
  for (const a of pg.attribution) {
    if (a.okCount === 0) continue
    for (const s of a.statements) {
      if (!(s.callsPerRequest > N_PLUS_ONE_MIN_PER_REQUEST) || isPerfgateOwn(s.query)) continue
      // Each call is a round trip: count the share of the endpoint's queries as well as of its
      // execution time, and keep the larger (execution time alone hides the round trips).
      const dbMs = s.callsPerRequest * s.meanExecMs
      const timeShare = a.dbTimeMsPerRequest > 0 ? Math.min(1, dbMs / a.dbTimeMsPerRequest) : 0
      const callShare =
        a.statementsPerRequest > 0 ? Math.min(1, s.callsPerRequest / a.statementsPerRequest) : 0
      const share = Math.max(timeShare, callShare)
      const overall = pg.statements.find((d) => d.queryid === s.queryid)
      const table = mainTable(s.query)
      const location = source.locateStatement(s.query)
      out.push({
        endpoint: a.endpoint,
        queryid: s.queryid,
        query: clip(s.query),
        perRequest: Math.round(s.callsPerRequest * 10) / 10,
        statementsPerRequest: a.statementsPerRequest,
        shareOfEndpointDbTime: share,
        shareBasis: callShare > timeShare ? 'queries' : 'time',
        ...(overall && total > 0 ? { shareOfDbTime: overall.totalExecMs / total } : {}),
        ...(table ? { table } : {}),
        fix: nPlusOneFix(s.query, table),
        ...(location ? { location } : {}),
      })
    }
  }
  return out.sort((x, y) => y.perRequest - x.perRequest)
}

/** Plans by queryid, as loaded from the explain files; a plan that failed to load is a string reason. */
export type PlansById = Record<string, unknown>

/**
 * missingIndexes suggests indexes from two sources: Seq Scan nodes with a Filter in the
 * generic plans of the slowest statements (the filter's columns), and tables scanned
 * sequentially much more than by index while holding many rows. Notes collect plans that
 * could not be read.
 */
export function missingIndexes(pg: PostgresData, plans: PlansById, notes: string[]): IndexSuggestion[] {
  const total = totalDbMs(pg)
  const byTable = new Map<string, IndexSuggestion>()
  for (const explain of pg.explains) {
    const plan = plans[explain.queryid]
    if (plan === undefined) continue
    if (typeof plan === 'string') {
      notes.push(`plan of statement ${explain.queryid}: ${plan}`)
      continue
    }
    const scans = seqScanFilters(plan)
    if ('reason' in scans) {
      notes.push(`plan of statement ${explain.queryid}: ${scans.reason}`)
      continue
    }
    const statement = pg.statements.find((s) => s.queryid === explain.queryid)
    const share = statement && total > 0 ? statement.totalExecMs / total : undefined
    for (const scan of scans.scans) {
      const table = pg.tables.find((t) => sameTable(t.table, scan.table))
      // Tiny tables are scanned faster than an index would be read.
      if (table && table.nLiveTupCount < SEQ_SCAN_MIN_ROWS) continue
      const index = indexFor(scan.table, parseFilter(scan.filter))
      if (!index) continue
      const key = `${scan.table}(${index.columns.join(',')})`
      const existing = byTable.get(key)
      if (existing) {
        existing.share = (existing.share ?? 0) + (share ?? 0)
        continue
      }
      byTable.set(key, {
        table: scan.table,
        columns: index.columns,
        statement: index.statement,
        source: 'plan',
        filter: scan.filter,
        queryid: explain.queryid,
        ...(share !== undefined ? { share } : {}),
        ...(index.note ? { note: index.note } : {}),
        ...(table
          ? { seqScans: table.seqScanCount, idxScans: table.idxScanCount, rows: table.nLiveTupCount }
          : {}),
      })
    }
  }
  const out = [...byTable.values()]
  for (const t of pg.tables) {
    if (t.nLiveTupCount < SEQ_SCAN_MIN_ROWS || t.seqScanCount < 10) continue
    if (t.seqScanCount < 5 * Math.max(1, t.idxScanCount)) continue
    if (out.some((s) => sameTable(s.table, t.table))) continue
    const guess = columnsFromStatements(pg, t.table)
    const share = guess ? guess.share / Math.max(total, 1e-9) : undefined
    const index = guess
      ? indexFor(t.table, { equality: guess.columns, range: [], pattern: [], lower: [] })
      : undefined
    out.push({
      table: t.table,
      columns: index?.columns ?? [],
      statement:
        index?.statement ??
        `-- find the filtered columns: EXPLAIN the queries on ${t.table}, then CREATE INDEX CONCURRENTLY … ON ${t.table} (…)`,
      source: 'table-stats',
      seqScans: t.seqScanCount,
      idxScans: t.idxScanCount,
      rows: t.nLiveTupCount,
      ...(share !== undefined && total > 0 ? { share } : {}),
    })
  }
  return out.sort((a, b) => (b.share ?? 0) - (a.share ?? 0))
}

function sameTable(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/^public\./, '').replace(/"/g, '')
  return strip(a) === strip(b)
}

/** Equality columns of the statements that read a table, from their WHERE clauses (a fallback). */
function columnsFromStatements(
  pg: PostgresData,
  table: string,
): { columns: string[]; share: number } | undefined {
  const name = table.replace(/^public\./, '')
  const rx = new RegExp(String.raw`\b(?:from|join)\s+(?:public\.)?${name}\b(?:\s+(?:as\s+)?(\w+))?`, 'i')
  let best: { columns: string[]; share: number } | undefined
  for (const s of applicationStatements(pg)) {
    const m = rx.exec(s.query)
    if (!m) continue
    const alias = m[1] && !/^(where|join|on|order|group|limit|inner|left)$/i.test(m[1]) ? m[1] : undefined
    const where = /\bwhere\b([\s\S]*?)(?:\border\b|\bgroup\b|\blimit\b|$)/i.exec(s.query)?.[1] ?? ''
    const cols: string[] = []
    const colRx = /(?:\b(\w+)\.)?\b(\w+)\s*=\s*\$\d+/g
    for (const c of where.matchAll(colRx)) {
      if (c[1] && alias && c[1] !== alias && c[1] !== name) continue
      if (c[1] && !alias && c[1] !== name) continue
      if (!cols.includes(c[2]!)) cols.push(c[2]!)
    }
    if (cols.length === 0) continue
    if (!best || s.totalExecMs > best.share) best = { columns: cols, share: s.totalExecMs }
  }
  return best
}
