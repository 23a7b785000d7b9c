// Calibration of the paired rows on the bench's A/A runs (issue 19). Counting A/A gate failures
// needs hundreds of runs to tell a 1 % false-alarm rate from 3 %; every row of every A/A run is a
// draw from the null, so the rows (re-judged by this code's default test, at the run's alpha) say
// sooner whether the intervals and p-values mean what they claim:
//   - z = log ratio / standard error, the standard error read back from the row's interval
//     (half-width / t quantile): under the null its spread is 1 when the interval is right, above 1
//     when it is too narrow (too many false alarms), below 1 when too wide (detections lost);
//   - the share of |z| beyond the interval's own quantile and of p below 0.05 and 0.01: the
//     interval's and the permutation test's false-alarm rates, against their nominal ones.
// Rows of one run share its moment and are not independent, so these are rates, not counts of
// independent trials. A/B runs add their other endpoints' rows (the switch delays one endpoint),
// shown apart: the PR side's pacing changes a little with the switch. Pure.
import type { LoadPart } from '../src/record/load.ts'
import type { PairedPart } from '../src/record/paired.ts'
import { tQuantile } from '../src/compare/t-quantile.ts'

/** A paired run's two sides as judged: the PR side's load and the paired part (its base side and rows). */
export interface JudgedPaired {
  load: Pick<LoadPart, 'endpoints'>
  paired: PairedPart
}

export interface CalibrationRow {
  endpoint: string
  metric: 'p50Ms' | 'p95Ms'
  /** Requests of the endpoint on the side with fewer. */
  requests: number
  /** Standard error of the log ratio, read back from the interval. */
  se: number
  z: number
  /** |z| beyond the interval's own t quantile: the interval excludes no change. */
  outside: boolean
  p: number
}

/** The rows of a judged paired run as calibration draws; `skip`: an endpoint whose rows are not null. */
export function calibrationRows({ load, paired }: JudgedPaired, skip?: string): CalibrationRow[] {
  const alpha = paired.stopping ? paired.stopping.alpha / paired.stopping.looksAtS.length : paired.alpha
  const count = (side: { endpoints: { name: string; count: number }[] }, name: string) =>
    side.endpoints.find((e) => e.name === name)?.count ?? 0
  const out: CalibrationRow[] = []
  for (const row of paired.rows) {
    if (row.endpoint === skip || row.pairs < 2) continue
    const [lo, hi] = row.interval
    if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) continue
    const t = tQuantile(1 - alpha / 2, row.pairs - 1)
    const se = (Math.log1p(hi) - Math.log1p(lo)) / 2 / t
    if (!(se > 0)) continue
    const z = Math.log1p(row.relativeChange) / se
    out.push({
      endpoint: row.endpoint,
      metric: row.metric,
      requests: Math.min(count(load, row.endpoint), count(paired.base, row.endpoint)),
      se,
      z,
      outside: Math.abs(z) > t,
      p: row.p,
    })
  }
  return out
}

export interface CalibrationTally {
  group: string
  rows: number
  /** Standard deviation of z (1 when the interval is calibrated). */
  zSd: number
  /** Share of rows whose interval excludes no change (nominal: the rows' alpha). */
  outside: number
  pBelow05: number
  pBelow01: number
  /** Median of se × √(requests a side): the constant c of se ≈ c / √n, for planning a run's length. */
  seRootN: number
}

/** The median; NaN of none. */
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const sdOf = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / Math.max(1, xs.length))

export function calibrationTally(group: string, rows: CalibrationRow[]): CalibrationTally {
  const share = (f: (r: CalibrationRow) => boolean) => rows.filter(f).length / Math.max(1, rows.length)
  return {
    group,
    rows: rows.length,
    // about 0, not the sample mean: a shared offset between the two deployments is part of the error
    zSd: sdOf(rows.map((r) => r.z)),
    outside: share((r) => r.outside),
    pBelow05: share((r) => r.p < 0.05),
    pBelow01: share((r) => r.p < 0.01),
    seRootN: median(rows.map((r) => r.se * Math.sqrt(r.requests))),
  }
}

/** The switched endpoint's p95 rows in the A/B runs (not null draws): their standard error and requests. */
export interface SwitchedSe {
  endpoint: string
  rows: number
  medianSe: number
  medianRequests: number
  seRootN: number
}

export function switchedSe(ab: readonly JudgedPaired[], switched: string): SwitchedSe {
  const rows = ab
    .flatMap((r) => calibrationRows(r))
    .filter((r) => r.endpoint === switched && r.metric === 'p95Ms')
  return {
    endpoint: switched,
    rows: rows.length,
    medianSe: median(rows.map((r) => r.se)),
    medianRequests: median(rows.map((r) => r.requests)),
    seRootN: median(rows.map((r) => r.se * Math.sqrt(r.requests))),
  }
}

/** The tallies the replay prints: by metric, and by requests per side below/above `split`. */
export function calibrationTallies(
  aa: readonly JudgedPaired[],
  ab: readonly JudgedPaired[],
  switched: string,
  split = 1000,
): CalibrationTally[] {
  const aaRows = aa.flatMap((r) => calibrationRows(r))
  const abRows = ab.flatMap((r) => calibrationRows(r, switched))
  const groups: [string, CalibrationRow[]][] = [
    ['A/A, every row', aaRows],
    ['A/A, p50 rows', aaRows.filter((r) => r.metric === 'p50Ms')],
    ['A/A, p95 rows', aaRows.filter((r) => r.metric === 'p95Ms')],
    [`A/A, endpoints under ${split} requests a side`, aaRows.filter((r) => r.requests < split)],
    [`A/A, endpoints with ${split}+ requests a side`, aaRows.filter((r) => r.requests >= split)],
    [`A/B, endpoints other than ${switched}`, abRows],
  ]
  return groups.map(([g, rows]) => calibrationTally(g, rows))
}

export function formatCalibration(
  tallies: readonly CalibrationTally[],
  alpha: number,
  switched?: SwitchedSe,
): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`
  return [
    `Calibration of the paired rows, re-judged by the default test (each row a draw from the null; z = log ratio / the standard error behind its ${((1 - alpha) * 100).toFixed(0)} % interval):`,
    '',
    `| rows | n | sd of z (1 = calibrated) | interval excludes 0 (nominal ${pct(alpha)}) | p < 0.05 | p < 0.01 | median se × √(requests a side) |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...tallies.map(
      (t) =>
        `| ${t.group} | ${t.rows} | ${t.zSd.toFixed(2)} | ${pct(t.outside)} | ${pct(t.pBelow05)} | ${pct(t.pBelow01)} | ${t.seRootN.toFixed(2)} |`,
    ),
    '',
    ...(switched && switched.rows > 0
      ? [
          `A/B ${switched.endpoint} p95 rows (${switched.rows}): standard error ${pct(switched.medianSe)} at ${Math.round(switched.medianRequests)} requests a side (median), se × √n ${switched.seRootN.toFixed(2)}.`,
          '',
        ]
      : []),
  ].join('\n')
}
