// CPU and allocation findings. A hotspot is the application function charged with the most
// CPU (its own work plus the library calls it makes); its allocations are evidence inside it,
// not a second finding. CPU areas and allocation findings need a service that was CPU-busy.
import type { AreaBreakdown } from '../../record/analysis.ts'
import type { Finding } from '../../record/findings.ts'
import type { Profile } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'
import { applicationCosts, type ApplicationCost } from '../pprof/index.ts'
import { stackNames } from '../pprof/graph.ts'
import { endpointOfFunction, endpointOfStack } from '../profiles.ts'
import { shortFunctionName, type SourceIndex } from '../source.ts'
import {
  CPU_BUSY_SHARE,
  CPU_HOTSPOT_MIN_LATENCY_SHARE,
  CPU_HOTSPOT_MIN_MS_PER_REQUEST,
  CPU_HOTSPOT_MIN_SHARE,
  CPU_HOTSPOT_SAMPLING_ERRORS,
  finding,
  GC_MIN_CPU_SHARE,
  pct,
} from './rules.ts'

/** How busy the service was while the CPU profile ran. */
export interface CpuBusy {
  coresUsed: number
  gomaxprocs?: number
  busy: boolean
  /** One sentence a reader can check, e.g. "0.14 of 2 cores (7 %; busy from 50 %)". */
  text: string
}

export function cpuBusy(cpu: Profile, gomaxprocs: number | undefined): CpuBusy | undefined {
  const index = sampleIndexByName(cpu, 'cpu')
  if (!index.ok || cpu.durationNanos <= 0) return undefined
  const sampled = cpu.samples.reduce((sum, s) => sum + (s.values[index.value] ?? 0), 0)
  const coresUsed = sampled / cpu.durationNanos
  const limit = gomaxprocs ?? 1
  const busy = coresUsed >= CPU_BUSY_SHARE * limit
  const text =
    gomaxprocs !== undefined
      ? `${coresUsed.toFixed(2)} of ${gomaxprocs} cores (${pct(coresUsed / gomaxprocs, 0)}; busy from ${pct(CPU_BUSY_SHARE, 0)})`
      : `${coresUsed.toFixed(2)} cores (GOMAXPROCS unknown; busy from ${CPU_BUSY_SHARE} cores)`
  return { coresUsed, ...(gomaxprocs !== undefined ? { gomaxprocs } : {}), busy, text }
}

/** What to do about the library call that dominates a hot function. */
const CALL_FIXES: { match: RegExp; fix: (fn: string, call: string) => string }[] = [
  {
    match: /^regexp\.(Must)?Compile/,
    fix: (fn) =>
      `Compile the regular expression once (a package-level var) instead of on every call of ${fn}.`,
  },
  {
    match: /^(text|html)\/template\.\(\*Template\)\.Parse|^(text|html)\/template\.(Must|New)/,
    fix: (fn) => `Parse the template once at startup instead of in ${fn}.`,
  },
  {
    match: /^encoding\/json\./,
    fix: (fn) =>
      `Encode or decode less in ${fn}: smaller structs, cache the encoded bytes, or a faster codec.`,
  },
  {
    match: /^fmt\.S?printf|^fmt\.Sprint/,
    fix: (fn) => `Build strings in ${fn} with strconv/strings.Builder instead of fmt.`,
  },
  {
    match: /^runtime\.(mallocgc|newobject|makeslice|growslice|mapassign|makemap)/,
    fix: (fn) =>
      `Allocate less in ${fn}: preallocate slices and maps with their final size, reuse buffers (sync.Pool).`,
  },
  {
    match: /^(crypto\/|golang\.org\/x\/crypto\/)/,
    fix: (fn, call) =>
      `${call} is costly by design: call it less from ${fn} (cache the result per key or session).`,
  },
]

function fixFor(hot: ApplicationCost): string {
  const fn = shortFunctionName(hot.function)
  if (hot.dominantCall) {
    const known = CALL_FIXES.find((f) => f.match.test(hot.dominantCall!.function))
    if (known) return known.fix(fn, hot.dominantCall.function)
    return `Call ${hot.dominantCall.function} less from ${fn}: hoist it out of loops and the request path, or cache its result.`
  }
  return `Make ${fn} cheaper or call it less: cache its result (e.g. in Redis with a TTL), precompute it, or reduce the work per call.`
}

