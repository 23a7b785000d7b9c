// The stage timeline (issue 18): when each stage of a run started and ended, kept in the record
// and logged with its duration, so users see where their job's time goes beyond the load.

/** One stage: milliseconds since the run's first stage started. */
export interface StageSpan {
  stage: string
  startMs: number
  endMs: number
}

export class StageTimeline {
  readonly spans: StageSpan[] = []
  private readonly origin: number

  constructor(
    private readonly log: (line: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.origin = now()
  }

  /** Runs `work` as one stage; its span is kept and logged also when it throws. */
  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const startMs = Math.round(this.now() - this.origin)
    try {
      return await work()
    } finally {
      const endMs = Math.round(this.now() - this.origin)
      this.spans.push({ stage, startMs, endMs })
      this.log(`perfgate: stage ${stage} took ${formatSeconds(endMs - startMs)}`)
    }
  }

  /** Ends a stage that began at `startMs` (the run's start by default) and was not run by `time`. */
  ended(stage: string, startMs = 0): void {
    const endMs = Math.round(this.now() - this.origin)
    this.spans.push({ stage, startMs, endMs })
    this.log(`perfgate: stage ${stage} took ${formatSeconds(endMs - startMs)}`)
  }

  /** Logs the overhead beyond the load so far (see `overheadBeyondLoad`); nothing without a load. */
  logOverhead(): void {
    const overhead = overheadBeyondLoad(this.spans)
    if (overhead)
      this.log(
        `perfgate: overhead beyond the load: ${formatSeconds(overhead.ms)} from k6's exit to the end of ${overhead.untilStage}` +
          ` (cool-down ${formatSeconds(overhead.coolDownMs)} of it)`,
      )
  }
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
