// 4. Bottleneck Analysis: database queries (slow, N+1, missing indexes), caching, external
// dependencies and application areas.
import {
  SLOW_QUERY_MEAN_MS,
  SLOW_QUERY_MIN_BLOCKS_PER_CALL,
  SLOW_QUERY_TOP_BY_TOTAL,
  SLOW_QUERY_TOP_MIN_DB_SHARE,
} from '../../analyze/findings/rules.ts'
import type { IndexSuggestion, SlowQuery } from '../../record/analysis.ts'
import { isUnavailable } from '../../record/common.ts'
import { codeSpan, kv, list, note, notCollected, para, plain, section, strong } from '../blocks.ts'
import { analysisMissing, profileMissing, type ReportContext } from '../context.ts'
import { findingItem, findingsOf, impactText } from '../findings.ts'
import { dataOf, deltaCell, relChange, sentence } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { Block, Section } from '../model.ts'

function queryType(query: string): string {
  const m = /^\s*(?:with\b[\s\S]*?\)\s*)?([a-z]+)/i.exec(query)
  return (m?.[1] ?? 'other').toUpperCase()
}

/** What the table lists (analyze/db.ts slowQueries), so the heading names it; the finding rule is
 * stricter and stated in each finding and in docs/findings.md. */
const SLOW_QUERIES_TITLE =
  `Slow Queries (mean > ${SLOW_QUERY_MEAN_MS} ms, ≥ ${SLOW_QUERY_MIN_BLOCKS_PER_CALL.toLocaleString('en-US')} buffers per call, ` +
  `or top ${SLOW_QUERY_TOP_BY_TOTAL} by DB time with ≥ ${SLOW_QUERY_TOP_MIN_DB_SHARE * 100} %)`

function slowQueriesSection(ctx: ReportContext): Section {
  const slow = dataOf(ctx.analysis?.slowQueries)
  if (!slow)
    return section('slow-queries', SLOW_QUERIES_TITLE, [
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
    blocks.push(
      note(
        `No statement averaged over ${SLOW_QUERY_MEAN_MS} ms, touched ${SLOW_QUERY_MIN_BLOCKS_PER_CALL.toLocaleString('en-US')} buffers per call or took ${SLOW_QUERY_TOP_MIN_DB_SHARE * 100} % of database time during the load.`,
      ),
    )
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
  return section('slow-queries', SLOW_QUERIES_TITLE, blocks)
}

function nPlusOneSection(ctx: ReportContext): Section {
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

function indexesSection(ctx: ReportContext): Section {
  const indexes = dataOf(ctx.analysis?.indexes)
  if (!indexes) {
    // Collected but not checked (every EXPLAIN failed): the reason and its fix, not "not collected".
    const missing = ctx.analysis?.indexes
    return section('missing-indexes', 'Missing Indexes', [
      missing && isUnavailable(missing) && !isUnavailable(ctx.record.postgres)
        ? note(`Missing indexes ${sentence(missing.unavailable)}.`)
        : notCollected(analysisMissing(ctx, missing, ctx.record.postgres)),
    ])
  }
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
      ? list(idx.map((f) => ({ text: [codeSpan(f.fix), plain(` - ${f.title}`)] })))
      : indexes.some((ix) => ix.statement)
        ? list(indexes.filter((ix) => ix.statement).map((ix) => ({ text: [codeSpan(ix.statement)] })))
        : note('None: no index suggestion in this run.'),
  ])
}

function cachingSection(ctx: ReportContext): Section {
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
      ...cacheF.map((f) => findingItem(f)),
      {
        text: `Cache evictions: ${cache.evictions > 0 ? 'HIGH' : 'LOW'} (${fmt.count(cache.evictions)} evicted, ${fmt.count(cache.expired)} expired during the load; policy ${cache.policy || 'not reported'})`,
      },
      // The prefixes without a TTL are in the table below (and in their finding), listed once.
      ...(cache.prefixes.length > 0 && noTtl.length === 0
        ? [{ text: 'TTL optimization needed: no key prefix without a TTL in the sample' }]
        : []),
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
      ? list(cacheF.map((f) => ({ text: f.fix })))
      : note(
          'None: nothing was evicted and every sampled prefix has a TTL (a hit rate below target alone is judged by its SLO, not here).',
        ),
  )
  return section('caching', '4.2 Caching Issues', blocks)
}

function dependenciesSection(ctx: ReportContext): Section {
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

function applicationSection(ctx: ReportContext): Section {
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

export function bottlenecks(ctx: ReportContext): Section {
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