export interface CpuContext {
  isApp: (name: string) => boolean
  endpoints: string[]
  source: SourceIndex
  /** Requests while the CPU profile ran, overall and per endpoint. */
  requestsInWindow: (endpoint?: string) => number
  /** Mean latency over the load, overall and per endpoint (undefined when unknown). */
  meanLatencyMs: (endpoint?: string) => number | undefined
  busy?: CpuBusy
  /** The allocs profile covers the CPU profile's window (else the process's lifetime). */
  allocsDelta?: boolean
}

/** cpuHotspot: at most one finding, for the application function charged with the most CPU. */
export function cpuHotspot(
  cpu: Profile,
  allocs: Profile | undefined,
  ctx: CpuContext,
  findings: Finding[],
): string[] {
  const index = sampleIndexByName(cpu, 'cpu')
  if (!index.ok) return [`cpu: ${index.reason}`]
  // Every function above the CPU share is a candidate: a shared helper with a large share and a
  // small cost per request must not hide the expensive function behind it.
  const candidates = applicationCosts(cpu, index.value, ctx.isApp, 5).filter(
    (c) => c.share >= CPU_HOTSPOT_MIN_SHARE,
  )
  const turnedDown: string[] = []
  for (const hot of candidates) {
    const note = judgeHotspot(cpu, index.value, hot, allocs, ctx, findings)
    if (note) turnedDown.push(note)
  }
  return turnedDown
}

/** One candidate against the rule: a finding, or the note saying why not. */
function judgeHotspot(
  cpu: Profile,
  index: number,
  hot: ApplicationCost,
  allocs: Profile | undefined,
  ctx: CpuContext,
  findings: Finding[],
): string | undefined {
  // The endpoints it serves, from the handlers on its own stacks (a shared helper serves several);
  // the source's callers only when no stack names a handler.
  const fromStacks = servedEndpoints(cpu, index, hot.function, ctx)
  const single =
    fromStacks.length === 0 ? endpointOfStack([hot.function], ctx.endpoints, ctx.source) : undefined
  const served = fromStacks.length > 0 ? fromStacks : single ? [single.endpoint] : []
  const ep =
    served.length === 1
      ? { endpoint: served[0]!, basis: single?.basis ?? `its stacks run under ${served[0]}` }
      : undefined
  const counts = served.length > 0 ? served.map((e) => ctx.requestsInWindow(e)) : [ctx.requestsInWindow()]
  const requests = counts.reduce((a, b) => a + b, 0)
  const msPerRequest = requests > 0 ? hot.value / 1e6 / requests : undefined
  const latencies = served.length > 0 ? served.map((e) => ctx.meanLatencyMs(e)) : [ctx.meanLatencyMs()]
  const latencyMs =
    requests > 0 && latencies.every((l) => l !== undefined)
      ? latencies.reduce<number>((sum, l, i) => sum + l! * counts[i]!, 0) / requests
      : undefined
  const latencyShare =
    msPerRequest !== undefined && latencyMs ? Math.min(1, msPerRequest / latencyMs) : undefined
  const servedText = served.length === 0 ? 'all' : served.join(', ')
  // The thresholds are judged on the sampled CPU less its sampling error (the printed impact stays
  // the measured one), so a few samples of luck on a quiet service make no finding.
  const sampling = samplingMargin(cpu, hot.value)
  const sure = sampling?.sure ?? 1
  if (
    msPerRequest === undefined ||
    latencyShare === undefined ||
    latencyShare * sure < CPU_HOTSPOT_MIN_LATENCY_SHARE ||
    msPerRequest * sure < CPU_HOTSPOT_MIN_MS_PER_REQUEST
  ) {
    const measured = msPerRequest !== undefined && sampling?.text ? `; ${sampling.text}` : ''
    return (
      `no CPU hotspot: ${shortFunctionName(hot.function)} takes ${pct(hot.share)} of CPU, ` +
      `${msPerRequest?.toFixed(2) ?? '?'} ms per request of ${servedText} requests (mean ${latencyMs?.toFixed(1) ?? '?'} ms${measured}): ` +
      `a hotspot needs ${pct(CPU_HOTSPOT_MIN_SHARE, 0)} of CPU, ${CPU_HOTSPOT_MIN_MS_PER_REQUEST} ms per request and ${pct(CPU_HOTSPOT_MIN_LATENCY_SHARE, 0)} of the latency` +
      (sampling ? ', less the sampling error' : '')
    )
  }
  const alloc = allocs ? allocationShare(allocs, hot.function) : undefined
  const location = ctx.source.locateFunction(hot.function)
  const call = hot.dominantCall
  findings.push(
    finding({
      kind: 'cpu-hotspot',
      title: `CPU hotspot: ${shortFunctionName(hot.function)} (${msPerRequest.toFixed(1)} ms of CPU per request, ${pct(latencyShare)} of ${servedText} latency)`,
      detail:
        `${hot.function} and the calls it makes take ${pct(hot.share)} of the CPU samples` +
        (call ? `, ${pct(call.share, 0)} of it in ${call.function}` : ', in its own code') +
        `; ${msPerRequest.toFixed(2)} ms of CPU per ${ep ? `${ep.endpoint} request (${ep.basis})` : 'request'}, ` +
        `${pct(latencyShare)} of the ${latencyMs!.toFixed(1)} ms mean latency` +
        (ctx.busy ? `; the service used ${ctx.busy.text}` : '') +
        (alloc && alloc.share >= 0.05
          ? `. Its call path also allocates ${pct(alloc.share)} of the bytes allocated (${alloc.via}; ${ctx.allocsDelta ? 'in the same window' : 'since the process started'})`
          : '') +
        (sampling?.text ? ` (${sampling.text})` : '') +
        `. A hotspot takes at least ${pct(CPU_HOTSPOT_MIN_SHARE, 0)} of CPU, ${CPU_HOTSPOT_MIN_MS_PER_REQUEST} ms per request and ${pct(CPU_HOTSPOT_MIN_LATENCY_SHARE, 0)} of the latency of what it serves` +
        (sampling ? ', less the sampling error.' : '.'),
      ...(ep ? { endpoint: ep.endpoint } : {}),
      ...(location ? { location } : {}),
      impact: latencyShare,
      impactBasis: `share of ${servedText} latency spent on CPU in the function and the calls it makes`,
      effort: 'medium',
      fix: fixFor(hot),
      evidence: {
        function: hot.function,
        cpuShare: Math.round(hot.share * 1000) / 1000,
        msPerRequest: Math.round(msPerRequest * 100) / 100,
        latencyShare: Math.round(latencyShare * 1000) / 1000,
        ...(call ? { dominantCall: call.function } : {}),
        ...(alloc ? { allocShare: Math.round(alloc.share * 1000) / 1000 } : {}),
      },
    }),
  )
  return undefined
}

