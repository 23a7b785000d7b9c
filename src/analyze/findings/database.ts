// Database findings: N+1 patterns, missing indexes and slow statements, from the PostgreSQL
// part (pg_stat_statements deltas, the attribution probe, generic plans).
import type { AnalysisData } from '../../record/analysis.ts'
import type { PostgresData } from '../../record/collectors.ts'
import type { Finding } from '../../record/findings.ts'
import { clip, missingIndexes, nPlusOnePatterns, slowQueries, totalDbMs, type PlansById } from '../db.ts'
import { percent } from '../recommend.ts'
import type { SourceIndex } from '../source.ts'
import {
  finding,
  SLOW_QUERY_MEAN_MS,
  SLOW_QUERY_MIN_BLOCKS_PER_CALL,
  SLOW_QUERY_MIN_DB_SHARE,
  unavailable,
} from './rules.ts'

/** `21.7 MiB` for a count of 8 KiB pages. */
function mib(blocks: number): string {
  return `${((blocks * 8) / 1024).toFixed(1)} MiB`
}

/** What fixes an EXPLAIN that fails for lack of privileges. */
const EXPLAIN_GRANT =
  "the collector's role needs SELECT on the tables (e.g. GRANT pg_read_all_data TO <role>) to EXPLAIN them"

type DbSections = Pick<AnalysisData, 'slowQueries' | 'nPlusOne' | 'indexes'>

/**
 * probeMeans is each statement's mean execution time in the attribution probe, where perfgate
 * sends a few requests per endpoint one at a time after the load: the statement's cost alone,
 * without the load's contention for CPU, locks and connections.
 */
function probeMeans(pg: PostgresData): Map<string, number> {
  const sums = new Map<string, { ms: number; calls: number }>()
  for (const a of pg.attribution) {
    for (const s of a.statements) {
      const calls = s.callsPerRequest * Math.max(a.okCount, 1)
      const e = sums.get(s.queryid) ?? { ms: 0, calls: 0 }
      e.ms += s.meanExecMs * calls
      e.calls += calls
      sums.set(s.queryid, e)
    }
  }
  return new Map([...sums].filter(([, e]) => e.calls > 0).map(([id, e]) => [id, e.ms / e.calls]))
}

