// analyzeRecord: the pure core of analysis. From the record and what the I/O shell loaded
// (decoded profiles, EXPLAIN plans, the source index) it computes AnalysisData and the
// findings, each with an estimated impact, a tier, an effort and what to do.
import { DEFAULT_AREAS } from '../plan/defaults.ts'
import type { AreaPattern } from '../plan/types.ts'
import type { AnalysisData, CacheAnalysis, DependencySummary } from '../record/analysis.ts'
import type { PrometheusData, ProfileKind, RedisData } from '../record/collectors.ts'
import { isUnavailable, type Part } from '../record/common.ts'
import type { Finding } from '../record/findings.ts'
import type { RunRecord } from '../record/index.ts'
import { clip, missingIndexes, nPlusOnePatterns, slowQueries, totalDbMs, type PlansById } from './db.ts'
import {
  areaBreakdown,
  contentionOf,
  endpointOfStack,
  goroutineAnalysis,
  isApplicationFunction,
  profileDiffs,
  topOf,
  type DecodedProfiles,
  type ProfileTopWithApp,
} from './profiles.ts'
import { percent, tierOf } from './recommend.ts'
import { EMPTY_SOURCE_INDEX, shortFunctionName, type SourceIndex } from './source.ts'

export interface AnalysisInputs {
  /** Decoded profiles by kind. */
  profiles: DecodedProfiles
  /** Profiles that were named in the record but could not be read or decoded. */
  profileErrors: { kind: ProfileKind; reason: string }[]
  /** The baseline run's decoded profiles, for the diff. */
  baselineProfiles?: DecodedProfiles
  /** EXPLAIN (FORMAT JSON) answers by queryid; a string is why that plan could not be read. */
  plans: PlansById
  /** Where statements and functions are in the checked-out repository. */
  source: SourceIndex
  /** Go module paths of the repository (from go.mod), to tell application frames apart. */
  appPrefixes: string[]
}

export interface AnalyzeOptions {
  /** Areas for the bottleneck breakdown (plan.collectors.areas); default perfgate's. */
  areas?: AreaPattern[]
  /** A dependency is slow above this p95 (default 100 ms). */
  slowDependencyP95Ms?: number
}

export const EMPTY_INPUTS: AnalysisInputs = {
  profiles: {},
  profileErrors: [],
  plans: {},
  source: EMPTY_SOURCE_INDEX,
  appPrefixes: [],
}

/** Area → what to do when it takes a large share of CPU. */
const AREA_FIXES: { match: RegExp; fix: string; effort: Finding['effort'] }[] = [
  {
    match: /json/i,
    fix: 'Encode less: smaller response structs, stream with json.NewEncoder, or a faster encoder (e.g. goccy/go-json); cache encoded responses of hot read endpoints.',
    effort: 'medium',
  },
  {
    match: /routing|middleware/i,
    fix: 'Trim per-request middleware work (logging, metrics labels, regex routing); move expensive checks off the hot path.',
    effort: 'medium',
  },
  {
    match: /database|driver|sql/i,
    fix: 'Fewer round trips: batch or join queries (see the N+1 findings), select only needed columns, reuse prepared statements.',
    effort: 'medium',
  },
  { match: /redis/i, fix: 'Pipeline or MGET Redis calls; avoid a round trip per item.', effort: 'medium' },
  {
    match: /gc|alloc/i,
    fix: 'Reduce allocations in the allocation hotspots (reuse buffers, sync.Pool, preallocate slices); consider GOGC/GOMEMLIMIT.',
    effort: 'medium',
  },
  {
    match: /syscall|network|i\/o/i,
    fix: 'Fewer, larger reads and writes; reuse connections (keep-alive, pool sizes).',
    effort: 'medium',
  },
]

function unavailable(reason: string): { unavailable: string } {
  return { unavailable: reason }
}

function finding(f: Omit<Finding, 'tier'>): Finding {
  return { ...f, tier: tierOf(f.impact) }
}

