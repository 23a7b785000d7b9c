// The base deployment's collectors in a paired run (issue 19): the same Prometheus, pprof and
// app-stats collectors as the PR side's, pointed at the `baseline-*` URLs, on the same timeline
// (started, ticked and finished together with the PR side's session), their files in
// <output-dir>/paired-base. A base collector that fails is `unavailable` like any other; nothing
// here throws into the pipeline.
import path from 'node:path'
import type { Plan } from '../plan/types.ts'
import { wantedProfiles, type WantedProfile } from '../baseline/profiles.ts'
import type { Part } from '../record/common.ts'
import type { RunRecord } from '../record/index.ts'
import { BASE_SIDE_DIR, type BaseCollectorParts } from '../record/paired.ts'
import { StageTimeline } from '../timeline.ts'
import { startCollectors, type CollectDeps, type CollectorSession, type SessionOptions } from './index.ts'

/**
 * The plan the base side's collectors read: its URLs in place of the target's, and no database,
 * Redis or probe (both sides usually share those, and the PR side's collectors read them once).
 * Undefined when the run is not paired or no base collector URL is given.
 */
export function baseSidePlan(plan: Plan): Plan | undefined {
  const base = plan.collectors.base
  if (!plan.baselineUrl || !base) return undefined
  if (!base.metricsUrl && !base.pprofUrl && base.appStatsUrls.length === 0) return undefined
  const { databaseUrl: _db, redisUrl: _redis, base: _base, ...shared } = plan.collectors
  return {
    ...plan,
    targetUrl: plan.baselineUrl,
    outputDir: path.join(plan.outputDir, BASE_SIDE_DIR),
    collectors: {
      ...shared,
      metricsUrl: base.metricsUrl,
      pprofUrl: base.pprofUrl,
      debugAuthHeader: base.debugAuthHeader,
      appStatsUrls: base.appStatsUrls,
    },
  }
}

/**
 * Starts the base side's session (its before() hooks); undefined when there is nothing to collect.
 * Its log lines say "base side", its stages are not the run's (the PR side's session times those).
 */
export async function startBaseCollectors(
  plan: Plan,
  deps: CollectDeps,
  options: Pick<SessionOptions, 'timeline' | 'sampleEveryS'> = {},
): Promise<CollectorSession | undefined> {
  const basePlan = baseSidePlan(plan)
  if (!basePlan) return undefined
  const log = (line: string) => deps.log(line.replace(/^perfgate: /, 'perfgate: base side: '))
  return startCollectors(
    basePlan,
    basePlan.outputDir,
    { ...deps, log },
    {
      ...options,
      // Its stage lines would read as the run's own stages: kept apart and not logged.
      stages: new StageTimeline(() => {}),
    },
  )
}

/** The base side's parts for the record; a `metrics-url not set` reason names the baseline input. */
export function baseCollectorParts(session: CollectorSession, plan: Plan): BaseCollectorParts {
  const parts = session.parts()
  const named = <T>(part: Part<T>): Part<T> =>
    'unavailable' in (part as object) &&
    /^[a-z-]+ not set$/.test((part as { unavailable: string }).unavailable)
      ? { unavailable: `baseline-${(part as { unavailable: string }).unavailable}` }
      : part
  return {
    url: plan.baselineUrl ?? '',
    prometheus: named(parts.prometheus),
    appStats: named(parts.appStats),
    profiles: named(parts.profiles),
  }
}

/**
 * The base side's CPU and allocation profiles that the profile diff compares with the PR side's
 * (the "live paired profiles"): their names (checked like a baseline run's, as a fork's record is
 * untrusted) relative to `dir`, or why there are none. Undefined for a run that is not paired.
 */
export function liveBaseProfiles(
  record: RunRecord,
  outputDir: string,
): { dir: string; files: WantedProfile[] } | { missing: string } | undefined {
  if (!record.paired) return undefined
  const part = record.baseCollectors
  if (!part) return { missing: "the base deployment's profiles were not taken (baseline-pprof-url not set)" }
  const notes: string[] = []
  const files = wantedProfiles({ ...record, profiles: part.profiles }, notes)
  if (files.length === 0)
    return {
      missing: `the base deployment's profiles were not taken: ${(notes[0] ?? 'none').replace(/^the baseline run took no profiles \((.*)\)$/, '$1')}`,
    }
  return { dir: path.join(outputDir, BASE_SIDE_DIR), files }
}
