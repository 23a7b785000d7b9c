// Profile analysis over decoded pprof profiles: top tables, application hotspots, area shares,
// goroutine leak with its creating stacks and endpoint, contention sites, diff vs baseline.
// Uses the pprof helpers in ./pprof/ for every computation on a profile.
import type {
  AreaBreakdown,
  ContentionData,
  GoroutineAnalysis,
  GoroutineGroup,
  ProfileTop,
  ProfileTopRow,
} from '../record/analysis.ts'
import type { ProfileKind } from '../record/collectors.ts'
import type { AreaPattern } from '../plan/types.ts'
import {
  applicationCosts,
  areaShares,
  contentionSites,
  formatTopText,
  goroutineLeak,
  goroutineStacks,
  topTable,
} from './pprof/index.ts'
import type { Profile } from '../pprof/model.ts'
import { isRuntimeFrame } from './pprof/graph.ts'
import { scaledLabel } from './pprof/measurement.ts'
import { sampleIndexByName } from '../pprof/sampleindex.ts'
import { shortFunctionName, type SourceIndex } from './source.ts'

export type DecodedProfiles = Partial<Record<ProfileKind, Profile>>

/** Sample type each kind's table reads (pprof's default otherwise). */
const SAMPLE_INDEX: Partial<Record<ProfileKind, string>> = {
  heap: 'inuse_space',
  allocs: 'alloc_space',
  block: 'delay',
  mutex: 'delay',
}

const TOP_ROWS = 20

/** Third-party packages that are never "the application", whatever their path. */
const LIBRARY_PREFIXES = [
  'github.com/jackc/',
  'github.com/redis/',
  'github.com/go-redis/',
  'github.com/prometheus/',
  'github.com/lib/pq',
  'github.com/gin-gonic/',
  'github.com/go-chi/',
  'github.com/gorilla/',
  'github.com/labstack/',
  'github.com/valyala/',
  'github.com/goccy/',
  'github.com/json-iterator/',
  'github.com/sirupsen/',
  'go.uber.org/',
  'golang.org/x/',
  'google.golang.org/',
  'gopkg.in/',
  'go.opentelemetry.io/',
  'github.com/klauspost/',
  'github.com/cespare/',
  'github.com/puddle',
  'github.com/jackc/puddle',
]

/**
 * isApplicationFunction tells the user's code from runtime, standard library and well-known
 * libraries: `main.*`, a given module prefix (from go.mod), or else any non-standard path
 * that is not a known library.
 */
export function isApplicationFunction(name: string, appPrefixes: string[] = []): boolean {
  if (name.startsWith('main.')) return true
  if (appPrefixes.length > 0)
    return appPrefixes.some((p) => name.startsWith(p + '.') || name.startsWith(p + '/'))
  if (isRuntimeFrame(name) || name.startsWith('[') || name.startsWith('<')) return false
  // Standard library: the first path element has no dot (`net/http.…`, `sync.(*Mutex).Lock`).
  const slash = name.indexOf('/')
  if (slash < 0 || !name.slice(0, slash).includes('.')) return false
  return !LIBRARY_PREFIXES.some((p) => name.startsWith(p))
}

function toRow(r: {
  name: string
  flat: number
  flatPct: number
  sumPct: number
  cum: number
  cumPct: number
  flatText: string
  cumText: string
}): ProfileTopRow {
  const round = (x: number) => Math.round(x * 100) / 100
  return {
    name: r.name,
    flat: r.flat,
    flatPct: round(r.flatPct),
    sumPct: round(r.sumPct),
    cum: r.cum,
    cumPct: round(r.cumPct),
    flatText: r.flatText,
    cumText: r.cumText,
  }
}

export type ProfileTopWithApp = ProfileTop