function requestsByEndpoint(record: RunRecord): Record<string, number> {
  const out: Record<string, number> = {}
  if (!isUnavailable(record.load)) for (const e of record.load.endpoints) out[e.name] = e.count
  for (const e of record.plan.endpoints) out[e.name] ??= 0
  return out
}

/**
 * analyzeRecord computes AnalysisData and the findings of one run. Pure: everything it needs
 * that is not in the record comes in `inputs` (see loadAnalysisInputs). Never throws on odd
 * data: a section it cannot compute is `{ unavailable: reason }`.
 */
export function analyzeRecord(
  record: RunRecord,
  inputs: AnalysisInputs,
  options: AnalyzeOptions = {},
): { findings: Finding[]; analysis: AnalysisData } {
  const notes: string[] = []
  const findings: Finding[] = []
  const source = inputs.source
  const endpoints = record.plan.endpoints.map((e) => e.name)

  // ---- Database
  let slow: AnalysisData['slowQueries']
  let nPlusOne: AnalysisData['nPlusOne']
  let indexes: AnalysisData['indexes']
  const pg = record.postgres
  if (isUnavailable(pg)) {
    slow = nPlusOne = indexes = unavailable(`PostgreSQL: ${pg.unavailable}`)
  } else {
    const dbTotal = totalDbMs(pg)
    slow = slowQueries(pg, source)
    const n1 = nPlusOnePatterns(pg, source)
    // One finding per statement: the endpoint whose queries it makes up most of (traffic from
    // elsewhere during the probe adds statements to other endpoints, rarely at that share).
    nPlusOne = n1
    const ratio = (n: (typeof n1)[number]) => n.perRequest / Math.max(n.statementsPerRequest, 1)
    const chosen = new Map<string, (typeof n1)[number]>()
    for (const n of n1) {
      const prev = chosen.get(n.queryid)
      if (!prev || ratio(n) > ratio(prev)) chosen.set(n.queryid, n)
    }
    for (const n of chosen.values()) {
      const also = n1
        .filter((m) => m.queryid === n.queryid && m.endpoint !== n.endpoint)
        .map((m) => m.endpoint)
      findings.push(
        finding({
          kind: 'n-plus-one',
          title: `N+1: ${n.perRequest} queries per request on ${n.table ?? 'one table'}`,
          detail:
            `${n.endpoint} runs \`${clip(n.query, 160)}\` ${n.perRequest} times per request ` +
            `(${n.statementsPerRequest} statements per request in all)` +
            (also.length ? `; also repeated in ${also.join(', ')}` : '') +
            '.',
          endpoint: n.endpoint,
          ...(n.location ? { location: n.location } : {}),
          impact: n.shareOfEndpointDbTime,
          impactBasis:
            n.shareBasis === 'queries'
              ? `share of ${n.endpoint}'s queries per request (each a round trip)`
              : `share of ${n.endpoint}'s database time per request`,
          effort: 'low',
          fix: n.fix,
          evidence: {
            perRequest: n.perRequest,
            queryid: n.queryid,
            ...(n.shareOfDbTime !== undefined
              ? { shareOfDbTime: Math.round(n.shareOfDbTime * 1000) / 1000 }
              : {}),
          },
        }),
      )
    }
    indexes = missingIndexes(pg, inputs.plans, notes)
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
    for (const q of slow) {
      // A slow query already explained by a missing index or an N+1 is not reported twice.
      if (indexes.some((ix) => ix.queryid === q.queryid) || n1.some((n) => n.queryid === q.queryid)) continue
      findings.push(
        finding({
          kind: 'slow-query',
          title: `Slow query: ${q.meanMs.toFixed(1)} ms mean, ${percent(q.share)} of database time`,
          detail:
            `\`${clip(q.query, 200)}\` ran ${q.calls} times, ${q.meanMs.toFixed(2)} ms mean, ` +
            `${(q.totalMs / 1000).toFixed(2)} s in all (${q.reasons.join(', ')})` +
            (q.seqScans?.length ? `; its plan scans ${q.seqScans.join(', ')} sequentially` : '') +
            '.',
          ...(q.location ? { location: q.location } : {}),
          impact: q.share,
          impactBasis: 'share of database time',
          effort: 'medium',
          fix: `EXPLAIN (ANALYZE, BUFFERS) it with real parameters; add an index for its filter and sort, or cache its result.`,
          evidence: { queryid: q.queryid, calls: q.calls, meanMs: Math.round(q.meanMs * 100) / 100 },
        }),
      )
    }
    if (dbTotal === 0) notes.push('PostgreSQL: no application statements ran during the load')
    if (pg.explainNote) notes.push(pg.explainNote)
  }

  // ---- Cache
  const cache = cacheAnalysis(record.redis, record.plan.slos.cacheHitRate?.value ?? 0.8, findings)

  // ---- External dependencies
  const dependencies = dependencyAnalysis(record.prometheus, options.slowDependencyP95Ms ?? 100, findings)

  // ---- Profiles
  const profileSections = analyzeProfiles(record, inputs, options, findings, notes, endpoints)

  return {
    findings,
    analysis: {
      ...profileSections,
      slowQueries: slow,
      nPlusOne,
      indexes,
      cache,
      dependencies,
      notes,
    },
  }
}

