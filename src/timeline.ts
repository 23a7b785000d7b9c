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
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}
