// A run's stage spans as the record keeps them, and what the report computes from them (the
// overhead beyond the load). Pure; the timeline that measures them is src/timeline.ts.

/** One stage: milliseconds since the run's first stage started. */
export interface StageSpan {
  stage: string
  startMs: number
  endMs: number
}

/** What a run spent after k6 exited: from the load's end to the end of the last stage. */
export interface Overhead {
  ms: number
  /** The stage that ended last (the comparison in a record; publish in the log). */
  untilStage: string
  /** The cool-down wait inside it. */
  coolDownMs: number
}

/** The time from k6's exit to the last stage's end; undefined when the load is not in `spans`. Pure. */
export function overheadBeyondLoad(spans: readonly StageSpan[]): Overhead | undefined {
  const load = spans.find((s) => s.stage === 'load')
  if (!load) return undefined
  const last = spans.reduce((a, b) => (b.endMs >= a.endMs ? b : a))
  const coolDownMs = spans
    .filter((s) => s.stage === 'cool-down')
    .reduce((sum, s) => sum + s.endMs - s.startMs, 0)
  return { ms: Math.max(0, last.endMs - load.endMs), untilStage: last.stage, coolDownMs }
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}
