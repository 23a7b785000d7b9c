// PostgreSQL collector: version and settings; pg_stat_statements, pg_stat_user_tables and
// pg_stat_database before and after the load (deltas); pg_stat_activity sampled during it;
// EXPLAIN (GENERIC_PLAN) of the slowest statements on 16+; the query attribution probe.
//
// Read-only and gentle: one session with default_transaction_read_only and a statement_timeout,
// never EXPLAIN ANALYZE, nothing written. Every query perfgate sends starts with /* perfgate */ so
// its own statements can be left out of pg_stat_statements.
import pg from 'pg'
import type {
  PgActivity,
  PgAttribution,
  PgDatabaseDelta,
  PgExplain,
  PgSetting,
  PgStatementDelta,
  PgTableDelta,
  PostgresData,
} from '../record/collectors.ts'
import { displayUrl } from './http.ts'
import { gatherPools, probeRequests } from './probe.ts'
import { Unavailable, type CollectContext, type Collector } from './types.ts'
import { redactStatement } from '../secrets.ts'

export const TAG = '/* perfgate */'

export const SETTINGS = [
  'max_connections',
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'maintenance_work_mem',
  'random_page_cost',
  'effective_io_concurrency',
  'max_parallel_workers_per_gather',
  'default_statistics_target',
  'jit',
  'track_io_timing',
  'pg_stat_statements.max',
  'pg_stat_statements.track',
  'idle_in_transaction_session_timeout',
  'statement_timeout',
]

export interface StatementRow {
  queryid: string
  query: string
  calls: number
  totalExecMs: number
  rows: number
  sharedBlksHit: number
  sharedBlksRead: number
}

export interface TableRow {
  table: string
  seqScan: number
  seqTupRead: number
  idxScan: number
  nLiveTup: number
}

export interface DatabaseRow {
  blksHit: number
  blksRead: number
  deadlocks: number
  tempBytes: number
  tempFiles: number
  xactCommit: number
  xactRollback: number
}

export interface Snapshot {
  statements: StatementRow[]
  tables: TableRow[]
  database: DatabaseRow
}

const round3 = (n: number) => Math.round(n * 1000) / 1000
const grew = (a: number, b: number | undefined) => (a >= (b ?? 0) ? a - (b ?? 0) : a)

/** Rows of the same queryid (one per role) summed; perfgate's own statements left out. */
export function mergeStatements(rows: StatementRow[]): Map<string, StatementRow> {
  const out = new Map<string, StatementRow>()
  for (const r of rows) {
    if (r.query.includes(TAG)) continue
    const prev = out.get(r.queryid)
    if (!prev) out.set(r.queryid, { ...r })
    else {
      prev.calls += r.calls
      prev.totalExecMs += r.totalExecMs
      prev.rows += r.rows
      prev.sharedBlksHit += r.sharedBlksHit
      prev.sharedBlksRead += r.sharedBlksRead
    }
  }
  return out
}

/** Statements that ran between two snapshots, most total time first; pure. */
export function statementDeltas(before: StatementRow[], after: StatementRow[]): PgStatementDelta[] {
  const prior = mergeStatements(before)
  const out: PgStatementDelta[] = []
  for (const [id, a] of mergeStatements(after)) {
    const b = prior.get(id)
    // An entry evicted and re-created (pg_stat_statements.max) restarts from 0: take it whole.
    const reset = b !== undefined && a.calls < b.calls
    const base = reset ? undefined : b
    const calls = a.calls - (base?.calls ?? 0)
    if (calls <= 0) continue
    const total = a.totalExecMs - (base?.totalExecMs ?? 0)
    out.push({
      queryid: id,
      query: a.query,
      calls,
      totalExecMs: round3(total),
      meanExecMs: round3(total / calls),
      rows: a.rows - (base?.rows ?? 0),
      sharedBlksHit: a.sharedBlksHit - (base?.sharedBlksHit ?? 0),
      sharedBlksRead: a.sharedBlksRead - (base?.sharedBlksRead ?? 0),
    })
  }
  return out.sort((x, y) => y.totalExecMs - x.totalExecMs)
}

export function tableDeltas(before: TableRow[], after: TableRow[]): PgTableDelta[] {
  const prior = new Map(before.map((t) => [t.table, t]))
  return after
    .map((a) => {
      const b = prior.get(a.table)
      return {
        table: a.table,
        seqScanCount: grew(a.seqScan, b?.seqScan),
        seqTupReadCount: grew(a.seqTupRead, b?.seqTupRead),
        idxScanCount: grew(a.idxScan, b?.idxScan),
        nLiveTupCount: a.nLiveTup,
      }
    })
    .filter((t) => t.seqScanCount > 0 || t.idxScanCount > 0)
    .sort((x, y) => y.seqTupReadCount - x.seqTupReadCount || y.seqScanCount - x.seqScanCount)
}

