// The stage timeline (issue 18): when each stage of a run started and ended, kept in the record
// and logged with its duration, so users see where their job's time goes beyond the load.
import { formatSeconds, overheadBeyondLoad, type StageSpan } from './record/stages.ts'

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
