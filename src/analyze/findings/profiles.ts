// Profile sections of the analysis and their findings: top tables (perfgate's own profile
// requests left out), CPU hotspot and areas, allocations, goroutine leak, contention, diff.
import { DEFAULT_AREAS } from '../../plan/defaults.ts'
import type { AnalysisData } from '../../record/analysis.ts'
import type { ProfileKind } from '../../record/collectors.ts'
import { isUnavailable } from '../../record/common.ts'
import type { Finding } from '../../record/findings.ts'
import type { RunRecord } from '../../record/index.ts'
import type { Profile } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'
import { withoutPerfgateFrames } from '../pprof/index.ts'
import {
  areaBreakdown,
  goroutineAnalysis,
  isApplicationFunction,
  topOf,
  type DecodedProfiles,
  type ProfileTopWithApp,
} from '../profiles.ts'
import { profileDiffs } from '../profile-diff.ts'
import { shortFunctionName } from '../source.ts'
import type { AnalysisInputs, AnalyzeOptions } from '../analyze.ts'
import { contentionTables, lockFindings, type ProfileWindow } from './contention.ts'
import { globalLockFindings } from './locks-static.ts'
import { allocationFindings, areaFindings, cpuBusy, cpuHotspot, type CpuContext } from './cpu.ts'
import { finding, pct, unavailable } from './rules.ts'

type ProfileSections = Pick<AnalysisData, 'profiles' | 'areas' | 'goroutines' | 'contention' | 'diff'>

const SAMPLE_TYPE: Partial<Record<ProfileKind, string>> = {
  cpu: 'cpu',
  heap: 'inuse_space',
  allocs: 'alloc_space',
}

/** The profiles without perfgate's own profile requests, and a note of what that left out. */
function ownFramesRemoved(profiles: DecodedProfiles, notes: string[]): DecodedProfiles {
  const out: DecodedProfiles = { ...profiles }
  const left: string[] = []
  for (const kind of [
    'cpu',
    'heap',
    'allocs',
    'goroutine_before',
    'goroutine_during',
    'goroutine_after',
  ] as const) {
    const p = profiles[kind]
    if (!p) continue
    const index = sampleIndexByName(p, SAMPLE_TYPE[kind] ?? '')
    if (!index.ok) continue
    const f = withoutPerfgateFrames(p, index.value)
    out[kind] = f.profile
    if (f.droppedShare >= 0.001 && !kind.startsWith('goroutine'))
      left.push(`${pct(f.droppedShare)} of ${kind}`)
  }
  if (left.length > 0)
    notes.push(
      `left out perfgate's own profile requests (net/http/pprof, runtime/pprof frames): ${left.join(', ')}`,
    )
  return out
}

/** Requests while the CPU profile ran, from the load's windows (all or one endpoint's). */
function requestsInCpuWindow(record: RunRecord): (endpoint?: string) => number {
  return requestsInWindow(record, isUnavailable(record.profiles) ? undefined : record.profiles.cpu)
}

/** Requests in a window of the load (all or one endpoint's); the whole load when no window. */
function requestsInWindow(
  record: RunRecord,
  cpu: { startS: number; durationS: number } | undefined,
): (endpoint?: string) => number {
  const load = isUnavailable(record.load) ? undefined : record.load
  return (endpoint) => {
    if (!load) return 0
    const ep = endpoint ? load.endpoints.find((e) => e.name === endpoint) : load.overall
    if (!ep) return 0
    if (!cpu) return ep.count
    if (ep.windows.length === 0)
      return load.durationS > 0 ? (ep.count * cpu.durationS) / load.durationS : ep.count
    // Each window counts with the fraction of it the profile covered.
    const from = cpu.startS * 1000
    const to = (cpu.startS + cpu.durationS) * 1000
    const width = load.windowS * 1000
    return ep.windows.reduce((sum, w) => {
      const overlap = Math.min(to, w.startMs + width) - Math.max(from, w.startMs)
      return overlap > 0 ? sum + (w.count * overlap) / width : sum
    }, 0)
  }
}