/** topOf computes a kind's top table (20 rows) and its application-only view. */
export function topOf(
  kind: ProfileKind,
  profile: Profile,
  appPrefixes: string[],
): { ok: true; value: ProfileTopWithApp } | { ok: false; reason: string } {
  const index = SAMPLE_INDEX[kind]
  const full = topTable(profile, { ...(index ? { sampleIndex: index } : {}), nodeFraction: 0 })
  if (!full.ok) return full
  const shown = topTable(profile, { ...(index ? { sampleIndex: index } : {}), nodeCount: TOP_ROWS })
  if (!shown.ok) return shown
  const appRows = full.value.rows.filter(
    (r) => isApplicationFunction(r.name, appPrefixes) && (r.flat !== 0 || r.cum !== 0),
  )
  const application = [...appRows]
    .sort((a, b) => Math.abs(b.flat) - Math.abs(a.flat) || Math.abs(b.cum) - Math.abs(a.cum))
    .slice(0, 10)
    .map(toRow)
  // Raw cum ranks the router and middleware wrappers first (they are on every stack); charging each
  // sample to its innermost application frame ranks the function whose own library calls cost the
  // most, e.g. a handler at 0 % flat whose regexp compile is 35 % of CPU (issue 15).
  const typeIndex = sampleIndexByName(profile, index ?? '')
  const applicationCost = typeIndex.ok
    ? applicationCosts(profile, typeIndex.value, (name) => isApplicationFunction(name, appPrefixes), 10).map(
        (c) => ({
          name: c.function,
          value: c.value,
          share: Math.round(c.share * 10_000) / 10_000,
          valueText: scaledLabel(c.value, profile.sampleTypes[typeIndex.value]?.unit ?? '', 'auto'),
          ...(c.dominantCall ? { dominantCall: c.dominantCall.function } : {}),
        }),
      )
    : []
  const t = shown.value
  return {
    ok: true,
    value: {
      kind,
      sampleType: t.sampleType,
      sampleUnit: t.sampleUnit,
      total: t.total,
      header: t.header,
      rows: t.rows.map(toRow),
      text: formatTopText(t),
      application,
      applicationCost,
    },
  }
}

export function areaBreakdown(
  kind: 'cpu' | 'allocs',
  profile: Profile,
  areas: AreaPattern[],
  appPrefixes: string[],
): { ok: true; value: AreaBreakdown } | { ok: false; reason: string } {
  const r = areaShares(profile, areas, SAMPLE_INDEX[kind], { appPrefixes })
  if (!r.ok) return r
  return {
    ok: true,
    value: {
      kind,
      sampleType: r.value.sampleType,
      sampleUnit: r.value.sampleUnit,
      total: r.value.total,
      shares: r.value.shares.map((s) => ({ area: s.area, share: s.share, value: s.value })),
    },
  }
}

function normaliseName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/**
 * endpointOfFunction maps a function name to one of the plan's endpoints by name:
 * `handleClipDetail` → `clip_detail`, `(*Server).handleVote` → `vote`.
 */
export function endpointOfFunction(fn: string, endpoints: string[]): string | undefined {
  const short = normaliseName(shortFunctionName(fn))
  const bare = short
    .replace(/^(handle|handler|serve|api|get|post|put|patch|delete)/, '')
    .replace(/(handler|handle|endpoint)$/, '')
  if (bare.length < 3) return undefined
  for (const e of endpoints) {
    const n = normaliseName(e)
    if (n === bare || n === short) return e
  }
  for (const e of endpoints) {
    const n = normaliseName(e)
    if (
      short.startsWith('handle') &&
      (bare.startsWith(n) || n.startsWith(bare)) &&
      Math.min(n.length, bare.length) >= 4
    )
      return e
  }
  return undefined
}

/**
 * endpointOfStack finds the endpoint a stack serves: a frame named after an endpoint, else
 * the functions that start or call the stack's functions in the source (up to 4 levels).
 */
export function endpointOfStack(
  frames: string[],
  endpoints: string[],
  source: SourceIndex,
): { endpoint: string; basis: string; location?: string } | undefined {
  for (const f of frames) {
    const e = endpointOfFunction(f, endpoints)
    if (e) return { endpoint: e, basis: `frame ${shortFunctionName(f)}` }
  }
  const appFrames = frames.filter((f) => !isRuntimeFrame(f) && !/^(sync|internal|net|io|os)[./]/.test(f))
  const start = appFrames[appFrames.length - 1]
  if (!start) return undefined
  let level: { name: string; chain: string[]; location?: string }[] = [
    { name: shortFunctionName(start), chain: [shortFunctionName(start)] },
  ]
  const seen = new Set(level.map((l) => l.name))
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: typeof level = []
    for (const { name, chain, location } of level) {
      for (const c of source.callersOf(name)) {
        const e = endpointOfFunction(c.caller, endpoints)
        const loc = location ?? c.location
        if (e) return { endpoint: e, basis: `called from ${[c.caller, ...chain].join(' → ')}`, location: loc }
        if (!seen.has(c.caller)) {
          seen.add(c.caller)
          next.push({ name: c.caller, chain: [c.caller, ...chain], location: loc })
        }
      }
    }
    level = next.slice(0, 20)
  }
  return undefined
}

