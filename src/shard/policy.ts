// What a shard is: its k6 execution segment, whether it owns the collectors, its artifact name.
// No I/O and no imports from the pipeline, so the pipeline and the run stage can import it.
import type { Plan } from '../plan/types.ts'
import type { CollectorSession } from '../collect/index.ts'
import { artifactNameFor } from '../baseline/types.ts'

/** The shard that runs the collectors (Prometheus, PostgreSQL, Redis, app stats, pprof). */
export const COLLECTOR_SHARD = 0

/** Fractions k6 reads: `0`, `1`, or `i/n` (k6 reduces them itself). */
function fraction(i: number, n: number): string {
  if (i === 0) return '0'
  if (i === n) return '1'
  return `${i}/${n}`
}

/**
 * Shard `index` of `count`: `--execution-segment i/N:(i+1)/N` within the sequence `0,1/N,…,1`.
 * k6 then runs exactly that share of every executor (VUs for ramping-vus, iterations or arrival
 * rate for the others), and the shares of all N shards add up to the unsharded test.
 */
export function executionSegment(index: number, count: number): { segment: string; sequence: string } {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`shards must be a whole number ≥ 1, got ${count}`)
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new Error(`shard must be a whole number from 0 to ${count - 1}, got ${index}`)
  return {
    segment: `${fraction(index, count)}:${fraction(index + 1, count)}`,
    sequence: Array.from({ length: count + 1 }, (_, i) => fraction(i, count)).join(','),
  }
}

/** k6 flags of a shard run; none when the plan is not sharded. */
export function executionSegmentArgs(plan: Pick<Plan, 'shard' | 'shards'>): string[] {
  if (plan.shards <= 1) return []
  const { segment, sequence } = executionSegment(plan.shard, plan.shards)
  return ['--execution-segment', segment, '--execution-segment-sequence', sequence]
}

/** True when this run starts the collectors: an unsharded run, or the owning shard. */
export function runsCollectors(plan: Pick<Plan, 'shard' | 'shards' | 'mode'>): boolean {
  return plan.mode !== 'merge' && (plan.shards <= 1 || plan.shard === COLLECTOR_SHARD)
}

/** The artifact of one shard: `perfgate-<report-name>-shard-<i>`. */
export function shardArtifactName(reportName: string, index: number): string {
  return `${artifactNameFor(reportName)}-shard-${index}`
}

/** Why a shard other than the owner has no collector data. */
export function notCollectedReason(): string {
  return `collected by shard ${COLLECTOR_SHARD}, which owns the collectors`
}

/** A collector session for a shard that does not own the collectors: every part is unavailable. */
export function notCollectedSession(): CollectorSession {
  const unavailable = { unavailable: notCollectedReason() }
  return {
    tick: () => undefined,
    finish: async () => undefined,
    parts: () => ({
      prometheus: unavailable,
      postgres: unavailable,
      redis: unavailable,
      appStats: unavailable,
      profiles: unavailable,
    }),
  }
}