function cacheAnalysis(redis: Part<RedisData>, target: number, findings: Finding[]): Part<CacheAnalysis> {
  if (isUnavailable(redis)) return unavailable(`Redis: ${redis.unavailable}`)
  const lookups = redis.hitsCount + redis.missesCount
  const prefixes = redis.sample.prefixes.map((p) => ({
    prefix: p.prefix,
    keys: p.keysCount,
    noTtl: p.ttl.none,
    shortTtl: p.ttl.lt1m,
    memoryBytes: p.memoryBytes,
  }))
  const data: CacheAnalysis = {
    ...(redis.hitRate !== undefined ? { hitRate: redis.hitRate } : {}),
    target,
    hits: redis.hitsCount,
    misses: redis.missesCount,
    evictions: redis.evictedKeysCount,
    expired: redis.expiredKeysCount,
    memoryUsedBytes: redis.memory.usedBytes,
    maxmemoryBytes: redis.memory.maxmemoryBytes,
    policy: redis.memory.policy,
    prefixes: prefixes.map(({ prefix, keys, noTtl, shortTtl }) => ({ prefix, keys, noTtl, shortTtl })),
  }
  if (redis.hitRate !== undefined && lookups >= 20 && redis.hitRate < target) {
    const shortLived = prefixes.filter((p) => p.keys > 0 && p.shortTtl / p.keys >= 0.8).map((p) => p.prefix)
    findings.push(
      finding({
        kind: 'cache',
        title: `Cache hit rate ${percent(redis.hitRate)} below the ${percent(target, 0)} target`,
        detail:
          `${redis.hitsCount} hits, ${redis.missesCount} misses over the load` +
          (shortLived.length ? `; keys of ${shortLived.join(', ')} expire within a minute` : '') +
          '.',
        impact: 1 - redis.hitRate,
        impactBasis: 'share of cache lookups that missed',
        effort: 'medium',
        fix:
          (shortLived.length
            ? `Lengthen the TTL of ${shortLived.join(', ')} (or refresh ahead of expiry); `
            : '') + 'cache the hot read paths that still reach the database; warm the cache after deploys.',
        evidence: { hitRate: Math.round(redis.hitRate * 10000) / 10000, misses: redis.missesCount },
      }),
    )
  }
  if (redis.evictedKeysCount > 0) {
    findings.push(
      finding({
        kind: 'cache',
        title: `${redis.evictedKeysCount} keys evicted during the load`,
        detail: `Redis evicted keys under its ${redis.memory.policy} policy (used ${redis.memory.usedBytes} of ${redis.memory.maxmemoryBytes} bytes).`,
        impact: lookups > 0 ? Math.min(1, redis.evictedKeysCount / lookups) : 0,
        impactBasis: 'evictions per cache lookup',
        effort: 'low',
        fix: 'Raise maxmemory, or shrink values and give every key a TTL so expiry, not eviction, frees memory.',
        evidence: { evictions: redis.evictedKeysCount },
      }),
    )
  }
  const used = Math.max(redis.memory.usedBytes, 1)
  for (const p of prefixes) {
    if (p.keys < 10 || p.noTtl / p.keys < 0.5) continue
    findings.push(
      finding({
        kind: 'cache',
        title: `Keys without TTL: ${p.prefix}`,
        detail: `${p.noTtl} of ${p.keys} sampled ${p.prefix} keys never expire (${p.memoryBytes} bytes sampled); they grow until eviction.`,
        impact: Math.min(1, p.memoryBytes / used),
        impactBasis: 'share of Redis memory',
        effort: 'low',
        fix: `Set a TTL when writing ${p.prefix} keys (SET … EX, or EXPIRE after INCR).`,
        evidence: { prefix: p.prefix, noTtl: p.noTtl, keys: p.keys },
      }),
    )
  }
  return data
}

