// Choosing which value of each sample a report reads, with pprof's -sample_index rules.
import type { Profile, Result } from './model.ts'

/**
 * sampleIndexByName resolves a sample type name (or number) to its index, like pprof's
 * SampleIndexByName: empty means the profile's default type, else the last one;
 * `inuse_space` also matches a plain `space`.
 */
export function sampleIndexByName(profile: Profile, name = ''): Result<number> {
  const types = profile.sampleTypes.map((t) => t.type)
  if (types.length === 0) return { ok: false, reason: 'profile has no samples' }
  if (name === '') {
    const i = profile.defaultSampleType ? types.indexOf(profile.defaultSampleType) : -1
    return { ok: true, value: i >= 0 ? i : types.length - 1 }
  }
  if (/^[0-9]+$/.test(name)) {
    const i = Number(name)
    if (i >= types.length) {
      return { ok: false, reason: `sample_index ${name} is outside the range [0..${types.length - 1}]` }
    }
    return { ok: true, value: i }
  }
  const noInuse = name.replace(/^inuse_/, '')
  const i = types.findIndex((t) => t === name || t === noInuse)
  if (i < 0) return { ok: false, reason: `sample_index "${name}" must be one of: [${types.join(' ')}]` }
  return { ok: true, value: i }
}
