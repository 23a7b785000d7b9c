// One goroutine count per moment: the report states the counts once, as one set from one source,
// wherever it mentions them. The pprof endpoint comes first (its goroutine profiles are what the
// leak check judges, the last one is taken after the cool-down, and its goroutine totals sampled
// during the load give the peak); without it, Prometheus' go_goroutines (before the load, the
// highest sample during it, right after it). Pure.
import { dataOf } from './format.ts'
import { isUnavailable } from '../record/common.ts'
import type { ReportContext } from './context.ts'

export interface GoroutineMoments {
  /** Where the counts come from, in words. */
  source: string
  moments: { label: string; count: number }[]
}

/** The goroutine counts of the run, one per moment, from one source; undefined when no source has any. */
export function goroutineMoments(ctx: ReportContext): GoroutineMoments | undefined {
  const g = dataOf(ctx.analysis?.goroutines)
  if (g && (g.before !== undefined || g.after !== undefined)) {
    const sampled = dataOf(ctx.record.profiles)?.goroutinesPeak
    const samples = (sampled?.samples ?? 0) + (g.during !== undefined ? 1 : 0)
    const peak = sampled ? Math.max(sampled.count, g.during ?? 0) : undefined
    const moments = [
      g.before !== undefined ? { label: 'before the load', count: g.before } : undefined,
      peak !== undefined
        ? { label: `peak (highest of ${samples} samples during the load)`, count: peak }
        : g.during !== undefined
          ? { label: 'mid-load (one snapshot, not a peak)', count: g.during }
          : undefined,
      g.after !== undefined
        ? {
            // k6 failed before any request (setup() threw): there was no load and no cool-down.
            label: isUnavailable(ctx.record.load)
              ? 'after (the load did not run, so no cool-down)'
              : 'after the cool-down',
            count: g.after,
          }
        : undefined,
    ].filter((m) => m !== undefined)
    return { source: 'the pprof goroutine profiles, which the leak check judges', moments }
  }
  const rt = ctx.prom?.runtime
  if (!rt) return undefined
  const moments = [
    rt.before.goroutines !== undefined
      ? { label: 'before the load', count: rt.before.goroutines }
      : undefined,
    rt.goroutinesMax !== undefined ? { label: 'peak (highest sample)', count: rt.goroutinesMax } : undefined,
    rt.after.goroutines !== undefined
      ? { label: 'right after the load', count: rt.after.goroutines }
      : undefined,
  ].filter((m) => m !== undefined)
  return moments.length > 0 ? { source: "Prometheus' go_goroutines", moments } : undefined
}

/** `7680 before the load, 8192 mid-load (…), 8276 after the cool-down (from the goroutine profiles, …)`. */
export function goroutineMomentsText(m: GoroutineMoments): string {
  return `${m.moments.map((x) => `${x.count} ${x.label}`).join(', ')} (from ${m.source})`
}