/**
 * samplingMargin: the share of a function's sampled CPU that is sure at CPU_HOTSPOT_SAMPLING_ERRORS
 * standard errors (n − k·√n of its n samples, as a factor), when the profile says its sampling
 * period; undefined otherwise.
 */
function samplingMargin(cpu: Profile, value: number): { sure: number; text: string } | undefined {
  if (!(cpu.period > 0) || !(value > 0)) return undefined
  const n = value / cpu.period
  const sureSamples = Math.max(0, n - CPU_HOTSPOT_SAMPLING_ERRORS * Math.sqrt(n))
  return {
    sure: sureSamples / n,
    text: `${Math.round(n)} samples of ${cpu.period / 1e6} ms, judged on ${sureSamples.toFixed(1)}: n − √n`,
  }
}

/** Endpoints whose handler frames are on the stacks charged to `fn`, most CPU first. */
function servedEndpoints(cpu: Profile, index: number, fn: string, ctx: CpuContext): string[] {
  const byEndpoint = new Map<string, number>()
  for (const s of cpu.samples) {
    const frames = stackNames(s.locations)
    if (frames.find(ctx.isApp) !== fn) continue
    for (const f of frames) {
      const e = endpointOfFunction(f, ctx.endpoints)
      if (!e) continue
      byEndpoint.set(e, (byEndpoint.get(e) ?? 0) + (s.values[index] ?? 0))
      break
    }
  }
  return [...byEndpoint].sort((a, b) => b[1] - a[1]).map(([e]) => e)
}

/**
 * allocationShare: the share of allocated bytes on call paths through `fn` (its callers'
 * allocations made while calling it and its callees'), and the function allocating most there.
 */
function allocationShare(allocs: Profile, fn: string): { share: number; via: string } | undefined {
  const index = sampleIndexByName(allocs, 'alloc_space')
  if (!index.ok) return undefined
  let total = 0
  let through = 0
  for (const s of allocs.samples) {
    const v = s.values[index.value] ?? 0
    total += v
    if (stackNames(s.locations).includes(fn)) through += v
  }
  if (total === 0) return undefined
  return { share: through / total, via: `through ${shortFunctionName(fn)}` }
}

/**
 * allocationFindings: only for a CPU-busy service whose garbage collection takes a real share of
 * CPU; functions already on the hotspot's call path are evidence in that finding instead.
 */
