// The collectors' timeline: before the load, sampled during it, at the end of the ramp, after it,
// the query attribution probe, a cool-down wait, then the cool-down snapshots. Each hook is
// time-boxed; a collector whose hook fails or times out is `unavailable` from then on. Nothing
// here throws into the pipeline.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Plan } from '../plan/types.ts'
import { parseDurationS } from '../plan/values.ts'
import type { Part } from '../record/index.ts'
import type {
  AppStatsData,
  PostgresData,
  PrometheusData,
  ProfilesData,
  RedisData,
} from '../record/collectors.ts'
import { SecretScrubber } from '../secrets.ts'
import { StageTimeline } from '../timeline.ts'
import { createAppStatsCollector } from './appstats.ts'
import { createPostgresCollector } from './postgres.ts'
import { createPprofCollector } from './pprof.ts'
import { createPrometheusCollector } from './prometheus.ts'
import { createRedisCollector } from './redis.ts'
import type { CollectContext, CollectDeps, Collector, LoadTimeline, PartName } from './types.ts'
import { steadyWindow, type ScriptRun } from '../run/inspect.ts'
import { waitUntilSettled, type SettleReading, type Settled } from './cool-down.ts'

export type { CollectDeps, Collector, LoadTimeline } from './types.ts'

export interface CollectorParts {
  prometheus: Part<PrometheusData>
  postgres: Part<PostgresData>
  redis: Part<RedisData>
  appStats: Part<AppStatsData>
  profiles: Part<ProfilesData>
}

export interface SessionOptions {
  /** Seconds between samples during the load (default 5). */
  sampleEveryS?: number
  /** Collectors to use instead of the ones the plan enables (tests). */
  collectors?: Collector[]
  /** Bearer token for the attribution probe's POST endpoints (the load test's PERFGATE_TOKEN). */
  probeToken?: string
  /** The load's timeline when not the plan's scenario (a user's script, from k6 inspect). */
  timeline?: LoadTimeline
  /** The run's stage timeline: after-collectors, probe and cool-down are stages of it. */
  stages?: StageTimeline
}

export interface CollectorSession {
  /** Called with the load's elapsed seconds (k6 progress); starts sample() and steady() hooks. */
  tick(elapsedS: number): void
  /**
   * after(), the attribution probe, the cool-down wait and coolDown(). Never throws. Interrupted
   * (SIGINT/SIGTERM), only after() runs, boxed to INTERRUPTED_AFTER_MS.
   */
  /**
   * `stopped`: why the load ended early or never ran (`interrupted by SIGTERM`, `the load did not
   * run: …`): the after-snapshots are still taken, the probe and the cool-down are skipped.
   */
  finish(options?: { stopped?: string }): Promise<void>
  parts(): CollectorParts
}

/** The input that enables each collector, for the `not set` reason. */
const INPUTS: Record<PartName, string> = {
  prometheus: 'metrics-url',
  postgres: 'database-url',
  redis: 'redis-url',
  appStats: 'app-stats-urls',
  profiles: 'pprof-url',
}

export function defaultCollectDeps(log: (line: string) => void): CollectDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log,
  }
}

/** The ramp end and total duration of the plan's stages, in seconds. */
export function loadTimeline(plan: Plan): LoadTimeline {
  const stages = plan.scenario.stages.map((stage) => parseDurationS(stage.duration) ?? 0)
  const totalS = stages.reduce((a, b) => a + b, 0) || plan.scenario.durationS
  const rampEndS = stages.length > 1 ? stages.slice(0, -1).reduce((a, b) => a + b, 0) : 0
  return { rampEndS, totalS }
}

/** A user's script's timeline (k6 inspect): the steady window is its plateau, or its constant load after a warm-up. */
export function scriptTimeline(run: ScriptRun): LoadTimeline {
  const steady = steadyWindow(run)
  return { rampEndS: steady.startS, steadyEndS: steady.endS, totalS: run.durationS }
}

/** The collectors the plan's inputs enable. */
export function createCollectors(plan: Plan, options: { probeToken?: string } = {}): Collector[] {
  const c = plan.collectors
  const list: Collector[] = []
  if (c.metricsUrl) list.push(createPrometheusCollector(c.metricsUrl))
  if (c.databaseUrl)
    list.push(
      createPostgresCollector(c.databaseUrl, options.probeToken ? { probeToken: options.probeToken } : {}),
    )
  if (c.redisUrl) list.push(createRedisCollector(c.redisUrl))
  if (c.appStatsUrls.length > 0) list.push(createAppStatsCollector(c.appStatsUrls))
  if (c.pprofUrl) list.push(createPprofCollector(c.pprofUrl, c.debugAuthHeader))
  return list
}

