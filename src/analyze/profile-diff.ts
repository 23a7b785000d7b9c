// The profile diff against the baseline run: for CPU, allocations and contention (block and mutex
// delay of requests), the functions whose share of the profile moved most (grew or shrank, each
// profile normalised by its own total as pprof's `-normalize -diff_base` does), each with the line
// where most of its own samples fall and the endpoints whose code paths it is on; the
// application's largest moves are kept even when the runtime's outrank them.
import type { ProfileDiff, ProfileDiffRow } from '../record/analysis.ts'
import type { Profile, Sample } from '../pprof/model.ts'
import { sampleIndexByName } from '../pprof/sampleindex.ts'
import { requestWaits } from './findings/contention.ts'
import { diffTop } from './pprof/index.ts'
import { stackNames } from './pprof/graph.ts'
import { endpointOfStack, isApplicationFunction, type DecodedProfiles } from './profiles.ts'
import { EMPTY_SOURCE_INDEX, type SourceIndex } from './source.ts'

/** A function's share must move by more than this many percentage points to be listed. */
export const DIFF_MIN_DELTA_PCT = 0.5

/** Rows kept per profile kind: the largest moves, and the application's largest among them. */
const DIFF_ROWS = 10
const DIFF_APPLICATION_ROWS = 5

/** The profile kinds the diff compares, and the sample type each reads. */
export const DIFF_KINDS = { cpu: undefined, allocs: 'alloc_space', block: 'delay', mutex: 'delay' } as const

/** pprof label keys that name the endpoint a sample served (runtime/pprof.Do with pprof.Labels). */
const ENDPOINT_LABELS = ['endpoint', 'route', 'handler', 'http.route']

/** An endpoint is on a function's code path when it carries at least this share of the function's samples. */
const ENDPOINT_MIN_SHARE = 0.1

/**
 * profileDiffs compares the CPU, allocation, block and mutex profiles with the baseline's: the
 * functions whose share moved most, largest move first, each with the endpoints (of `endpoints`)
 * whose code paths it is on. Contention compares the waits of requests only (requestWaits). A
 * pair that cannot be compared adds a note.
 */
export function profileDiffs(
  current: DecodedProfiles,
  base: DecodedProfiles,
  notes: string[],
  source?: SourceIndex,
  appPrefixes: string[] = [],
  endpoints: string[] = [],
): ProfileDiff[] {
  const out: ProfileDiff[] = []
  for (const [kind, sampleIndex] of Object.entries(DIFF_KINDS) as [
    keyof typeof DIFF_KINDS,
    string | undefined,
  ][]) {
    const isApp = (name: string) => isApplicationFunction(name, appPrefixes)
    // A wait's own frame is always sync or the runtime: the application function that waits moved.
    const waits = (p: Profile | undefined) =>
      p && (kind === 'block' || kind === 'mutex')
        ? atApplicationFrame(requestWaits(kind, p).profile, isApp)
        : p
    const c = waits(current[kind])
    const b = waits(base[kind])
    if (!c || !b) continue
    const d = diffTop(b, c, sampleIndex, {
      limit: Number.POSITIVE_INFINITY,
      minDeltaPct: DIFF_MIN_DELTA_PCT,
      direction: 'changed',
    })
    if (!d.ok) {
      notes.push(`${kind} diff: ${d.reason}`)
      continue
    }
    // The runtime's moves often outrank the application's; a reviewer acts on the application's.
    const app = new Set(d.value.rows.filter((r) => isApp(r.name)).slice(0, DIFF_APPLICATION_ROWS))
    const kept = d.value.rows.filter((r, i) => i < DIFF_ROWS || app.has(r))
    const round = (x: number) => Math.round(x * 100) / 100
    out.push({
      kind,
      sampleType: d.value.sampleType,
      minDeltaPct: DIFF_MIN_DELTA_PCT,
      rows: kept.map((r): ProfileDiffRow => {
        // Where the function spends its own samples now; where it spent them, when it vanished.
        const location =
          hotLine(c, sampleIndex, r.name, source) ??
          hotLine(b, sampleIndex, r.name, source) ??
          source?.locateFunction(r.name)
        const on = endpointsOf(r.deltaPct >= 0 ? c : b, sampleIndex, r.name, endpoints, source)
        return {
          name: r.name,
          basePct: round(r.basePct),
          currentPct: round(r.currentPct),
          deltaPct: round(r.deltaPct),
          ...(location ? { location } : {}),
          ...(isApp(r.name) ? { application: true } : {}),
          ...(on.length > 0 ? { endpoints: on } : {}),
        }
      }),
    })
  }
  return out
}