export function allocationFindings(
  allocs: Profile,
  cpuAreas: AreaBreakdown | undefined,
  ctx: CpuContext,
  findings: Finding[],
): string[] {
  const gc = cpuAreas?.shares.find((s) => /gc|alloc/i.test(s.area))?.share ?? 0
  if (!ctx.busy?.busy || gc < GC_MIN_CPU_SHARE) {
    return [
      `no allocation finding: garbage collection took ${pct(gc)} of CPU while the service used ${ctx.busy?.text ?? 'an unknown share of its cores'} ` +
        `(allocation findings need ${pct(GC_MIN_CPU_SHARE, 0)} of CPU in GC and a CPU-busy service)`,
    ]
  }
  const index = sampleIndexByName(allocs, 'alloc_space')
  if (!index.ok) return [`allocs: ${index.reason}`]
  const hotspot = findings.find((f) => f.kind === 'cpu-hotspot')?.evidence?.function
  for (const row of applicationCosts(allocs, index.value, ctx.isApp, 3)) {
    if (row.share < 0.1) continue
    if (typeof hotspot === 'string' && onSamePath(allocs, row.function, hotspot)) continue
    const location = ctx.source.locateFunction(row.function)
    findings.push(
      finding({
        kind: 'allocation-hotspot',
        title: `Allocation hotspot: ${shortFunctionName(row.function)} (${pct(row.share)} of allocated bytes)`,
        detail:
          `${row.function} and the calls it makes allocate ${pct(row.share)} of the bytes allocated ${ctx.allocsDelta ? 'during the CPU profile' : 'since the process started'}` +
          (row.dominantCall ? `, most in ${row.dominantCall.function}` : '') +
          `; garbage collection took ${pct(gc)} of CPU while the service used ${ctx.busy.text}.`,
        ...(location ? { location } : {}),
        impact: row.share * gc,
        impactBasis: 'share of CPU spent collecting what it allocates (allocation share × GC share of CPU)',
        effort: 'medium',
        fix: 'Allocate less per call: preallocate slices and maps, reuse buffers (sync.Pool), avoid converting between string and []byte.',
        evidence: { function: row.function, allocShare: Math.round(row.share * 1000) / 1000 },
      }),
    )
  }
  return []
}

function onSamePath(profile: Profile, a: string, b: string): boolean {
  return profile.samples.some((s) => {
    const names = stackNames(s.locations)
    return names.includes(a) && names.includes(b)
  })
}

/** Area → what to do when it takes a large share of a busy service's CPU. */
const AREA_FIXES: { match: RegExp; fix: string }[] = [
  {
    match: /json/i,
    fix: 'Encode less: smaller response structs, stream with json.NewEncoder, or a faster encoder; cache encoded responses of hot read endpoints.',
  },
  {
    match: /routing|middleware/i,
    fix: 'Trim per-request middleware work (logging, metrics labels, regex routing).',
  },
  {
    match: /database|driver|sql/i,
    fix: 'Fewer round trips: batch or join queries, select only needed columns.',
  },
  { match: /redis/i, fix: 'Pipeline or MGET Redis calls; avoid a round trip per item.' },
  { match: /gc|alloc/i, fix: 'Reduce allocations (see the allocation findings); consider GOGC/GOMEMLIMIT.' },
  {
    match: /syscall|network|i\/o/i,
    fix: 'Fewer, larger reads and writes; reuse connections (keep-alive, pool sizes).',
  },
]

/** areaFindings: areas above 15 % of CPU, only when the service was CPU-busy. */
export function areaFindings(
  cpuAreas: AreaBreakdown,
  busy: CpuBusy | undefined,
  findings: Finding[],
): string[] {
  if (!busy?.busy)
    return [
      `CPU areas are listed, not findings: the service used ${busy?.text ?? 'an unknown share of its cores'}, so CPU did not limit it`,
    ]
  for (const s of cpuAreas.shares) {
    if (s.share < 0.15 || /^(application code|other)$/.test(s.area)) continue
    const fix = AREA_FIXES.find((f) => f.match.test(s.area))
    findings.push(
      finding({
        kind: 'bottleneck-area',
        title: `${s.area}: ${pct(s.share)} of CPU on a busy service`,
        detail: `Samples whose innermost recognised frame belongs to ${s.area} take ${pct(s.share)} of the CPU profile, while the service used ${busy.text}.`,
        impact: s.share,
        impactBasis: 'share of CPU',
        effort: 'medium',
        fix: fix?.fix ?? `Look at the ${s.area} frames in the CPU table and reduce their work per request.`,
        evidence: { area: s.area },
      }),
    )
  }
  return []
}