/** The first line of an error's message, without secrets, as `unavailable` shows it. */
export function reasonOf(error: unknown, scrubber: SecretScrubber): string {
  const message = error instanceof Error ? error.message || error.name : String(error)
  const line = message.split('\n')[0]!.trim() || 'unknown error'
  return scrubber.scrub(line).slice(0, 300)
}

/** Credentials and query values of a URL that is not itself a secret (tokens hide in query strings). */
function urlSecrets(url: string | undefined): string[] {
  if (!url) return []
  try {
    const u = new URL(url)
    return [u.password, decodeURIComponent(u.password), ...u.searchParams.values()].filter(
      (v) => v.length >= 6,
    )
  } catch {
    return []
  }
}

class TimeoutError extends Error {}

/** How long the after-step may take when the run was interrupted. */
const INTERRUPTED_AFTER_MS = 5000

interface Slot {
  collector: Collector
  failed?: string
  /** A sample still running: the next tick skips this collector. */
  busy: boolean
}

/**
 * Runs every enabled collector's before() and returns the session that drives the rest.
 * Raw files go to `outDir`. Never throws.
 */
export async function startCollectors(
  plan: Plan,
  outDir: string,
  deps: CollectDeps,
  options: SessionOptions = {},
): Promise<CollectorSession> {
  const scrubber = new SecretScrubber([
    plan.collectors.databaseUrl,
    plan.collectors.redisUrl,
    plan.collectors.debugAuthHeader,
    ...plan.collectors.appStatsUrls.flatMap(urlSecrets),
    ...[plan.collectors.metricsUrl, plan.collectors.pprofUrl].flatMap(urlSecrets),
  ])
  const log = (line: string) => deps.log(scrubber.scrub(line))
  const sessionStages = options.stages
  const timeline = options.timeline ?? loadTimeline(plan)
  const timeoutMs = plan.collectors.timeoutS * 1000
  const sampleEveryS = options.sampleEveryS ?? 5
  const slots: Slot[] = (
    options.collectors ?? createCollectors(plan, { probeToken: options.probeToken })
  ).map((collector) => ({
    collector,
    busy: false,
  }))
  const pending = new Set<Promise<void>>()
  let elapsedS = 0
  let lastSampleS = -Infinity
  let steadyStarted = false
  let finished = false

  await mkdir(outDir, { recursive: true })
  const write = async (name: string, content: string | Uint8Array): Promise<string> => {
    const file = path.join(outDir, name)
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, typeof content === 'string' ? scrubber.scrub(content) : content)
    return name
  }

  type Hook = 'before' | 'sample' | 'steady' | 'after' | 'probe' | 'coolDown'

  const contextOf = (signal: AbortSignal): CollectContext => ({
    plan,
    outDir,
    deps: { ...deps, log },
    scrubber,
    timeline,
    elapsedS,
    signal,
    writeFile: write,
  })

  /** The levels the cool-down watches; a collector that cannot answer within 2 s is left out. */
  const settleReadings = async (): Promise<SettleReading[]> => {
    const readings = await Promise.all(
      slots.map((slot) =>
        slot.failed || !slot.collector.settleReading
          ? undefined
          : slot.collector.settleReading(contextOf(AbortSignal.timeout(2000))).catch(() => undefined),
      ),
    )
    return readings.filter((r): r is SettleReading => r !== undefined)
  }
  let coolDown: Settled | undefined

  async function run(slot: Slot, hook: Hook, boxMs = timeoutMs) {
    const fn = slot.collector[hook]
    if (slot.failed || !fn) return
    const controller = new AbortController()
    const ctx = contextOf(controller.signal)
    let timer: NodeJS.Timeout | undefined
    const box = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject first: a hook that settles on abort must not win the race.
        reject(new TimeoutError(`${hook} timed out after ${boxMs / 1000}s (collectors timeout)`))
        controller.abort(new TimeoutError(`timed out after ${boxMs / 1000}s`))
      }, boxMs)
    })
    try {
      await Promise.race([fn.call(slot.collector, ctx), box])
    } catch (error) {
      if (hook === 'probe') log(`perfgate: ${slot.collector.name} probe: ${reasonOf(error, scrubber)}`)
      else if (!slot.failed) {
        slot.failed = reasonOf(error, scrubber)
        log(`perfgate: ${slot.collector.name} collector unavailable: ${slot.failed}`)
      }
    } finally {
      clearTimeout(timer)
    }
  }

  const all = (hook: Hook, boxMs?: number) => Promise.all(slots.map((slot) => run(slot, hook, boxMs)))

  const track = (promise: Promise<unknown>) => {
    const p = promise.then(
      () => undefined,
      () => undefined,
    )
    pending.add(p)
    void p.then(() => pending.delete(p))
  }

  if (slots.length > 0)
    log(`perfgate: collectors ${slots.map((s) => s.collector.name).join(', ')}: before the load`)
  await all('before')

  return {
    tick(s: number) {
      if (finished) return
      elapsedS = s
      if (!steadyStarted && s >= timeline.rampEndS) {
        steadyStarted = true
        track(all('steady'))
      }
      if (s - lastSampleS >= sampleEveryS) {
        lastSampleS = s
        for (const slot of slots) {
          if (slot.busy || !slot.collector.sample) continue
          slot.busy = true
          track(run(slot, 'sample').finally(() => (slot.busy = false)))
        }
      }
    },

    async finish(options = {}) {
      if (finished) return
      finished = true
      elapsedS = Math.max(elapsedS, timeline.totalS)
      if (options.stopped !== undefined) {
        // Stopping: the after-snapshots still make the deltas, within a few seconds; nothing more.
        log(`perfgate: collectors: after the load (${options.stopped}: no probe, no cool-down)`)
        await all('after', Math.min(timeoutMs, INTERRUPTED_AFTER_MS))
        await Promise.allSettled(slots.map(async (slot) => slot.collector.close?.()))
        return
      }
      const stages = sessionStages ?? new StageTimeline(log)
      await Promise.all([...pending])
      log('perfgate: collectors: after the load')
      // Every collector's after-snapshot at once (each time-boxed), so the slowest sets the pace.
      await stages.time('after-collectors', () => all('after'))
      // The probe's requests come after every after() snapshot, so they count in no delta.
      const probeBoxMs = Math.max(
        timeoutMs,
        plan.endpoints.length * plan.collectors.probeRequests * 2000 + timeoutMs,
      )
      await stages.time('probe', () => all('probe', probeBoxMs))
      const coolDownS = plan.collectors.coolDownS
      if (slots.some((slot) => !slot.failed && slot.collector.coolDown) && coolDownS > 0) {
        log(`perfgate: collectors: cool-down up to ${coolDownS}s, until the target settles`)
        // Fixed: nothing to watch, so the wait is the full maximum.
        const read = plan.collectors.coolDownFixed ? async () => [] : settleReadings
        const settled = await stages.time('cool-down', () =>
          waitUntilSettled(read, { maxS: coolDownS, sleep: deps.sleep, now: deps.now }),
        )
        coolDown = settled
        log(`perfgate: collectors: cool-down ended after ${settled.waitedS}s: ${settled.reason}`)
        elapsedS += settled.waitedS
      }
      await stages.time('cool-down-collectors', () => all('coolDown'))
      await Promise.allSettled(slots.map(async (slot) => slot.collector.close?.()))
    },

    parts() {
      const parts = {} as Record<PartName, Part<unknown>>
      for (const name of Object.keys(INPUTS) as PartName[])
        parts[name] = { unavailable: `${INPUTS[name]} not set` }
      for (const slot of slots) {
        let part: Part<unknown>
        if (slot.failed) part = { unavailable: slot.failed }
        else {
          try {
            part = slot.collector.result()
          } catch (error) {
            part = { unavailable: reasonOf(error, scrubber) }
          }
        }
        // The leak check says what the cool-down waited for.
        if (slot.collector.name === 'profiles' && coolDown && !('unavailable' in (part as object)))
          part = { ...(part as object), coolDown } as Part<unknown>
        parts[slot.collector.name] = scrubber.scrubDeep(part)
      }
      return parts as unknown as CollectorParts
    },
  }
}