export function databaseDelta(b: DatabaseRow, a: DatabaseRow): PgDatabaseDelta {
  const hit = grew(a.blksHit, b.blksHit)
  const read = grew(a.blksRead, b.blksRead)
  return {
    blksHitCount: hit,
    blksReadCount: read,
    ...(hit + read > 0 ? { cacheHitRatio: Math.round((hit / (hit + read)) * 1e4) / 1e4 } : {}),
    deadlocksCount: grew(a.deadlocks, b.deadlocks),
    tempBytes: grew(a.tempBytes, b.tempBytes),
    tempFilesCount: grew(a.tempFiles, b.tempFiles),
    xactCommitCount: grew(a.xactCommit, b.xactCommit),
    xactRollbackCount: grew(a.xactRollback, b.xactRollback),
  }
}

export interface ActivitySample {
  total: number
  active: number
  idle: number
  idleInTransaction: number
  waiting: number
}

export function summariseActivity(samples: ActivitySample[]): PgActivity | undefined {
  if (samples.length === 0) return undefined
  const keys = ['total', 'active', 'idle', 'idleInTransaction', 'waiting'] as const
  const max = {} as ActivitySample
  const mean = {} as ActivitySample
  for (const k of keys) {
    max[k] = Math.max(...samples.map((s) => s[k]))
    mean[k] = Math.round((samples.reduce((sum, s) => sum + s[k], 0) / samples.length) * 100) / 100
  }
  return { samplesCount: samples.length, max, mean }
}

interface PlanNode {
  'Node Type'?: string
  'Total Cost'?: number
  'Relation Name'?: string
  Plans?: PlanNode[]
}

/** Root node type, cost and sequentially scanned relations of an EXPLAIN (FORMAT JSON) answer. */
export function summarisePlan(json: unknown): Pick<PgExplain, 'nodeType' | 'totalCost' | 'seqScans'> {
  const root = (Array.isArray(json) ? (json[0] as { Plan?: PlanNode })?.Plan : undefined) ?? undefined
  if (!root) return {}
  const seqScans = new Set<string>()
  const walk = (node: PlanNode) => {
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) seqScans.add(node['Relation Name'])
    node.Plans?.forEach(walk)
  }
  walk(root)
  return {
    ...(root['Node Type'] ? { nodeType: root['Node Type'] } : {}),
    ...(root['Total Cost'] !== undefined ? { totalCost: root['Total Cost'] } : {}),
    seqScans: [...seqScans],
  }
}

/** Whether a statement may be explained: plain DML, not utility commands or several statements. */
export function explainable(query: string): boolean {
  const q = query.trim().replace(/^(\/\*.*?\*\/\s*)+/s, '')
  return /^(select|with|update|delete|insert)\b/i.test(q) && !/;\s*\S/.test(q)
}

/** One line for a PostgreSQL connection or query error, with what to do about the usual ones. */
export function pgReason(error: unknown, url: string): string {
  const e = error as { code?: string; message?: string }
  const message = (e.message ?? String(error)).split('\n')[0]!
  const where = displayUrl(url)
  if (e.code === '28P01') return `PostgreSQL rejected the password in database-url (${where}): ${message}`
  if (e.code === '3D000') return `PostgreSQL: ${message} (${where}): check database-url`
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message))
    return `PostgreSQL unreachable at ${where}: connection refused`
  if (e.code === 'ENOTFOUND') return `PostgreSQL host not found: ${where}`
  return `PostgreSQL: ${message}`
}

/** Errors that mean the session itself is gone (server stopped, killed, or the network cut). */
const LOST_CONNECTION =
  /not queryable|Connection terminated|ECONNRESET|EPIPE|terminating connection|server closed the connection|the database system is shutting down/i

/**
 * One line for a database that disappeared while perfgate held its session: what happened and
 * what is missing, instead of the driver's "Client has encountered a connection error".
 */
export function lostReason(cause: unknown, atS: number | undefined): string {
  const e = cause as { code?: string; message?: string }
  const why = (e?.message ?? String(cause))
    .split('\n')[0]!
    .replace(/^Client has encountered a connection error and is not queryable$/, 'connection lost')
  const when = atS === undefined ? '' : ` after ${Math.round(atS)} s of load`
  return `the database went away during the load (${why}${when}); statistics after it are missing`
}

