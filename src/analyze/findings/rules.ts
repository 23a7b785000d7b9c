// The thresholds every finding is judged by, stated in docs/findings.md and in the findings
// themselves, so a reader can check a claim against the numbers it prints.
import type { Finding } from '../../record/findings.ts'
import { tierOf } from '../recommend.ts'

/** Statements whose mean is above this are listed in the slow-query table (a listing, not a finding). */
export const SLOW_QUERY_MEAN_MS = 10
/** The table also lists the statements that cost the most database time: the top this many… */
export const SLOW_QUERY_TOP_BY_TOTAL = 5
/** …of those, only the ones taking at least this share of the application's database time. */
export const SLOW_QUERY_TOP_MIN_DB_SHARE = 0.05
/** A slow-query finding needs work that does not grow with CPU starvation: at least this many shared
 * buffers (8 KiB pages, hit + read, from pg_stat_statements) touched per call… */
export const SLOW_QUERY_MIN_BLOCKS_PER_CALL = 10_000
/** …and at least this share of the application's database time during the load (a share, so a
 * busy machine that slows every statement alike does not change it). */
export const SLOW_QUERY_MIN_DB_SHARE = 0.1
/** A CPU hotspot takes at least this share of the CPU samples (its own work and the calls it makes)… */
export const CPU_HOTSPOT_MIN_SHARE = 0.1
/** …and its CPU per request is at least this share of the mean latency of the requests it serves
 * (the smallest impact that makes a Priority 1–3 finding). */
export const CPU_HOTSPOT_MIN_LATENCY_SHARE = 0.05
/** …and at least this much CPU per request: below half a millisecond a request's CPU is not worth a change. */
export const CPU_HOTSPOT_MIN_MS_PER_REQUEST = 0.5
/** A CPU hotspot's per-request thresholds are met by its sampled CPU less this many standard errors
 * of the sample count (Poisson: √n of n samples), so a function seen in a handful of 10 ms samples
 * is not a finding on sampling luck: 6 samples count as 3.6, 100 as 90. */
export const CPU_HOTSPOT_SAMPLING_ERRORS = 1
/** CPU areas and allocation findings need a CPU-busy service: cores used ≥ this share of GOMAXPROCS. */
export const CPU_BUSY_SHARE = 0.5
/** Allocation findings need garbage collection to take at least this share of CPU. */
export const GC_MIN_CPU_SHARE = 0.1
/** Lock contention counts when waiting for the lock takes at least this share of the endpoint's request time. */
export const LOCK_WAIT_MIN_SHARE = 0.01

export function unavailable(reason: string): { unavailable: string } {
  return { unavailable: reason }
}

/** A finding with its tier from its impact. */
export function finding(f: Omit<Finding, 'tier'>): Finding {
  return { ...f, tier: tierOf(f.impact) }
}

/** `12.3%` for a share 0..1. */
export function pct(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)}%`
}
