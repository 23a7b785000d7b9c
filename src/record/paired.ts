// The `paired` part of a RunRecord (issue 19): the base branch's deployment loaded side by side
// with the PR's in one k6 process. `load` holds the PR side; this part the base side and the
// paired rows the gate judges instead of a stored baseline.
import type { EndpointLoad } from './load.ts'
import type { Part } from './common.ts'
import type { AppStatsData, ProfilesData, PrometheusData } from './collectors.ts'

/** How the two sides were loaded (compare/paired.ts). */
export type PairedDesignName = 'simultaneous' | 'alternating'

/** One side's numbers, in the shape of `load` (windows counted from the same moment as `load`'s). */
export interface PairedSide {
  url: string
  durationS: number
  vusMax: number
  overall: EndpointLoad
  endpoints: EndpointLoad[]
}

/** One paired row: an endpoint's latency percentile, PR side vs base side, window by window. */
export interface PairedRowRecord {
  /** `clip_detail.p95Ms`. */
  id: string
  endpoint: string
  metric: 'p50Ms' | 'p95Ms'
  /** Windows where both sides had enough requests. */
  pairs: number
  /** PR vs base: the geometric mean of the paired ratios, minus 1. */
  relativeChange: number
  /** (1 − alpha) interval of the relative change; ±Infinity (null in JSON) with fewer than 2 pairs. */
  interval: [number, number]
  /** Two-sided sign-flip p-value, and Holm-adjusted over every row of the run. */
  p: number
  pAdjusted: number
  verdict: 'regression' | 'improvement' | 'unchanged' | 'inconclusive' | 'no-data'
  gated: boolean
  tolerance: number
  /** When inconclusive: about how many more pairs would resolve it. */
  morePairs?: number
}

export interface PairedPart {
  design: PairedDesignName
  /** The PR side's URL (its numbers are `load`). */
  currentUrl: string
  base: PairedSide
  /** Significance level the rows were judged at. */
  alpha: number
  /** A window counts as a pair only when both sides had at least this many requests in it. */
  minWindowRequests: number
  /** How the percentile rows were tested (compare/paired-pooled.ts describeTest); absent: per-window sign-flip. */
  quantileTest?: string
  rows: PairedRowRecord[]
  /** The stopping rule's sentence when some gated row stayed open (compare/paired.ts). */
  inconclusive?: string
  /** With `paired-max-duration`: how the stopping rule ran (compare/paired-stopping.ts). */
  stopping?: PairedStopping
}

/** A paired run's stopping rule: looks planned and taken, and why the load ended. */
export interface PairedStopping {
  /** `paired-max-duration`, seconds. */
  maxDurationS: number
  /** The planned looks (seconds of load), the last at maxDurationS. */
  looksAtS: number[]
  /** The run's alpha; every look, and the rows above, are judged at alpha / looksAtS.length. */
  alpha: number
  /** The looks taken while k6 ran: seconds of load judged, and the gated rows still open then. */
  taken: { atS: number; open: number }[]
  /** `resolved`: a look found every gated row resolved and perfgate ended the load there. */
  ended: 'resolved' | 'max-duration'
  /**
   * With `resolved`: the rows are judged on the windows that had ended by this second of load (the
   * ones that look judged), so the verdict is the look's, not one moved by k6's last second.
   */
  judgedToS?: number
}

/** The folder beside result.json with the base side's raw files (its collectors' scrapes and profiles). */
export const BASE_SIDE_DIR = 'paired-base'

/**
 * `baseCollectors` of a RunRecord: what the base deployment's own collectors (`baseline-metrics-url`,
 * `baseline-pprof-url`, `baseline-app-stats-urls`) saw over the same load window as the PR side's.
 * Their file names are relative to BASE_SIDE_DIR. No database or Redis part: both sides usually
 * share those, and the PR side's collectors read them.
 */
export interface BaseCollectorParts {
  /** The base deployment's URL (`baseline-url`). */
  url: string
  prometheus: Part<PrometheusData>
  appStats: Part<AppStatsData>
  profiles: Part<ProfilesData>
}