export function databaseFindings(
  pg: PostgresData,
  plans: PlansById,
  source: SourceIndex,
  requestMs: number | undefined,
  findings: Finding[],
  notes: string[],
): DbSections {
  const slow = slowQueries(pg, source)
  const n1 = nPlusOnePatterns(pg, source)
  nPlusOneFindings(n1, source, findings)
  const indexes = missingIndexes(pg, plans, notes)
  indexFindings(pg, indexes, source, findings)
  const failed = pg.explains.filter((e) => e.error)
  const checked = failed.length < pg.explains.length || pg.explains.length === 0
  if (failed.length > 0 && !checked) {
    notes.push(
      `missing indexes not checked from plans: EXPLAIN failed for all ${failed.length} statements (${failed[0]!.error}); ` +
        EXPLAIN_GRANT,
    )
  }
  const alone = probeMeans(pg)
  const light: string[] = []
  for (const q of slow) {
    // A slow statement already explained by a missing index or an N+1 is not reported twice.
    if (indexes.some((ix) => ix.queryid === q.queryid) || n1.some((n) => n.queryid === q.queryid)) continue
    const stat = pg.statements.find((s) => s.queryid === q.queryid)
    const blocksPerCall = stat && stat.calls > 0 ? (stat.sharedBlksHit + stat.sharedBlksRead) / stat.calls : 0
    const probe = alone.get(q.queryid)
    // Mean time grows with CPU starvation (a busy runner slows every statement alike); the
    // buffers a call touches and its share of database time do not, so they decide.
    if (blocksPerCall < SLOW_QUERY_MIN_BLOCKS_PER_CALL || q.share < SLOW_QUERY_MIN_DB_SHARE) {
      if (q.meanMs > SLOW_QUERY_MEAN_MS)
        light.push(
          `${q.meanMs.toFixed(1)} ms mean, ${Math.round(blocksPerCall)} buffers per call, ${percent(q.share)} of database time`,
        )
      continue
    }
    const reads = stat && stat.calls > 0 ? stat.sharedBlksRead / stat.calls : 0
    const impact = requestMs ? Math.min(1, q.totalMs / requestMs) : q.share
    findings.push(
      finding({
        kind: 'slow-query',
        title: `Slow query: ${Math.round(blocksPerCall).toLocaleString('en-US')} buffers per call, ${percent(q.share)} of database time`,
        detail:
          `\`${clip(q.query, 200)}\` ran ${q.calls} times and touched ${Math.round(blocksPerCall)} shared buffers per call ` +
          `(${mib(blocksPerCall)} of 8 KiB pages, ${Math.round(reads)} of them read from outside the buffer cache), ` +
          `${percent(q.share)} of database time; thresholds: ≥ ${SLOW_QUERY_MIN_BLOCKS_PER_CALL.toLocaleString('en-US')} buffers per call ` +
          `and ≥ ${percent(SLOW_QUERY_MIN_DB_SHARE)} of database time (pg_stat_statements over the load). ` +
          `Its mean was ${q.meanMs.toFixed(2)} ms under load` +
          (probe !== undefined ? ` and ${probe.toFixed(2)} ms run alone after it` : '') +
          ` (times depend on how busy the machine was; the buffer count does not)` +
          (q.seqScans?.length ? `; its plan scans ${q.seqScans.join(', ')} sequentially` : '') +
          '.',
        ...(q.location ? { location: q.location } : {}),
        impact,
        impactBasis: requestMs ? 'share of the time spent serving requests' : 'share of database time',
        effort: 'medium',
        fix: `EXPLAIN (ANALYZE, BUFFERS) it with real parameters; add an index for its filter and sort so it reads fewer pages, or cache its result.`,
        evidence: {
          queryid: q.queryid,
          calls: q.calls,
          meanMs: Math.round(q.meanMs * 100) / 100,
          blocksPerCall: Math.round(blocksPerCall),
          shareOfDbTime: Math.round(q.share * 1000) / 1000,
          ...(probe !== undefined ? { aloneMs: Math.round(probe * 100) / 100 } : {}),
        },
      }),
    )
  }
  if (light.length > 0)
    notes.push(
      `${light.length} statement(s) averaged over ${SLOW_QUERY_MEAN_MS} ms without a slow-query finding (${light.join('; ')}): ` +
        `a finding needs ≥ ${SLOW_QUERY_MIN_BLOCKS_PER_CALL.toLocaleString('en-US')} buffers per call and ≥ ${percent(SLOW_QUERY_MIN_DB_SHARE)} of database time; ` +
        'time without that work is waiting for CPU, locks or connections',
    )
  if (totalDbMs(pg) === 0) notes.push('PostgreSQL: no application statements ran during the load')
  if (pg.explainNote) notes.push(pg.explainNote)
  return {
    slowQueries: slow,
    nPlusOne: n1,
    indexes:
      !checked && indexes.length === 0
        ? unavailable(
            `not checked: EXPLAIN failed for all ${failed.length} statements (${failed[0]!.error}); ${EXPLAIN_GRANT}`,
          )
        : indexes,
  }
}