export function analyzeProfiles(
  record: RunRecord,
  inputs: AnalysisInputs,
  options: AnalyzeOptions,
  findings: Finding[],
  notes: string[],
  endpoints: string[],
): ProfileSections {
  const profilesPart = record.profiles
  const prom = isUnavailable(record.prometheus) ? undefined : record.prometheus
  const requests = isUnavailable(record.load) ? undefined : record.load.overall.count
  const perEndpoint: Record<string, number> = {}
  if (!isUnavailable(record.load)) for (const e of record.load.endpoints) perEndpoint[e.name] = e.count
  for (const e of record.plan.endpoints) perEndpoint[e.name] ??= 0
  const errors = new Map(inputs.profileErrors.map((e) => [e.kind, e.reason]))
  const why = (kind: ProfileKind): string =>
    errors.get(kind) ??
    (isUnavailable(profilesPart)
      ? `profiles: ${profilesPart.unavailable}`
      : (profilesPart.missing.find((m) => m.kind === kind)?.reason ?? `no ${kind} profile`))
  for (const [kind, reason] of errors) notes.push(`${kind} profile: ${reason}`)
  const profiles = ownFramesRemoved(inputs.profiles, notes)
  const isApp = (name: string) => isApplicationFunction(name, inputs.appPrefixes)

  // Contention first: its tables use request waits only, and so do the block/mutex tops.
  const waits = contentionTables({ block: profiles.block, mutex: profiles.mutex }, why, inputs.source)
  notes.push(...waits.notes.filter((n) => / left out /.test(n)))

  // Top tables.
  const tops: ProfileTopWithApp[] = []
  const topNotes: string[] = []
  for (const kind of ['cpu', 'heap', 'allocs', 'goroutine_after', 'block', 'mutex'] as const) {
    const p: Profile | undefined =
      profiles[kind] ?? (kind === 'goroutine_after' ? profiles.goroutine_during : undefined)
    if (!p) {
      topNotes.push(`${kind}: ${why(kind)}`)
      continue
    }
    const t = topOf(kind, p, inputs.appPrefixes)
    if (!t.ok) topNotes.push(`${kind}: ${t.reason}`)
    else tops.push(t.value)
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

  // CPU: hotspot, areas, allocations.
  const gomaxprocs = prom?.runtime.after.gomaxprocs ?? prom?.runtime.before.gomaxprocs
  const busy = inputs.profiles.cpu ? cpuBusy(inputs.profiles.cpu, gomaxprocs) : undefined
  const ctx: CpuContext = {
    isApp,
    endpoints,
    source: inputs.source,
    requestsInWindow: requestsInCpuWindow(record),
    meanLatencyMs: (endpoint) => {
      if (isUnavailable(record.load)) return undefined
      const ep = endpoint ? record.load.endpoints.find((e) => e.name === endpoint) : record.load.overall
      return ep && ep.count > 0 ? ep.duration.meanMs : undefined
    },
    ...(busy ? { busy } : {}),
    allocsDelta:
      !isUnavailable(profilesPart) && profilesPart.files.some((f) => f.kind === 'allocs' && f.delta),
  }
  if (profiles.cpu) notes.push(...cpuHotspot(profiles.cpu, profiles.allocs, ctx, findings))
  if (cpuAreas) notes.push(...areaFindings(cpuAreas, busy, findings))
  if (profiles.allocs) notes.push(...allocationFindings(profiles.allocs, cpuAreas, ctx, findings))

  // Goroutines.
  const runtimeCounts = prom
    ? {
        ...(prom.runtime.before.goroutines !== undefined ? { before: prom.runtime.before.goroutines } : {}),
        ...(prom.runtime.goroutinesMax !== undefined ? { during: prom.runtime.goroutinesMax } : {}),
        ...(prom.runtime.after.goroutines !== undefined ? { after: prom.runtime.after.goroutines } : {}),
      }
    : {}
  const g = goroutineAnalysis(profiles, runtimeCounts, requests, perEndpoint, inputs.source)
  // The leak check says what the adaptive cool-down waited for before the after-snapshot.
  const coolDown = isUnavailable(profilesPart) ? undefined : profilesPart.coolDown
  if (g.ok && coolDown)
    g.value.reason += `; the cool-down ended after ${coolDown.waitedS} s (${coolDown.reason})`
  if (g.ok && g.value.leakSuspected) findings.push(leakFinding(g.value))

  const files = isUnavailable(profilesPart) ? [] : profilesPart.files
  const cpuWindow = isUnavailable(profilesPart) ? undefined : profilesPart.cpu
  // A delta's window: its own (block and mutex cover the whole load), or on older records the CPU profile's.
  const windowOf = (kind: 'block' | 'mutex') => {
    const f = files.find((x) => x.kind === kind && x.delta)
    return f ? (f.window ?? cpuWindow) : undefined
  }
  const window: ProfileWindow = {
    delta: (kind) => windowOf(kind) !== undefined,
    requestsIn: (kind, endpoint) => requestsInWindow(record, windowOf(kind))(endpoint),
    text: (kind) =>
      `over the ${windowOf(kind)?.durationS ?? '?'} s ${windowOf(kind)?.startS === 0 ? 'of the load' : 'profile window'}`,
  }
  lockFindings(record, waits.contention, endpoints, inputs.appPrefixes, inputs.source, findings, window)
  globalLockFindings(record, profiles, endpoints, inputs.source, findings, notes, window)

  return {
    profiles: tops.length > 0 ? { tops, notes: topNotes } : unavailable(topNotes[0] ?? 'no profiles'),
    areas: breakdowns.length > 0 ? breakdowns : unavailable(areaNotes[0] ?? why('cpu')),
    goroutines: g.ok ? g.value : unavailable(g.reason),
    contention:
      waits.contention.length > 0
        ? waits.contention
        : unavailable(waits.notes.join('; ') || 'no block or mutex profile'),
    diff: diffSection(profiles, inputs, notes, findings, endpoints),
  }
}

function leakFinding(
  g: NonNullable<Extract<AnalysisData['goroutines'], { leakSuspected: boolean }>>,
): Finding {
  const top = g.topStacks[0]
  const after = g.after ?? 0
  return finding({
    kind: 'goroutine-leak',
    title: `Goroutine leak: +${g.growth} goroutines` + (top?.endpoint ? ` on ${top.endpoint}` : ''),
    detail:
      g.reason +
      '.' +
      (top
        ? ` ${top.count} of them wait in ${top.waitingIn}, started as ${top.entry}` +
          (top.endpoint ? ` by ${top.endpoint} (${top.endpointBasis})` : '') +
          '.'
        : ''),
    ...(top?.endpoint ? { endpoint: top.endpoint } : {}),
    ...(top?.location ? { location: top.location } : {}),
    impact: after > 0 ? Math.min(1, (g.growth ?? 0) / after) : undefined,
    impactBasis: 'share of the goroutines after the cool-down that leaked',
    effort: 'low',
    fix: top
      ? `Make ${shortFunctionName(top.entry)} always return: buffer or drain the channel it blocks on in ${shortFunctionName(top.waitingIn)}, or select on a context's Done().`
      : 'Make every goroutine the requests start return: cancel with a context, buffer or drain channels.',
    evidence: {
      before: g.before ?? 0,
      after,
      growth: g.growth ?? 0,
      ...(top ? { function: top.entry, waitingIn: top.waitingIn } : {}),
    },
  })
}

function diffSection(
  profiles: DecodedProfiles,
  inputs: AnalysisInputs,
  notes: string[],
  findings: Finding[],
  endpoints: string[],
): AnalysisData['diff'] {
  if (!inputs.baselineProfiles)
    return unavailable(
      `no baseline profiles: ${inputs.baselineProfilesMissing ?? 'no baseline run was given'}`,
    )
  const diffNotes: string[] = []
  // The baseline's profiles lose perfgate's own profile requests like the current ones did.
  const base = ownFramesRemoved(inputs.baselineProfiles, [])
  const d = profileDiffs(profiles, base, diffNotes, inputs.source, inputs.appPrefixes, endpoints)
  notes.push(...diffNotes)
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
  return d.length > 0 || diffNotes.length === 0 ? d : unavailable(diffNotes[0]!)
}
