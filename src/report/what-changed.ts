// "What changed since the baseline": the functions whose CPU or allocation share moved most
// between the baseline run's profiles and this run's (analysis.diff), one row each with where it
// spends its samples and the move in percentage points, and the threshold a move must pass. Pure.
import type { AnalysisData, ProfileDiff } from '../record/analysis.ts'
import { isUnavailable } from '../record/common.ts'

/** The threshold older records used (their diff did not record one). */
const OLDER_MIN_DELTA_PCT = 0.5

export interface WhatChangedRow {
  kind: 'cpu' | 'allocs'
  name: string
  location?: string
  basePct: number
  currentPct: number
  deltaPct: number
  application: boolean
}

export interface WhatChanged {
  /** Percentage points a function's share had to move by to be listed. */
  minDeltaPct: number
  /** The profile kinds compared (a kind without rows moved less than the threshold). */
  kinds: ('cpu' | 'allocs')[]
  /** By kind (CPU first), largest move first within a kind. */
  rows: WhatChangedRow[]
  /** Compared with the base deployment's profiles of the same moment (a paired run), not a baseline run's. */
  live?: boolean
}

const KIND_WORDS = { cpu: 'CPU', allocs: 'allocated bytes' } as const

/** What the profile diff found, or undefined when it did not run (no baseline profiles). */
export function whatChangedOf(analysis: AnalysisData | undefined): WhatChanged | undefined {
  const diff = analysis?.diff
  if (!diff || isUnavailable(diff)) return undefined
  const diffs = diff.filter(
    (d): d is ProfileDiff & { kind: 'cpu' | 'allocs' } => d.kind === 'cpu' || d.kind === 'allocs',
  )
  if (diffs.length === 0) return undefined
  diffs.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'cpu' ? -1 : 1))
  return {
    ...(analysis.diffBase === 'live-paired' ? { live: true } : {}),
    minDeltaPct: Math.max(...diffs.map((d) => d.minDeltaPct ?? OLDER_MIN_DELTA_PCT)),
    kinds: diffs.map((d) => d.kind),
    rows: diffs.flatMap((d) =>
      [...d.rows]
        .sort((x, y) => Math.abs(y.deltaPct) - Math.abs(x.deltaPct))
        .map((r) => ({
          kind: d.kind,
          name: r.name,
          ...(r.location ? { location: r.location } : {}),
          basePct: r.basePct,
          currentPct: r.currentPct,
          deltaPct: r.deltaPct,
          application: r.application === true,
        })),
    ),
  }
}

/** Why there is no profile diff, as the analysis said it (`no baseline profiles: …`); undefined when there is one. */
export function whatChangedMissing(analysis: AnalysisData | undefined): string | undefined {
  const diff = analysis?.diff
  if (!analysis) return undefined
  if (!diff) return 'no baseline profiles: the record predates the profile diff'
  return isUnavailable(diff) ? diff.unavailable : undefined
}

/** The first `perKind` rows of each kind: the application's functions when any moved, else any. */
export function topRows(w: WhatChanged, perKind: number): WhatChangedRow[] {
  return w.kinds.flatMap((k) => {
    const rows = w.rows.filter((r) => r.kind === k)
    const app = rows.filter((r) => r.application)
    return (app.length > 0 ? app : rows).slice(0, perKind)
  })
}

/** `+9.3 points` / `−2.0 points`. */
export function pointsText(delta: number): string {
  return `${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(1)} points`
}

/** `CPU 3.1% → 12.4% (+9.3 points)`. */
export function changeText(r: WhatChangedRow): string {
  return `${KIND_WORDS[r.kind]} ${r.basePct.toFixed(1)}% → ${r.currentPct.toFixed(1)}% (${pointsText(r.deltaPct)})`
}

/** The profile kinds compared whose functions all moved less than the threshold. */
export function unmovedKinds(w: WhatChanged): string[] {
  return w.kinds.filter((k) => !w.rows.some((r) => r.kind === k)).map((k) => KIND_WORDS[k])
}

/** `share of the profile, baseline → this run; a function is listed when its share moved by more than 0.5 points`. */
export function thresholdText(w: WhatChanged): string {
  const sides = w.live
    ? 'live paired profiles: base deployment → this PR, taken over the same load window'
    : 'baseline → this run'
  return `share of the profile, ${sides}; a function is listed when its share of ${w.kinds.map((k) => KIND_WORDS[k]).join(' or ')} moved by more than ${w.minDeltaPct} points`
}
