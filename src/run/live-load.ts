// k6's output aggregated while k6 runs (issue 18: after k6's exit only its last seconds are left
// to read; issue 19: the paired stopping rule judges the load so far at its planned looks and
// ends the run once every gated row has resolved).
import type { Plan } from '../plan/types.ts'
import { LoadAggregator, type AggregateResult } from './aggregate.ts'
import type { FileAggregate } from './aggregate-file.ts'
import { K6OutputTail } from './k6-output-tail.ts'
import type { PointSink } from './k6-json-scanner.ts'
import { pairedAggregators } from './paired-aggregate.ts'

/**
 * The alternating design's slice length: 6 s as in the pilot (bench/README.md, "Paired designs"),
 * so a 60-s run has the 5 slice pairs a verdict needs.
 */
export const ALTERNATING_SLICE_S = 6

/** How often the output file is read during the load. */
const DEFAULT_FOLLOW_INTERVAL_MS = 2000

/** The load so far: the PR side (or the only one) and, in a paired run, the base side. */
export interface LoadSnapshot {
  current: AggregateResult
  base?: AggregateResult
}

/** The stopping rule's looks, as the run stage sees them (the pipeline judges). */
export interface LoadLooks {
  /** Seconds of load at which to look, ascending; the last is the load's own end, judged after it. */
  atS: readonly number[]
  /** Judges the load so far at look `index`; true ends the load there. */
  decide: (snapshot: LoadSnapshot, index: number) => boolean
}

interface LiveAggregate {
  sink: PointSink
  spanS: () => number
  results: () => LoadSnapshot
}

/** The aggregators for this plan: one, or a paired run's two sides. */
function liveAggregate(plan: Plan): LiveAggregate {
  if (plan.baselineUrl) {
    // Alternating: one window per slice pair (A B or B A), so window i of each side is its slice of pair i.
    const alternating = plan.pairedDesign === 'alternating'
    const sides = pairedAggregators({
      endpoints: plan.endpoints,
      ...(alternating ? { windowS: 2 * ALTERNATING_SLICE_S } : {}),
      sharedVus: !alternating,
    })
    return sides
  }
  const aggregator = new LoadAggregator({ endpoints: plan.endpoints })
  return {
    sink: aggregator,
    spanS: () => aggregator.spanS(),
    results: () => ({ current: aggregator.result() }),
  }
}

export interface FollowedLoad {
  /** Aborted when a look ended the load: pass it to runK6Process as `finish`. */
  finish: AbortSignal
  /** Stops following (k6 has exited), reads the rest of the file and summarises it; ENOENT when k6 wrote none. */
  end: () => Promise<FileAggregate & { base?: AggregateResult }>
  /** The look that ended the load, if one did. */
  endedAtLook: () => number | undefined
}

/** Starts following k6's output file; reading begins as soon as k6 creates it. */
export function followLoad(
  plan: Plan,
  ndjson: string,
  options: { looks?: LoadLooks; intervalMs?: number; log?: (line: string) => void } = {},
): FollowedLoad {
  const live = liveAggregate(plan)
  const tail = new K6OutputTail(ndjson, live.sink)
  const finish = new AbortController()
  const looks = options.looks
  let next = 0
  let endedAtLook: number | undefined
  let running = true
  let timer: NodeJS.Timeout | undefined
  let wake: (() => void) | undefined

  const step = async () => {
    await tail.poll()
    // The last look is the load's own end: the final judgement after k6's exit takes it.
    while (looks && running && next < looks.atS.length - 1 && live.spanS() >= looks.atS[next]!) {
      const index = next++
      if (looks.decide(live.results(), index)) {
        endedAtLook = index
        running = false
        finish.abort()
      }
    }
  }
  const loop = (async () => {
    while (running) {
      await new Promise<void>((resolve) => {
        wake = resolve
        timer = setTimeout(resolve, options.intervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS)
      })
      if (!running) break
      // A read error is reported by end() (the record's `partial`); a look that fails is logged,
      // and the load runs on to its maximum, judged once at the end.
      await step().catch((error: Error) => {
        if (looks && next > 0) options.log?.(`perfgate: a look at the load failed: ${error.message}`)
      })
    }
  })()

  return {
    finish: finish.signal,
    end: async () => {
      running = false
      clearTimeout(timer)
      wake?.()
      await loop
      const read = await tail.finish()
      const { current, base } = live.results()
      return { ...read, result: current, ...(base ? { base } : {}) }
    },
    endedAtLook: () => endedAtLook,
  }
}