function trimStack(stack: string[]): string[] {
  return stack.slice(0, 8)
}

/**
 * goroutineAnalysis applies the leak rule to the before/during/after goroutine snapshots
 * (profiles, else the Prometheus counts) and names the growing stacks, where they are started
 * and the endpoint that creates them.
 */
export function goroutineAnalysis(
  profiles: DecodedProfiles,
  counts: { before?: number; during?: number; after?: number },
  requests: number | undefined,
  perEndpointRequests: Record<string, number>,
  source: SourceIndex,
): { ok: true; value: GoroutineAnalysis } | { ok: false; reason: string } {
  const before = profiles.goroutine_before ?? counts.before
  const after = profiles.goroutine_after ?? counts.after
  const during = profiles.goroutine_during ?? counts.during ?? after
  if (before === undefined || after === undefined || during === undefined) {
    const single = profiles.goroutine_after ?? profiles.goroutine_during ?? profiles.goroutine_before
    if (!single) return { ok: false, reason: 'no goroutine profiles or counts before and after the load' }
    return {
      ok: true,
      value: {
        leakSuspected: false,
        reason: 'only one goroutine snapshot: a leak cannot be judged',
        topStacks: goroutineStacks(single, 5).map((g) => ({ ...g, stack: trimStack(g.stack) })),
      },
    }
  }
  const leak = goroutineLeak(before, during, after, requests)
  const endpoints = Object.keys(perEndpointRequests)
  const topStacks: GoroutineGroup[] = leak.topStacks.map((g) => {
    const group: GoroutineGroup = { ...g, stack: trimStack(g.stack) }
    if (!leak.suspected) return group
    const mapped = endpointOfStack(g.stack, endpoints, source)
    const goSite = source.callersOf(shortFunctionName(g.entry)).find((c) => c.go)
    if (goSite) group.location = goSite.location
    else if (mapped?.location) group.location = mapped.location
    if (mapped) {
      group.endpoint = mapped.endpoint
      group.endpointBasis = mapped.basis
    } else {
      // The endpoint whose request count is closest to the stack's growth.
      let best: { e: string; ratio: number } | undefined
      for (const [e, n] of Object.entries(perEndpointRequests)) {
        if (n <= 0) continue
        const ratio = g.count / n
        if (ratio < 0.5 || ratio > 1.5) continue
        if (!best || Math.abs(Math.log(ratio)) < Math.abs(Math.log(best.ratio))) best = { e, ratio }
      }
      if (best) {
        group.endpoint = best.e
        group.endpointBasis = `${g.count} goroutines for ${perEndpointRequests[best.e]} ${best.e} requests`
      }
    }
    return group
  })
  return {
    ok: true,
    value: {
      before: leak.before,
      during: leak.during,
      after: leak.after,
      growth: leak.growth,
      threshold: leak.threshold,
      ...(leak.perThousandRequests !== undefined ? { perThousandRequests: leak.perThousandRequests } : {}),
      leakSuspected: leak.suspected,
      reason: leak.reason,
      topStacks,
    },
  }
}

export function contentionOf(
  kind: 'block' | 'mutex',
  profile: Profile,
  source: SourceIndex,
): { ok: true; value: ContentionData } | { ok: false; reason: string } {
  const c = contentionSites(profile, { limit: 10, depth: 4 })
  if (!c.ok) return c
  return {
    ok: true,
    value: {
      kind,
      totalDelayNs: c.value.totalDelay,
      totalDelayText: c.value.totalDelayText,
      totalContentions: c.value.totalContentions,
      sites: c.value.sites.map((s) => {
        const location = source.locateFunction(s.function)
        return {
          function: s.function,
          blockedIn: s.blockedIn,
          callers: s.callers,
          delayNs: s.delay,
          delayText: s.delayText,
          contentions: s.contentions,
          share: s.share,
          ...(location ? { location } : {}),
        }
      }),
    },
  }
}