function nPlusOneFindings(
  n1: ReturnType<typeof nPlusOnePatterns>,
  source: SourceIndex,
  findings: Finding[],
): void {
  // One finding per statement: the endpoint whose queries it makes up most of (traffic from
  // elsewhere during the probe adds statements to other endpoints, rarely at that share).
  const ratio = (n: (typeof n1)[number]) => n.perRequest / Math.max(n.statementsPerRequest, 1)
  const chosen = new Map<string, (typeof n1)[number]>()
  for (const n of n1) {
    const prev = chosen.get(n.queryid)
    if (!prev || ratio(n) > ratio(prev)) chosen.set(n.queryid, n)
  }
  for (const n of chosen.values()) {
    const also = n1.filter((m) => m.queryid === n.queryid && m.endpoint !== n.endpoint).map((m) => m.endpoint)
    // pg_stat_statements cannot tell parameters apart: the source says whether the repeating
    // loop passes a value it binds (an N+1) or the same arguments every time (a redundant fetch).
    const site = n.location ? source.repeatSite(n.location) : undefined
    const redundant = site?.loop !== undefined && site.varies === false
    const location = site?.loop ? `${site.loop} (loop) → ${site.query} (query)` : n.location
    findings.push(
      finding({
        kind: 'n-plus-one',
        title: redundant
          ? `Redundant fetch: the same query ${n.perRequest} times per request on ${n.table ?? 'one table'}`
          : `N+1: ${n.perRequest} queries per request on ${n.table ?? 'one table'}`,
        detail:
          `${n.endpoint} runs \`${clip(n.query, 160)}\` ${n.perRequest} times per request ` +
          `(${n.statementsPerRequest} statements per request in all)` +
          (also.length ? `; also repeated in ${also.join(', ')}` : '') +
          (site?.loop
            ? `; the loop at ${site.loop} repeats the call at ${site.query}` +
              (redundant
                ? ' with arguments that do not change in the loop: the same rows fetched again each time'
                : ', with a value bound in the loop as argument')
            : '') +
          '.',
        endpoint: n.endpoint,
        ...(location ? { location } : {}),
        impact: n.shareOfEndpointDbTime,
        impactBasis:
          n.shareBasis === 'queries'
            ? `share of ${n.endpoint}'s queries per request (each a round trip)`
            : `share of ${n.endpoint}'s database time per request`,
        effort: 'low',
        fix: redundant
          ? `Fetch it once before the loop at ${site!.loop} and reuse the result (or memoise it for the request).`
          : n.fix,
        evidence: {
          pattern: redundant ? 'redundant-fetch' : 'n-plus-one',
          perRequest: n.perRequest,
          queryid: n.queryid,
          ...(n.shareOfDbTime !== undefined
            ? { shareOfDbTime: Math.round(n.shareOfDbTime * 1000) / 1000 }
            : {}),
        },
      }),
    )
  }
}

function indexFindings(
  pg: PostgresData,
  indexes: ReturnType<typeof missingIndexes>,
  source: SourceIndex,
  findings: Finding[],
): void {
  for (const ix of indexes) {
    if (ix.columns.length === 0) continue
    const query = ix.queryid ? pg.statements.find((s) => s.queryid === ix.queryid) : undefined
    const location = query ? source.locateStatement(query.query) : undefined
    const scans =
      ix.seqScans !== undefined
        ? ` ${ix.table} was scanned sequentially ${ix.seqScans} times vs ${ix.idxScans ?? 0} index scans (${ix.rows ?? '?'} rows).`
        : ''
    findings.push(
      finding({
        kind: 'missing-index',
        title: `Missing index on ${ix.table} (${ix.columns.join(', ')})`,
        detail:
          (ix.source === 'plan'
            ? `The generic plan of \`${clip(query?.query ?? '', 160)}\` has a Seq Scan on ${ix.table} with Filter ${ix.filter}.`
            : `No plan names the filter; columns guessed from the statements' WHERE clauses.`) +
          scans +
          (ix.note ? ` Note: ${ix.note}.` : ''),
        ...(location ? { location } : {}),
        ...(ix.share !== undefined ? { impact: ix.share } : {}),
        impactBasis: 'share of database time of the statements that scan the table',
        effort: 'low',
        fix: ix.statement,
        evidence: {
          table: ix.table,
          columns: ix.columns.join(', '),
          ...(ix.filter ? { filter: ix.filter } : {}),
          ...(ix.queryid ? { queryid: ix.queryid } : {}),
        },
      }),
    )
  }
}

export const UNAVAILABLE_DB = (reason: string): DbSections => {
  const u = unavailable(`PostgreSQL: ${reason}`)
  return { slowQueries: u, nPlusOne: u, indexes: u }
}