function dependencyAnalysis(
  prom: Part<PrometheusData>,
  slowP95Ms: number,
  findings: Finding[],
): Part<DependencySummary[]> {
  if (isUnavailable(prom)) return unavailable(`Prometheus: ${prom.unavailable}`)
  const requestSeconds = prom.routes.reduce((sum, r) => sum + r.sumSeconds, 0)
  const out: DependencySummary[] = []
  for (const d of prom.dependencies) {
    if (d.count === 0) continue
    const slow = (d.p95Ms ?? 0) > slowP95Ms
    out.push({
      name: d.name,
      count: d.count,
      ...(d.p50Ms !== undefined ? { p50Ms: d.p50Ms } : {}),
      ...(d.p95Ms !== undefined ? { p95Ms: d.p95Ms } : {}),
      ...(d.meanMs !== undefined ? { meanMs: d.meanMs } : {}),
      slow,
    })
    const share = requestSeconds > 0 ? Math.min(1, d.sumSeconds / requestSeconds) : undefined
    if (!slow && !(share !== undefined && share >= 0.1)) continue
    findings.push(
      finding({
        kind: 'external-dependency',
        title: `Slow dependency: ${d.name} p95 ${d.p95Ms?.toFixed(0) ?? '?'} ms`,
        detail: `${d.count} calls, p50 ${d.p50Ms?.toFixed(1) ?? '?'} ms, p95 ${d.p95Ms?.toFixed(1) ?? '?'} ms; ${percent(share)} of the time spent serving requests.`,
        ...(share !== undefined ? { impact: share } : {}),
        impactBasis: 'share of request time spent waiting on the dependency',
        effort: 'medium',
        fix: 'Cache its answers, call it concurrently or off the request path, and set a tight timeout with a fallback.',
        evidence: { name: d.name, count: d.count },
      }),
    )
  }
  return out
}

