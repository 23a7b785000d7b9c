// Goroutine profiles: how many goroutines there are, where they wait, and whether
// they leaked during a load test.
import { isRuntimeFrame, stackNames } from './graph.ts'
import type { Profile } from '../../pprof/model.ts'

export interface GoroutineStack {
  count: number
  /** Fraction of all goroutines in the profile(s) compared, 0..1. */
  share: number
  /** Deepest frame that is not Go runtime internals: where these goroutines wait. */
  waitingIn: string
  /** Root frame: the function the goroutines were started with (`go f()`). */
  entry: string
  /** Frames leaf first, runtime internals at the leaf left out. */
  stack: string[]
}

function goroutineIndex(profile: Profile): number {
  const i = profile.sampleTypes.findIndex((t) => t.type === 'goroutine')
  return i >= 0 ? i : profile.sampleTypes.length - 1
}

/** goroutineCount is the number of goroutines a goroutine profile recorded. */
export function goroutineCount(profile: Profile): number {
  const index = goroutineIndex(profile)
  return profile.samples.reduce((sum, s) => sum + (s.values[index] ?? 0), 0)
}

function stacksByKey(profile: Profile): Map<string, Omit<GoroutineStack, 'share'>> {
  const index = goroutineIndex(profile)
  const groups = new Map<string, Omit<GoroutineStack, 'share'>>()
  for (const sample of profile.samples) {
    const count = sample.values[index] ?? 0
    if (count === 0) continue
    const frames = stackNames(sample.locations)
    let first = frames.findIndex((f) => !isRuntimeFrame(f))
    if (first < 0) first = 0
    const stack = frames.slice(first)
    const key = stack.join('\n')
    const group = groups.get(key)
    if (group) group.count += count
    else
      groups.set(key, {
        count,
        waitingIn: stack[0] ?? '<unknown>',
        entry: stack[stack.length - 1] ?? '<unknown>',
        stack,
      })
  }
  return groups
}

/**
 * goroutineStacks groups a goroutine profile's goroutines by stack (runtime frames at the
 * leaf trimmed, so goroutines parked in different runtime calls at the same place group
 * together) and returns the largest groups first.
 */
export function goroutineStacks(profile: Profile, limit = 5): GoroutineStack[] {
  const total = goroutineCount(profile)
  return [...stacksByKey(profile).values()]
    .sort((a, b) => b.count - a.count || (a.waitingIn < b.waitingIn ? -1 : 1))
    .slice(0, limit)
    .map((g) => ({ ...g, share: total === 0 ? 0 : g.count / total }))
}

export interface GoroutineLeak {
  suspected: boolean
  before: number
  during: number
  after: number
  /** after - before. */
  growth: number
  /** Growth needed to suspect a leak: max(20, 10 % of before). */
  threshold: number
  /** Goroutines left per 1000 requests, when the request count is known. */
  perThousandRequests?: number
  /** Stacks that grew most from before to after (or the largest after stacks when only counts are known before). */
  topStacks: GoroutineStack[]
  /** One sentence on why the rule did or did not fire. */
  reason: string
}

/**
 * goroutineLeak applies perfgate's leak rule to goroutine snapshots taken before the load,
 * during it and after the cool-down. A leak is suspected when, after the cool-down, the
 * count stays at least max(20, 10 % of before) above the count before the load, the count
 * rose during the load, and requests were served (when `requests` is given). Each snapshot
 * is a goroutine profile or a bare count.
 */
export function goroutineLeak(
  before: Profile | number,
  during: Profile | number,
  after: Profile | number,
  requests?: number,
): GoroutineLeak {
  const count = (p: Profile | number) => (typeof p === 'number' ? p : goroutineCount(p))
  const b = count(before)
  const d = count(during)
  const a = count(after)
  const growth = a - b
  const threshold = leakThreshold(b)
  const perThousandRequests = requests && requests > 0 ? (growth / requests) * 1000 : undefined

  let reason: string
  let suspected = false
  if (growth < threshold) {
    reason = `${a} goroutines after the cool-down vs ${b} before: growth ${growth} is below the threshold ${threshold}`
  } else if (d <= b) {
    reason = `goroutines grew by ${growth} after the load but did not rise during it (${d} vs ${b} before)`
  } else if (requests !== undefined && requests <= 0) {
    reason = `goroutines grew by ${growth}, but no requests were served, so the growth is not tied to the load`
  } else {
    suspected = true
    reason = `${a} goroutines after the cool-down vs ${b} before (+${growth}, threshold ${threshold}); they rose to ${d} during the load`
  }

  let topStacks: GoroutineStack[] = []
  if (typeof after !== 'number') {
    if (typeof before === 'number') topStacks = goroutineStacks(after, 5)
    else {
      const old = stacksByKey(before)
      const grown: GoroutineStack[] = []
      for (const [key, g] of stacksByKey(after)) {
        const delta = g.count - (old.get(key)?.count ?? 0)
        if (delta > 0) grown.push({ ...g, count: delta, share: growth > 0 ? delta / growth : 0 })
      }
      topStacks = grown.sort((x, y) => y.count - x.count || (x.waitingIn < y.waitingIn ? -1 : 1)).slice(0, 5)
    }
  }
  return {
    suspected,
    before: b,
    during: d,
    after: a,
    growth,
    threshold,
    perThousandRequests,
    topStacks,
    reason,
  }
}

/**
 * The growth after the cool-down that counts as a leak: 20 goroutines, or 10 % of the count before
 * the load when that is more. The cool-down may end once the count is within it (collect/cool-down.ts).
 */
export function leakThreshold(before: number): number {
  return Math.max(20, Math.ceil(before * 0.1))
}
