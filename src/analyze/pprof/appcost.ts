// Application cost: each sample is charged to the innermost application frame on its stack,
// so an application function's cost includes the library and runtime calls it makes itself
// (a regexp compiled per request shows up under the function that compiles it, not buried
// as 0 % flat). The direct callee that carries most of that cost is the call to fix.
import { stackNames } from './graph.ts'
import type { Profile } from '../../pprof/model.ts'

export interface ApplicationCost {
  function: string
  /** Value charged to the function (its own work plus the non-application calls it makes). */
  value: number
  /** value / total of the profile, 0..1. */
  share: number
  /** The direct non-application callee with the largest value, when it carries at least half. */
  dominantCall?: { function: string; share: number }
}

/**
 * applicationCosts ranks application functions by the value of the samples whose innermost
 * application frame they are. `isApp` tells application frames apart; samples without one are
 * not charged to anyone.
 */
export function applicationCosts(
  profile: Profile,
  index: number,
  isApp: (name: string) => boolean,
  limit = 10,
): ApplicationCost[] {
  let total = 0
  const byFunction = new Map<string, { value: number; callees: Map<string, number> }>()
  for (const sample of profile.samples) {
    const v = sample.values[index] ?? 0
    total += v
    if (v === 0) continue
    const frames = stackNames(sample.locations) // leaf first
    const at = frames.findIndex(isApp)
    if (at < 0) continue
    const fn = frames[at]!
    let entry = byFunction.get(fn)
    if (!entry) byFunction.set(fn, (entry = { value: 0, callees: new Map() }))
    entry.value += v
    const callee = at > 0 ? frames[at - 1]! : fn
    entry.callees.set(callee, (entry.callees.get(callee) ?? 0) + v)
  }
  return [...byFunction.entries()]
    .map(([fn, e]) => {
      let best: [string, number] | undefined
      for (const c of e.callees) if (c[0] !== fn && (!best || c[1] > best[1])) best = c
      return {
        function: fn,
        value: e.value,
        share: total > 0 ? e.value / total : 0,
        ...(best && e.value > 0 && best[1] / e.value >= 0.5
          ? { dominantCall: { function: best[0], share: best[1] / e.value } }
          : {}),
      }
    })
    .sort((a, b) => b.value - a.value || (a.function < b.function ? -1 : 1))
    .slice(0, limit)
}