export interface PostgresOptions {
  /** Statements explained at most (default 5). */
  explainTop?: number
  /** Bearer token for the probe's non-GET endpoints (e.g. PERFGATE_TOKEN). */
  probeToken?: string
}

/**
 * Opens a read-only session: `default_transaction_read_only` and `statement_timeout` are set by
 * the startup packet and again with SET, then checked.
 */
export async function connectReadOnly(url: string, timeoutS: number): Promise<pg.Client> {
  const timeoutMs = Math.max(1000, Math.round(timeoutS * 1000))
  const client = new pg.Client({
    connectionString: url,
    application_name: 'perfgate',
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: Math.min(timeoutMs, 10_000),
    options: '-c default_transaction_read_only=on',
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.query(`${TAG} SET default_transaction_read_only = on`)
    await client.query(`${TAG} SET statement_timeout = ${Math.min(timeoutMs, 10_000)}`)
    await client.query(`${TAG} SET lock_timeout = 1000`)
    const { rows } = await client.query<{ ro: string }>(
      `${TAG} SELECT current_setting('default_transaction_read_only') AS ro`,
    )
    if (rows[0]?.ro !== 'on') throw new Error('could not make the session read-only')
  } catch (error) {
    await client.end().catch(() => undefined)
    throw new Unavailable(pgReason(error, url))
  }
  return client
}

export function createPostgresCollector(url: string, options: PostgresOptions = {}): Collector<PostgresData> {
  const explainTop = options.explainTop ?? 5
  let client: pg.Client | undefined
  let version = ''
  let versionNum = 0
  let settings: PgSetting[] = []
  let pgss = 'pg_stat_statements'
  let totalColumn = 'total_exec_time'
  let before: Snapshot | undefined
  let after: Snapshot | undefined
  const activity: ActivitySample[] = []
  const explains: PgExplain[] = []
  let explainNote: string | undefined
  const attribution: PgAttribution[] = []
  const attributionSkipped: { endpoint: string; reason: string }[] = []
  const files: string[] = []
  const notes: string[] = []
  /** Set when the held session breaks: the first cause the driver reported, and when. */
  let lost: { cause: unknown; atS?: number } | undefined
  let lastElapsedS = 0

  /** A query error while the session is held; a lost session becomes the one-line reason. */
  const sessionError = (error: unknown): Unavailable => {
    if (error instanceof Unavailable) return error
    if (
      lost ||
      LOST_CONNECTION.test((error as Error).message ?? '') ||
      (error as { code?: string }).code === '57P01'
    )
      return new Unavailable(lostReason(lost?.cause ?? error, lost?.atS ?? lastElapsedS))
    return new Unavailable(pgReason(error, url))
  }

  const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    if (!client) throw new Unavailable('PostgreSQL session is closed')
    return (await client.query<R>(`${TAG} ${sql}`, params)).rows
  }

  async function statements(): Promise<StatementRow[]> {
    const rows = await q<Record<string, string | number>>(
      `SELECT queryid::text AS queryid, query, calls, ${totalColumn} AS total_ms, rows, shared_blks_hit, shared_blks_read
         FROM ${pgss} WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL`,
    )
    return rows.map((r) => ({
      queryid: String(r.queryid),
      query: redactStatement(String(r.query)),
      calls: Number(r.calls),
      totalExecMs: Number(r.total_ms),
      rows: Number(r.rows),
      sharedBlksHit: Number(r.shared_blks_hit),
      sharedBlksRead: Number(r.shared_blks_read),
    }))
  }

  async function snapshot(): Promise<Snapshot> {
    const tables = await q<Record<string, string>>(
      `SELECT schemaname || '.' || relname AS t, seq_scan, seq_tup_read, coalesce(idx_scan, 0) AS idx_scan, n_live_tup
         FROM pg_stat_user_tables`,
    )
    const [db] = await q<Record<string, string>>(
      `SELECT blks_hit, blks_read, deadlocks, temp_bytes, temp_files, xact_commit, xact_rollback
         FROM pg_stat_database WHERE datname = current_database()`,
    )
    return {
      statements: await statements(),
      tables: tables.map((t) => ({
        table: t.t!,
        seqScan: Number(t.seq_scan),
        seqTupRead: Number(t.seq_tup_read),
        idxScan: Number(t.idx_scan),
        nLiveTup: Number(t.n_live_tup),
      })),
      database: {
        blksHit: Number(db?.blks_hit ?? 0),
        blksRead: Number(db?.blks_read ?? 0),
        deadlocks: Number(db?.deadlocks ?? 0),
        tempBytes: Number(db?.temp_bytes ?? 0),
        tempFiles: Number(db?.temp_files ?? 0),
        xactCommit: Number(db?.xact_commit ?? 0),
        xactRollback: Number(db?.xact_rollback ?? 0),
      },
    }
  }

  async function checkAccess() {
    const [role] = await q<{ name: string; super: boolean; stats: boolean; db: string }>(
      `SELECT current_user AS name, r.rolsuper AS super, pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS stats,
              current_database() AS db
         FROM pg_roles r WHERE r.rolname = current_user`,
    )
    if (!role) throw new Unavailable('PostgreSQL: cannot read the current role')
    if (!role.super && !role.stats)
      throw new Unavailable(
        `PostgreSQL role "${role.name}" cannot read other roles' statistics: GRANT pg_read_all_stats TO "${role.name}"`,
      )
    const [ext] = await q<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_stat_statements'`,
    )
    if (!ext)
      throw new Unavailable(
        `pg_stat_statements is not installed in database "${role.db}": add it to shared_preload_libraries (restart) and run CREATE EXTENSION pg_stat_statements`,
      )
    pgss = `${client!.escapeIdentifier(ext.schema)}.pg_stat_statements`
    const columns = await q<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass`,
      [pgss],
    )
    // PostgreSQL 13 renamed total_time to total_exec_time.
    totalColumn = columns.some((c) => c.name === 'total_exec_time') ? 'total_exec_time' : 'total_time'
    try {
      await q(`SELECT 1 FROM ${pgss} LIMIT 1`)
    } catch (error) {
      const message = (error as Error).message
      if (/shared_preload_libraries/.test(message))
        throw new Unavailable(
          'pg_stat_statements is created but not loaded: add it to shared_preload_libraries and restart PostgreSQL',
        )
      throw error
    }
  }

  async function explainSlowest(ctx: CollectContext, deltas: PgStatementDelta[]) {
    if (versionNum < 160000) {
      explainNote = `EXPLAIN (GENERIC_PLAN) needs PostgreSQL 16 or later (this server is ${version}): no plans for the slowest statements`
      return
    }
    for (const s of deltas.filter((d) => explainable(d.query)).slice(0, explainTop)) {
      if (ctx.signal.aborted) break
      try {
        const rows = await q<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON, GENERIC_PLAN) ${s.query}`)
        const plan = rows[0]?.['QUERY PLAN']
        const file = await ctx.writeFile(`explain/${s.queryid}.json`, `${JSON.stringify(plan, null, 2)}\n`)
        files.push(file)
        explains.push({ queryid: s.queryid, file, ...summarisePlan(plan) })
      } catch (error) {
        explains.push({
          queryid: s.queryid,
          error: ctx.scrubber.scrub((error as Error).message.split('\n')[0]!),
        })
      }
    }
  }

  return {
    name: 'postgres',
    async before(ctx) {
      client = await connectReadOnly(url, ctx.plan.collectors.timeoutS)
      const held = client
      const onLost = (cause?: unknown) => {
        if (client === held) lost ??= { cause: cause ?? new Error('connection closed'), atS: lastElapsedS }
      }
      held.on('error', onLost)
      held.on('end', () => onLost())
      try {
        const [v] = await q<{ v: string; n: string }>(
          `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`,
        )
        version = v!.v
        versionNum = Number(v!.n)
        settings = (
          await q<{ name: string; value: string }>(
            `SELECT name, current_setting(name) AS value FROM pg_settings WHERE name = ANY($1) ORDER BY name`,
            [SETTINGS],
          )
        ).map((r) => ({ name: r.name, value: r.value }))
        await checkAccess()
        before = await snapshot()
      } catch (error) {
        if (error instanceof Unavailable) throw error
        throw new Unavailable(pgReason(error, url))
      }
      files.push(
        await ctx.writeFile(
          'db_stats_before.json',
          `${JSON.stringify({ tables: before.tables, database: before.database }, null, 2)}\n`,
        ),
      )
    },
    async sample(ctx) {
      lastElapsedS = ctx.elapsedS
      if (lost) throw sessionError(lost.cause)
      const [row] = await q<Record<string, string>>(
        `SELECT count(*) AS total,
                count(*) FILTER (WHERE state = 'active') AS active,
                count(*) FILTER (WHERE state = 'idle') AS idle,
                count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS iit,
                count(*) FILTER (WHERE state = 'active' AND wait_event_type IN ('Lock', 'LWLock', 'BufferPin')) AS waiting
           FROM pg_stat_activity
          WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()`,
      ).catch((error: unknown) => {
        throw sessionError(error)
      })
      activity.push({
        total: Number(row?.total ?? 0),
        active: Number(row?.active ?? 0),
        idle: Number(row?.idle ?? 0),
        idleInTransaction: Number(row?.iit ?? 0),
        waiting: Number(row?.waiting ?? 0),
      })
    },
    async after(ctx) {
      lastElapsedS = Math.max(lastElapsedS, ctx.elapsedS)
      try {
        if (lost) throw lost.cause
        after = await snapshot()
      } catch (error) {
        throw sessionError(error)
      }
      files.push(
        await ctx.writeFile(
          'db_stats_after.json',
          `${JSON.stringify({ tables: after.tables, database: after.database }, null, 2)}\n`,
        ),
      )
      files.push(
        await ctx.writeFile(
          'pg_stat_statements.json',
          `${JSON.stringify({ before: before!.statements, after: after.statements }, null, 2)}\n`,
        ),
      )
      await explainSlowest(ctx, statementDeltas(before!.statements, after.statements))
    },
    async probe(ctx) {
      const perEndpoint = ctx.plan.collectors.probeRequests
      if (perEndpoint <= 0) return
      const pools = await gatherPools(ctx, options.probeToken)
      const { requests, skipped } = probeRequests(ctx.plan.endpoints, pools)
      attributionSkipped.push(...skipped)
      const base = ctx.plan.targetUrl.replace(/\/+$/, '')
      for (const r of requests) {
        if (ctx.signal.aborted) {
          attributionSkipped.push({ endpoint: r.endpoint, reason: 'the probe ran out of time' })
          continue
        }
        const s0 = await statements()
        let ok = 0
        for (let i = 0; i < perEndpoint; i++) {
          try {
            const response = await ctx.deps.fetch(`${base}${r.path}`, {
              method: r.method,
              headers: r.headers,
              ...(r.body !== undefined ? { body: r.body } : {}),
              signal: ctx.signal,
            })
            await response.arrayBuffer()
            if (response.ok) ok++
          } catch {
            // counted as not ok
          }
        }
        const deltas = statementDeltas(s0, await statements())
        const calls = deltas.reduce((sum, d) => sum + d.calls, 0)
        const time = deltas.reduce((sum, d) => sum + d.totalExecMs, 0)
        attribution.push({
          endpoint: r.endpoint,
          method: r.method,
          path: r.path,
          requestsCount: perEndpoint,
          okCount: ok,
          statementsPerRequest: round3(calls / perEndpoint),
          dbTimeMsPerRequest: round3(time / perEndpoint),
          statements: deltas
            .sort((a, b) => b.calls - a.calls)
            .slice(0, 20)
            .map((d) => ({
              queryid: d.queryid,
              query: d.query,
              callsPerRequest: round3(d.calls / perEndpoint),
              meanExecMs: d.meanExecMs,
            })),
        })
      }
    },
    async close() {
      const c = client
      client = undefined
      await c?.end().catch(() => undefined)
    },
    result() {
      if (!before || !after)
        throw new Unavailable('PostgreSQL statistics were not read before and after the load')
      const current = new Set(after.statements.map((s) => s.queryid))
      if (before.statements.some((s) => !current.has(s.queryid)))
        notes.push(
          'some pg_stat_statements entries were evicted during the load: raise pg_stat_statements.max',
        )
      const activitySummary = summariseActivity(activity)
      const deltas = statementDeltas(before.statements, after.statements)
      return {
        files,
        version,
        versionNum,
        settings,
        statements: deltas.slice(0, 100),
        totals: {
          calls: deltas.reduce((sum, d) => sum + d.calls, 0),
          totalExecMs: round3(deltas.reduce((sum, d) => sum + d.totalExecMs, 0)),
        },
        statementsTracked: after.statements.length,
        tables: tableDeltas(before.tables, after.tables),
        database: databaseDelta(before.database, after.database),
        ...(activitySummary ? { activity: activitySummary } : {}),
        explains,
        ...(explainNote ? { explainNote } : {}),
        attribution,
        attributionSkipped,
        notes,
      }
    },
  }
}
