// Profile transforms that drop samples, like pprof's -ignore: a profile in, a profile out.
import { stackNames } from './graph.ts'
import type { Profile, Sample } from '../../pprof/model.ts'

/**
 * Samples taken while perfgate itself was asking for a profile (net/http/pprof, runtime/pprof),
 * but not the requests an application labels with runtime/pprof.Do (or sets labels for).
 */
export const PERFGATE_OWN_FRAMES =
  /^(net\/http\/pprof\.|runtime\/pprof\.(?!(Do|SetGoroutineLabels|WithLabels|Labels)\b))/

export interface Filtered {
  profile: Profile
  /** Share (0..1) of the profile's value at `index` that the dropped samples carried. */
  droppedShare: number
}

/**
 * withoutSamples returns a copy of `profile` without the samples `drop` selects, and the share
 * of value `index` they carried. The input profile is not modified.
 */
export function withoutSamples(
  profile: Profile,
  index: number,
  drop: (frames: string[]) => boolean,
): Filtered {
  const kept: Sample[] = []
  let total = 0
  let dropped = 0
  for (const sample of profile.samples) {
    const v = Math.abs(sample.values[index] ?? 0)
    total += v
    if (drop(stackNames(sample.locations))) dropped += v
    else kept.push(sample)
  }
  if (kept.length === profile.samples.length) return { profile, droppedShare: 0 }
  return { profile: { ...profile, samples: kept }, droppedShare: total > 0 ? dropped / total : 0 }
}

/** withoutPerfgateFrames drops the samples of perfgate's own profile requests. */
export function withoutPerfgateFrames(profile: Profile, index: number): Filtered {
  return withoutSamples(profile, index, (frames) => frames.some((f) => PERFGATE_OWN_FRAMES.test(f)))
}
