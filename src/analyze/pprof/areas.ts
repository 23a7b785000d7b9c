// "Application Bottlenecks": the share of a profile spent in each area of code
// (JSON, routing, database driver, GC…), from frame patterns users can extend in perfgate.yml.
import type { AreaPattern } from '../../plan/types.ts'
import { stackNames } from './graph.ts'
import type { Profile, Result } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'

export const APPLICATION_AREA = 'application code'
export const OTHER_AREA = 'other'

export interface AreaShare {
  area: string
  /** Sum of |value| of the samples attributed to the area, in the sample type's unit. */
  value: number
  /** Fraction of the total, 0..1; all shares add up to 1 when the total is non-zero. */
  share: number
}

export interface AreaShares {
  sampleType: string
  sampleUnit: string
  total: number
  /** Largest share first; areas with no samples are left out. */
  shares: AreaShare[]
  /** Patterns that were not valid regular expressions and were matched as plain text. */
  warnings: string[]
}

export interface AreaOptions {
  /** Package path prefixes of the user's own code, for modules whose path has no dot. */
  appPrefixes?: string[]
}

/** Package path of a Go function name: `github.com/a/b.(*T).M` → `github.com/a/b`. */
function packagePath(name: string): string {
  const slash = name.lastIndexOf('/')
  const dot = name.indexOf('.', slash + 1)
  return dot < 0 ? name : name.slice(0, dot)
}

/** Whether a frame is the user's code: package main, a listed prefix, or a non-standard-library path. */
function isApplicationFrame(name: string, appPrefixes: string[]): boolean {
  if (name.startsWith('main.')) return true
  if (appPrefixes.some((p) => name.startsWith(p))) return true
  const pkg = packagePath(name)
  const first = pkg.split('/')[0] ?? ''
  // Standard library packages have no dot in their first path element (runtime, net/http, vendor/…).
  return first.includes('.') && !name.startsWith('[') && !name.startsWith('<')
}

function compile(
  areas: AreaPattern[],
  warnings: string[],
): { area: string; tests: ((s: string) => boolean)[] }[] {
  return areas.map(({ area, patterns }) => ({
    area,
    tests: patterns.map((pattern) => {
      try {
        const rx = new RegExp(pattern)
        return (s: string) => rx.test(s)
      } catch {
        warnings.push(
          `area "${area}": pattern ${JSON.stringify(pattern)} is not a valid regular expression; matched as text`,
        )
        return (s: string) => s.includes(pattern)
      }
    }),
  }))
}

/**
 * areaShares attributes each sample to an area: walking the stack from the leaf, the first
 * frame that matches any area's pattern decides (areas are tried in order for each frame).
 * Samples matching nothing count as "application code" when a frame is the user's code,
 * else as "other".
 */
export function areaShares(
  profile: Profile,
  areas: AreaPattern[],
  sampleIndex?: string,
  options: AreaOptions = {},
): Result<AreaShares> {
  const resolved = sampleIndexByName(profile, sampleIndex)
  if (!resolved.ok) return resolved
  const index = resolved.value
  const warnings: string[] = []
  const compiled = compile(areas, warnings)
  const appPrefixes = options.appPrefixes ?? []
  const values = new Map<string, number>()
  const cache = new Map<string, string | undefined>()
  const areaOf = (frame: string): string | undefined => {
    if (!cache.has(frame)) cache.set(frame, compiled.find((a) => a.tests.some((t) => t(frame)))?.area)
    return cache.get(frame)
  }
  for (const sample of profile.samples) {
    const w = Math.abs(sample.values[index] ?? 0)
    if (w === 0) continue
    const frames = stackNames(sample.locations)
    let area: string | undefined
    for (const frame of frames) {
      area = areaOf(frame)
      if (area) break
    }
    area ??= frames.some((f) => isApplicationFrame(f, appPrefixes)) ? APPLICATION_AREA : OTHER_AREA
    values.set(area, (values.get(area) ?? 0) + w)
  }
  let total = 0
  for (const v of values.values()) total += v
  const shares = [...values.entries()]
    .map(([area, value]) => ({ area, value, share: total === 0 ? 0 : value / total }))
    .sort((a, b) => b.value - a.value || (a.area < b.area ? -1 : 1))
  const { type: sampleType, unit: sampleUnit } = profile.sampleTypes[index]!
  return { ok: true, value: { sampleType, sampleUnit, total, shares, warnings } }
}
