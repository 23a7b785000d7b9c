// Block and mutex profiles: which call sites waited (block) or made others wait (mutex), and how long.
import { isRuntimeFrame, stackNames } from './graph.ts'
import { scaledLabel } from './measurement.ts'
import type { Profile, Result } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'

export interface ContentionSite {
  /** The first frame (from the leaf) outside runtime and sync internals: the code that waited or held the lock. */
  function: string
  /** The frame where the wait happened, e.g. `sync.(*Mutex).Lock`. */
  blockedIn: string
  /** Callers of `function`, nearest first. */
  callers: string[]
  /** Total delay in the profile's unit (nanoseconds for Go). */
  delay: number
  delayText: string
  contentions: number
  /** Fraction of the profile's total delay, 0..1. */
  share: number
}

export interface Contention {
  sampleType: string
  totalDelay: number
  totalDelayText: string
  totalContentions: number
  sites: ContentionSite[]
}

function isSyncInternal(name: string): boolean {
  return isRuntimeFrame(name) || /^(sync|internal\/sync|sync\/atomic)\./.test(name)
}

/**
 * contentionSites lists the top call sites of a block or mutex profile by delay: each site is
 * the first non-runtime, non-sync frame with its nearest `depth` callers.
 */
export function contentionSites(
  profile: Profile,
  options: { limit?: number; depth?: number } = {},
): Result<Contention> {
  const delayIndex = sampleIndexByName(profile, 'delay')
  if (!delayIndex.ok) return { ok: false, reason: `not a block or mutex profile: ${delayIndex.reason}` }
  const countIndex = profile.sampleTypes.findIndex((t) => t.type === 'contentions')
  const depth = options.depth ?? 3
  const unit = profile.sampleTypes[delayIndex.value]!.unit
  const sites = new Map<string, ContentionSite>()
  let totalDelay = 0
  let totalContentions = 0
  for (const sample of profile.samples) {
    const delay = sample.values[delayIndex.value] ?? 0
    const contentions = countIndex >= 0 ? (sample.values[countIndex] ?? 0) : 0
    totalDelay += delay
    totalContentions += contentions
    if (delay === 0 && contentions === 0) continue
    const frames = stackNames(sample.locations)
    let at = frames.findIndex((f) => !isSyncInternal(f))
    if (at < 0) at = 0
    const fn = frames[at] ?? '<unknown>'
    const callers = frames.slice(at + 1, at + 1 + depth)
    const blockedIn = frames[0] ?? '<unknown>'
    const key = [blockedIn, fn, ...callers].join('\n')
    const site = sites.get(key)
    if (site) {
      site.delay += delay
      site.contentions += contentions
    } else sites.set(key, { function: fn, blockedIn, callers, delay, delayText: '', contentions, share: 0 })
  }
  const list = [...sites.values()]
    .sort((a, b) => b.delay - a.delay || b.contentions - a.contentions || (a.function < b.function ? -1 : 1))
    .slice(0, options.limit ?? 10)
    .map((s) => ({
      ...s,
      delayText: scaledLabel(s.delay, unit, 'auto'),
      share: totalDelay === 0 ? 0 : s.delay / totalDelay,
    }))
  return {
    ok: true,
    value: {
      sampleType: profile.sampleTypes[delayIndex.value]!.type,
      totalDelay,
      totalDelayText: scaledLabel(totalDelay, unit, 'auto'),
      totalContentions,
      sites: list,
    },
  }
}
