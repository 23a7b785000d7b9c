// Side-aware aggregation of a paired run (issue 19): one k6 NDJSON file holds the samples of both
// deployments; each goes to its side's aggregator, and both sides count their windows from the
// same moment, so window i of the base side and window i of the PR side cover the same 2 s.
import { LoadAggregator, type AggregateOptions, type AggregateResult } from './aggregate.ts'
import { readK6File, type K6FileRead } from './aggregate-file.ts'
import type { PointSink, TrackedMetric } from './k6-json-scanner.ts'
import { SIDE_SCENARIOS } from './paired-script.ts'

export type Side = 'base' | 'pr'

export interface PairedAggregate extends K6FileRead {
  base: AggregateResult
  current: AggregateResult
}

/** Distinct tag sets remembered; cleared when full, as in aggregate.ts. */
const MAX_CACHED_TAG_SETS = 20_000
const SIDE_TAG = /"side":"(base|pr)"/
const SCENARIO_TAG = /"scenario":"([^"\\]*)"/

/**
 * The side of a sample: the paired script's `side` tag, else its k6 scenario's name
 * (`perfgate_base`, `perfgate_pr_3`, …). The scenario name is not `perfgate` in a paired script, so
 * nothing here may look for `scenario:perfgate`. Undefined for setup()/teardown() traffic and for
 * samples without tags (neither belongs to a side).
 */
export function sideOfTags(tagsText: string): Side | undefined {
  const tagged = SIDE_TAG.exec(tagsText)?.[1]
  if (tagged) return tagged as Side
  const scenario = SCENARIO_TAG.exec(tagsText)?.[1]
  if (!scenario) return undefined
  for (const side of ['base', 'pr'] as const) {
    const name = SIDE_SCENARIOS[side]
    if (scenario === name || scenario.startsWith(`${name}_`)) return side
  }
  return undefined
}

/** Hands each point to its side's aggregator; `vus` (one gauge for the whole process) goes to both. */
export class SideSplitter implements PointSink {
  private readonly cache = new Map<string, Side | undefined>()
  private anchored = false

  constructor(private readonly sides: Record<Side, LoadAggregator>) {}

  point(metric: TrackedMetric, timeMs: number, value: number, tagsText: string): void {
    if (metric === 'vus') {
      this.sides.base.point(metric, timeMs, value, tagsText)
      this.sides.pr.point(metric, timeMs, value, tagsText)
      return
    }
    let side = this.cache.get(tagsText)
    if (side === undefined && !this.cache.has(tagsText)) {
      side = sideOfTags(tagsText)
      if (this.cache.size >= MAX_CACHED_TAG_SETS) this.cache.clear()
      this.cache.set(tagsText, side)
    }
    if (side === undefined) return
    if (!this.anchored) {
      // The first load sample of either side anchors both sides' windows.
      this.anchored = true
      this.sides.base.startAt(timeMs)
      this.sides.pr.startAt(timeMs)
    }
    this.sides[side].point(metric, timeMs, value, tagsText)
  }
}

/**
 * Aggregates a paired run's NDJSON into the base side and the PR (current) side. Simultaneous
 * (`sharedVus`, the default): both sides ran at once on VU pools of the same size, so each side's
 * peak VUs is half of the process's; alternating: one side ran at a time with all of them.
 */
export async function aggregatePairedFile(
  path: string,
  options: AggregateOptions & { sharedVus?: boolean },
): Promise<PairedAggregate> {
  const sides = pairedAggregators(options)
  const read = await readK6File(path, sides.sink)
  return { ...read, ...sides.results() }
}

/** The two sides' aggregators behind one sink, for a file read at once or followed during the run. */
export function pairedAggregators(options: AggregateOptions & { sharedVus?: boolean }): {
  sink: PointSink
  /** Seconds of load either side has seen so far (cheap). */
  spanS: () => number
  results: () => { base: AggregateResult; current: AggregateResult }
} {
  const base = new LoadAggregator(options)
  const pr = new LoadAggregator(options)
  const share = (r: AggregateResult): AggregateResult =>
    options.sharedVus === false ? r : { ...r, vusMax: Math.ceil(r.vusMax / 2) }
  return {
    sink: new SideSplitter({ base, pr }),
    spanS: () => Math.max(base.spanS(), pr.spanS()),
    results: () => ({ base: share(base.result()), current: share(pr.result()) }),
  }
}