function analyzeProfiles(
  record: RunRecord,
  inputs: AnalysisInputs,
  options: AnalyzeOptions,
  findings: Finding[],
  notes: string[],
  endpoints: string[],
): Pick<AnalysisData, 'profiles' | 'areas' | 'goroutines' | 'contention' | 'diff'> {
  const profilesPart = record.profiles
  const prom = isUnavailable(record.prometheus) ? undefined : record.prometheus
  const requests = isUnavailable(record.load) ? undefined : record.load.overall.count
  const perEndpoint = requestsByEndpoint(record)
  const profiles = inputs.profiles
  const errors = new Map(inputs.profileErrors.map((e) => [e.kind, e.reason]))
  const why = (kind: ProfileKind): string =>
    errors.get(kind) ??
    (isUnavailable(profilesPart)
      ? `profiles: ${profilesPart.unavailable}`
      : (profilesPart.missing.find((m) => m.kind === kind)?.reason ?? `no ${kind} profile`))
  for (const [kind, reason] of errors) notes.push(`${kind} profile: ${reason}`)

  // Top tables.
  const tops: ProfileTopWithApp[] = []
  const topNotes: string[] = []
  const kinds: ProfileKind[] = ['cpu', 'heap', 'allocs', 'goroutine_after', 'block', 'mutex']
  for (const kind of kinds) {
    const p = profiles[kind] ?? (kind === 'goroutine_after' ? profiles.goroutine_during : undefined)
    if (!p) {
      topNotes.push(`${kind}: ${why(kind)}`)
      continue
    }
    const t = topOf(kind, p, inputs.appPrefixes)
    if (!t.ok) topNotes.push(`${kind}: ${t.reason}`)
    else tops.push(t.value)
  }

  // CPU hotspot.
  const cpuTop = tops.find((t) => t.kind === 'cpu')
  if (cpuTop) {
    const hot = cpuTop.application[0]
    const seconds = cpuTop.sampleUnit === 'nanoseconds' ? cpuTop.total / 1e9 : undefined
    // Own work (flat) names a hotspot; a wrapper with only cum (ServeHTTP, middleware) does not.
    if (hot && hot.flatPct >= 5 && hot.cumPct >= 10 && cpuTop.total > 0) {
      const location = inputs.source.locateFunction(hot.name)
      const ep = endpointOfStack([hot.name], endpoints, inputs.source)
      findings.push(
        finding({
          kind: 'cpu-hotspot',
          title: `CPU hotspot: ${shortFunctionName(hot.name)} (${hot.flatPct.toFixed(1)}% flat, ${hot.cumPct.toFixed(1)}% cum)`,
          detail:
            `${hot.name} is the top application function of the CPU profile: ${hot.flatText} flat, ${hot.cumText} cum` +
            (seconds !== undefined ? ` of ${seconds.toFixed(2)} s sampled` : '') +
            (ep ? `; it serves ${ep.endpoint} (${ep.basis})` : '') +
            '.',
          ...(ep ? { endpoint: ep.endpoint } : {}),
          ...(location ? { location } : {}),
          impact: hot.cumPct / 100,
          impactBasis: 'share of CPU (cum)',
          effort: 'medium',
          fix: `Make ${shortFunctionName(hot.name)} cheaper or call it less: cache its result (e.g. in Redis with a TTL), precompute it, or reduce the work per call.`,
          evidence: { function: hot.name, flatPct: hot.flatPct, cumPct: hot.cumPct },
        }),
      )
    }
  }
  // Allocation hotspots: application functions with at least 10 % of allocated bytes.
  const allocTop = tops.find((t) => t.kind === 'allocs')
  if (allocTop && allocTop.total > 0) {
    for (const row of allocTop.application.slice(0, 3)) {
      if (row.flatPct < 10) continue
      const location = inputs.source.locateFunction(row.name)
      findings.push(
        finding({
          kind: 'allocation-hotspot',
          title: `Allocation hotspot: ${shortFunctionName(row.name)} (${row.flatPct.toFixed(1)}% of allocated bytes)`,
          detail: `${row.name} allocated ${row.flatText} (${row.flatPct.toFixed(1)}% of bytes allocated since the process started).`,
          ...(location ? { location } : {}),
          impact: row.flatPct / 100,
          impactBasis: 'share of allocated bytes',
          effort: 'medium',
          fix: 'Allocate less per call: preallocate slices and maps, reuse buffers (sync.Pool), avoid converting between string and []byte.',
          evidence: { function: row.name, flatPct: row.flatPct },
        }),
      )
    }
  }

  // Areas.
  // Application frames stop the walk up the stack too, so a sample in the user's code is not
  // credited to a router or middleware frame far above it.
  const appArea = inputs.appPrefixes.length
    ? [
        {
          area: 'application code',
          patterns: inputs.appPrefixes.map((p) => '^' + p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '[./]'),
        },
      ]
    : []
  const areas = [...(options.areas ?? DEFAULT_AREAS), ...appArea]
  const breakdowns = []
  const areaNotes: string[] = []
  for (const kind of ['cpu', 'allocs'] as const) {
    const p = profiles[kind]
    if (!p) continue
    const b = areaBreakdown(kind, p, areas, inputs.appPrefixes)
    if (!b.ok) areaNotes.push(`${kind}: ${b.reason}`)
    else breakdowns.push(b.value)
  }
  const cpuAreas = breakdowns.find((b) => b.kind === 'cpu')
  for (const s of cpuAreas?.shares ?? []) {
    if (s.share < 0.15 || /^(application code|other)$/.test(s.area)) continue
    const fix = AREA_FIXES.find((f) => f.match.test(s.area))
    findings.push(
      finding({
        kind: 'bottleneck-area',
        title: `${s.area}: ${percent(s.share)} of CPU`,
        detail: `Samples whose innermost recognised frame belongs to ${s.area} take ${percent(s.share)} of the CPU profile.`,
        impact: s.share,
        impactBasis: 'share of CPU',
        effort: fix?.effort ?? 'medium',
        fix: fix?.fix ?? `Look at the ${s.area} frames in the CPU table and reduce their work per request.`,
        evidence: { area: s.area },
      }),
    )
  }

  // Goroutines.
  const runtimeCounts = prom
    ? {
        ...(prom.runtime.before.goroutines !== undefined ? { before: prom.runtime.before.goroutines } : {}),
        ...(prom.runtime.goroutinesMax !== undefined ? { during: prom.runtime.goroutinesMax } : {}),
        ...(prom.runtime.after.goroutines !== undefined ? { after: prom.runtime.after.goroutines } : {}),
      }
    : {}
  const g = goroutineAnalysis(profiles, runtimeCounts, requests, perEndpoint, inputs.source)
  if (g.ok && g.value.leakSuspected) {
    const top = g.value.topStacks[0]
    const after = g.value.after ?? 0
    findings.push(
      finding({
        kind: 'goroutine-leak',
        title: `Goroutine leak: +${g.value.growth} goroutines` + (top?.endpoint ? ` on ${top.endpoint}` : ''),
        detail:
          g.value.reason +
          '.' +
          (top
            ? ` ${top.count} of them wait in ${top.waitingIn}, started as ${top.entry}` +
              (top.endpoint ? ` by ${top.endpoint} (${top.endpointBasis})` : '') +
              '.'
            : ''),
        ...(top?.endpoint ? { endpoint: top.endpoint } : {}),
        ...(top?.location ? { location: top.location } : {}),
        impact: after > 0 ? Math.min(1, (g.value.growth ?? 0) / after) : undefined,
        impactBasis: 'share of the goroutines after the cool-down that leaked',
        effort: 'low',
        fix: top
          ? `Make ${shortFunctionName(top.entry)} always return: buffer or drain the channel it blocks on in ${shortFunctionName(top.waitingIn)}, or select on a context's Done().`
          : 'Make every goroutine the requests start return: cancel with a context, buffer or drain channels.',
        evidence: {
          before: g.value.before ?? 0,
          after,
          growth: g.value.growth ?? 0,
          ...(top ? { function: top.entry, waitingIn: top.waitingIn } : {}),
        },
      }),
    )
  }

  // Contention.
  const contention = []
  const contentionNotes: string[] = []
  const durationS = isUnavailable(record.load) ? undefined : record.load.durationS
  for (const kind of ['block', 'mutex'] as const) {
    const p = profiles[kind]
    if (!p) {
      contentionNotes.push(`${kind}: ${why(kind)}`)
      continue
    }
    const c = contentionOf(kind, p, inputs.source)
    if (!c.ok) contentionNotes.push(`${kind}: ${c.reason}`)
    else contention.push(c.value)
  }
  const lockSites = new Map<string, { kind: string; site: (typeof contention)[number]['sites'][number] }>()
  const isLock = (blockedIn: string) =>
    /^(sync\.|internal\/sync\.|runtime\.semacquire|runtime\.lock)/.test(blockedIn)
  for (const c of contention) {
    // Shares among lock waits only: channel and select waits (idle connections) dwarf them.
    const lockDelay = c.sites.filter((s) => isLock(s.blockedIn)).reduce((sum, s) => sum + s.delayNs, 0)
    for (const site of c.sites) {
      if (!isLock(site.blockedIn) || !isApplicationFunction(site.function, inputs.appPrefixes)) continue
      if (site.delayNs < 1e6 || site.delayNs / lockDelay < 0.05) continue
      const prev = lockSites.get(site.function)
      if (!prev || (prev.kind === 'block' && c.kind === 'mutex'))
        lockSites.set(site.function, { kind: c.kind, site })
    }
  }
  for (const [fn, { kind, site }] of lockSites) {
    const ep = endpointOfStack([fn, ...site.callers], endpoints, inputs.source)
    const epLoad =
      ep && !isUnavailable(record.load)
        ? record.load.endpoints.find((e) => e.name === ep.endpoint)
        : undefined
    const latencyMs = epLoad ? epLoad.count * epLoad.duration.meanMs : undefined
    const impact =
      latencyMs && latencyMs > 0
        ? Math.min(1, site.delayNs / 1e6 / latencyMs)
        : durationS
          ? Math.min(1, site.delayNs / 1e9 / durationS)
          : site.share
    findings.push(
      finding({
        kind: 'contention',
        title: `Lock contention in ${shortFunctionName(fn)} (${site.delayText} waiting)`,
        detail:
          `${kind} profile: ${fn} waits in ${site.blockedIn} (${site.contentions} contentions, ${site.delayText}, ` +
          `${percent(site.share)} of the profile's delay)` +
          (ep ? `; it serves ${ep.endpoint}` : '') +
          '.',
        ...(ep ? { endpoint: ep.endpoint } : {}),
        ...(site.location ? { location: site.location } : {}),
        impact,
        impactBasis: latencyMs
          ? `share of ${ep!.endpoint}'s latency spent waiting for the lock`
          : 'share of the load time spent waiting for the lock',
        effort: 'medium',
        fix: `Hold the lock in ${shortFunctionName(fn)} for less: not across I/O or database transactions; use per-key locks or the database's row locks instead of one global mutex.`,
        evidence: { function: fn, blockedIn: site.blockedIn, contentions: site.contentions },
      }),
    )
  }

  // Diff vs baseline.
  let diff: AnalysisData['diff']
  if (!inputs.baselineProfiles) diff = unavailable('no baseline profiles')
  else {
    const diffNotes: string[] = []
    const d = profileDiffs(profiles, inputs.baselineProfiles, diffNotes)
    notes.push(...diffNotes)
    diff = d.length > 0 || diffNotes.length === 0 ? d : unavailable(diffNotes[0]!)
    for (const x of d.filter((x) => x.kind === 'cpu')) {
      const grew = x.rows.find((r) => isApplicationFunction(r.name, inputs.appPrefixes) && r.deltaPct >= 10)
      if (!grew) continue
      findings.push(
        finding({
          kind: 'cpu-hotspot',
          title: `CPU share of ${shortFunctionName(grew.name)} grew by ${grew.deltaPct.toFixed(1)} points`,
          detail: `${grew.name}: ${grew.basePct.toFixed(1)}% of CPU in the baseline, ${grew.currentPct.toFixed(1)}% now.`,
          impact: grew.deltaPct / 100,
          impactBasis: 'growth of the CPU share vs the baseline',
          effort: 'medium',
          fix: `Review the change to ${shortFunctionName(grew.name)} and its callers in this pull request.`,
          evidence: { function: grew.name, basePct: grew.basePct, currentPct: grew.currentPct },
        }),
      )
    }
  }

  return {
    profiles: tops.length > 0 ? { tops, notes: topNotes } : unavailable(topNotes[0] ?? 'no profiles'),
    areas: breakdowns.length > 0 ? breakdowns : unavailable(areaNotes[0] ?? why('cpu')),
    goroutines: g.ok ? g.value : unavailable(g.reason),
    contention:
      contention.length > 0
        ? contention
        : unavailable(contentionNotes.join('; ') || 'no block or mutex profile'),
    diff,
  }
}