/**
 * hotLine is `file:line` of the line holding most of `fn`'s own (leaf-frame) samples in
 * `profile`, the file relative to the repository when the source index knows it, else its last
 * two path segments; undefined when `fn` has no own samples.
 */
export function hotLine(
  profile: Profile,
  sampleIndex: string | undefined,
  fn: string,
  source?: SourceIndex,
): string | undefined {
  const index = sampleIndexByName(profile, sampleIndex)
  if (!index.ok) return undefined
  const byLine = new Map<string, { filename: string; line: number; value: number }>()
  for (const s of profile.samples) {
    const leaf = s.locations[0]?.lines[0]
    if (!leaf || leaf.function !== fn) continue
    const key = `${leaf.filename}:${leaf.line}`
    const entry = byLine.get(key) ?? { filename: leaf.filename, line: leaf.line, value: 0 }
    entry.value += Math.abs(s.values[index.value] ?? 0)
    byLine.set(key, entry)
  }
  let best: { filename: string; line: number; value: number } | undefined
  for (const e of byLine.values())
    if (!best || e.value > best.value || (e.value === best.value && e.line < best.line)) best = e
  if (!best || !best.filename) return undefined
  // The build path (/home/runner/work/app/app/internal/x.go) made relative when the repository has the file.
  const known = source?.locateFunction(fn)?.replace(/:\d+$/, '')
  const file =
    known && (best.filename === known || best.filename.endsWith(`/${known}`))
      ? known
      : best.filename.split('/').slice(-2).join('/')
  return `${file}:${best.line}`
}

/**
 * endpointsOf names the endpoints whose code paths `fn` is on in `profile`: of the samples with
 * `fn` anywhere in the stack, those labelled with an endpoint (ENDPOINT_LABELS), else those whose
 * stack endpointOfStack maps, each endpoint kept when it carries ENDPOINT_MIN_SHARE of `fn`'s
 * value; largest share first.
 */
export function endpointsOf(
  profile: Profile,
  sampleIndex: string | undefined,
  fn: string,
  endpoints: string[],
  source: SourceIndex = EMPTY_SOURCE_INDEX,
): string[] {
  if (endpoints.length === 0) return []
  const index = sampleIndexByName(profile, sampleIndex)
  if (!index.ok) return []
  const known = new Set(endpoints)
  const byStack = new Map<string, string | undefined>()
  const value = new Map<string, number>()
  let total = 0
  for (const s of profile.samples) {
    const frames = stackNames(s.locations)
    if (!frames.includes(fn)) continue
    const v = Math.abs(s.values[index.value] ?? 0)
    total += v
    const e = labelledEndpoint(s, known) ?? mapped(frames)
    if (e) value.set(e, (value.get(e) ?? 0) + v)
  }
  function mapped(frames: string[]): string | undefined {
    const key = frames.join('\n')
    if (!byStack.has(key)) byStack.set(key, endpointOfStack(frames, endpoints, source)?.endpoint)
    return byStack.get(key)
  }
  if (total <= 0) return []
  return [...value.entries()]
    .filter(([, v]) => v / total >= ENDPOINT_MIN_SHARE)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .map(([e]) => e)
}

function labelledEndpoint(s: Sample, known: Set<string>): string | undefined {
  for (const key of ENDPOINT_LABELS) for (const v of s.labels?.[key] ?? []) if (known.has(v)) return v
  return undefined
}

/**
 * atApplicationFrame returns a copy of `profile` whose samples start at their innermost
 * application frame (the frames inside sync, the runtime and libraries cut off), so a sample's
 * own function is the application's code that waited, at the line of its call; a sample without
 * an application frame stays as it is. The input is not modified.
 */
export function atApplicationFrame(profile: Profile, isApp: (name: string) => boolean): Profile {
  const samples = profile.samples.map((s): Sample => {
    for (const [i, loc] of s.locations.entries()) {
      const j = loc.lines.findIndex((l) => isApp(l.function))
      if (j < 0) continue
      if (i === 0 && j === 0) return s
      return { ...s, locations: [{ ...loc, lines: loc.lines.slice(j) }, ...s.locations.slice(i + 1)] }
    }
    return s
  })
  return { ...profile, samples }
}
