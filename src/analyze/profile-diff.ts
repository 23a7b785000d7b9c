// The profile diff against the baseline run: for CPU and allocations, the functions whose share of
// the profile moved most (grew or shrank, each profile normalised by its own total as pprof's
// `-normalize -diff_base` does), each with the line where most of its own samples fall; the
// application's largest moves are kept even when the runtime's outrank them.
import type { ProfileDiff, ProfileDiffRow } from '../record/analysis.ts'
import type { Profile } from '../pprof/model.ts'
import { sampleIndexByName } from '../pprof/sampleindex.ts'
import { diffTop } from './pprof/index.ts'
import { isApplicationFunction, type DecodedProfiles } from './profiles.ts'
import type { SourceIndex } from './source.ts'

/** A function's share must move by more than this many percentage points to be listed. */
export const DIFF_MIN_DELTA_PCT = 0.5

/** Rows kept per profile kind: the largest moves, and the application's largest among them. */
const DIFF_ROWS = 10
const DIFF_APPLICATION_ROWS = 5

/** The profile kinds the diff compares, and the sample type each reads. */
export const DIFF_KINDS = { cpu: undefined, allocs: 'alloc_space' } as const

/**
 * profileDiffs compares the CPU and allocation profiles with the baseline's: the functions whose
 * share moved most, largest move first. A pair that cannot be compared adds a note.
 */
export function profileDiffs(
  current: DecodedProfiles,
  base: DecodedProfiles,
  notes: string[],
  source?: SourceIndex,
  appPrefixes: string[] = [],
): ProfileDiff[] {
  const out: ProfileDiff[] = []
  for (const [kind, sampleIndex] of Object.entries(DIFF_KINDS) as [
    keyof typeof DIFF_KINDS,
    string | undefined,
  ][]) {
    const c = current[kind]
    const b = base[kind]
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
    const isApp = (name: string) => isApplicationFunction(name, appPrefixes)
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
        return {
          name: r.name,
          basePct: round(r.basePct),
          currentPct: round(r.currentPct),
          deltaPct: round(r.deltaPct),
          ...(location ? { location } : {}),
          ...(isApp(r.name) ? { application: true } : {}),
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
