// Comparing two profiles of the same kind. The baseline is data, not a code path
// (as in pprof's -diff_base): diffProfile builds one profile holding the current samples
// and the negated base samples, and every report reads it like any other profile.
import { buildNodes } from './graph.ts'
import type { Profile, Result, Sample } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'

/** The label pprof puts on base samples of a diff profile; totals are taken over them. */
export const DIFF_BASE_LABEL = 'pprof::base'

export interface DiffProfileOptions {
  /** Scale the current profile so its totals equal the base's (`-normalize`); default true. */
  normalize?: boolean
}

function sameTypes(a: Profile, b: Profile): boolean {
  return (
    a.sampleTypes.length === b.sampleTypes.length &&
    a.sampleTypes.every((t, i) => t.type === b.sampleTypes[i]!.type && t.unit === b.sampleTypes[i]!.unit)
  )
}

/**
 * diffProfile returns `current - base` as one profile, like `go tool pprof -diff_base=BASE
 * [-normalize] CURRENT`: base samples are negated and labelled `pprof::base`, so reports
 * take percentages of the base total. Neither argument is modified.
 */
export function diffProfile(
  base: Profile,
  current: Profile,
  options: DiffProfileOptions = {},
): Result<Profile> {
  if (!sameTypes(base, current)) {
    const types = (p: Profile) => p.sampleTypes.map((t) => t.type).join(',')
    return {
      ok: false,
      reason: `incompatible sample types: base has [${types(base)}], current has [${types(current)}]`,
    }
  }
  const ratios = base.sampleTypes.map(() => 1)
  if (options.normalize ?? true) {
    base.sampleTypes.forEach((_, i) => {
      const baseSum = base.samples.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
      const currentSum = current.samples.reduce((sum, s) => sum + (s.values[i] ?? 0), 0)
      ratios[i] = currentSum === 0 ? 0 : baseSum / currentSum
    })
  }
  const scaled: Sample[] = []
  const allOnes = ratios.every((r) => r === 1)
  for (const s of current.samples) {
    // pprof (ScaleN) rounds half away from zero and keeps a sample only if a scaled value is non-zero.
    const values = s.values.map((v, i) => (ratios[i] === 1 ? v : roundHalfAway(v * ratios[i]!)))
    if (allOnes || values.some((v, i) => ratios[i] !== 1 && v !== 0)) scaled.push({ ...s, values })
  }
  const negated: Sample[] = base.samples.map((s) => ({
    ...s,
    values: s.values.map((v) => (v === 0 ? 0 : -v)),
    labels: { ...s.labels, [DIFF_BASE_LABEL]: ['true'] },
  }))
  const comments = [...new Set([...current.comments, ...base.comments])]
  let timeNanos = 0
  for (const t of [current.timeNanos, base.timeNanos]) if (timeNanos === 0 || t < timeNanos) timeNanos = t
  return {
    ok: true,
    value: {
      ...current,
      samples: [...scaled, ...negated],
      mappings: [...current.mappings, ...base.mappings],
      timeNanos,
      durationNanos: current.durationNanos + base.durationNanos,
      period: Math.max(current.period, base.period),
      comments,
      defaultSampleType: current.defaultSampleType || base.defaultSampleType,
      docUrl: current.docUrl || base.docUrl,
    },
  }
}

function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x))
}

export interface DiffRow {
  name: string
  /** Share of the base total, percent (0..100). */
  basePct: number
  /** Share of the current total, percent. */
  currentPct: number
  /** currentPct - basePct, in percentage points. */
  deltaPct: number
}

export interface DiffTopOptions {
  /** Compare flat (own) shares, as `-top -diff_base` sorts, or cum (inclusive) shares. Default flat. */
  by?: 'flat' | 'cum'
  /** At most this many rows (default 10). */
  limit?: number
  /** Only functions whose share moved by more than this many points (default 0). */
  minDeltaPct?: number
  /** `grew` (default): the functions whose share grew most; `changed`: grew or shrank most. */
  direction?: 'grew' | 'changed'
}

export interface DiffTop {
  sampleType: string
  baseTotal: number
  currentTotal: number
  /** Functions whose share grew (or, with direction `changed`, moved) most, first. */
  rows: DiffRow[]
}

function shares(
  profile: Profile,
  index: number,
  by: 'flat' | 'cum',
): { total: number; pct: Map<string, number> } {
  let total = 0
  for (const s of profile.samples) total += Math.abs(s.values[index] ?? 0)
  const pct = new Map<string, number>()
  for (const n of buildNodes(profile, index))
    pct.set(n.name, total === 0 ? 0 : ((by === 'flat' ? n.flat : n.cum) / total) * 100)
  return { total, pct }
}

/**
 * diffTop finds the functions whose share of the profile grew most from base to current (or,
 * with direction `changed`, grew or shrank most).
 * Each profile is normalised by its own total (pprof's `-normalize`), so a longer or
 * busier run does not count as growth; rows are sorted by the growth in points.
 */
export function diffTop(
  base: Profile,
  current: Profile,
  sampleIndex?: string,
  options: DiffTopOptions = {},
): Result<DiffTop> {
  const bi = sampleIndexByName(base, sampleIndex)
  if (!bi.ok) return { ok: false, reason: `base profile: ${bi.reason}` }
  const ci = sampleIndexByName(current, sampleIndex)
  if (!ci.ok) return { ok: false, reason: `current profile: ${ci.reason}` }
  const baseType = base.sampleTypes[bi.value]!.type
  const sampleType = current.sampleTypes[ci.value]!.type
  if (baseType !== sampleType) {
    return { ok: false, reason: `sample types differ: base is ${baseType}, current is ${sampleType}` }
  }
  const by = options.by ?? 'flat'
  const b = shares(base, bi.value, by)
  const c = shares(current, ci.value, by)
  const names = new Set([...b.pct.keys(), ...c.pct.keys()])
  const rows: DiffRow[] = []
  for (const name of names) {
    const basePct = b.pct.get(name) ?? 0
    const currentPct = c.pct.get(name) ?? 0
    rows.push({ name, basePct, currentPct, deltaPct: currentPct - basePct })
  }
  const minDelta = options.minDeltaPct ?? 0
  const moved =
    options.direction === 'changed' ? (r: DiffRow) => Math.abs(r.deltaPct) : (r: DiffRow) => r.deltaPct
  const grew = rows
    .filter((r) => moved(r) > minDelta)
    .sort((x, y) => moved(y) - moved(x) || (x.name < y.name ? -1 : 1))
    .slice(0, options.limit ?? 10)
  return { ok: true, value: { sampleType, baseTotal: b.total, currentTotal: c.total, rows: grew } }
}
