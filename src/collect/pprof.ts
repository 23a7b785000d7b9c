// Go pprof collector: goroutine before, during and after the cool-down; CPU over the steady part
// of the load (started when the ramp ends, for the rest of the hold); allocs as a delta over that
// same window, block and mutex as deltas over the whole load (a lock wait is rare and bursty: a
// shorter window can miss every overlap) (`?seconds=`, net/http/pprof since Go 1.16), else counted
// since the process started, taken after the load; heap (gc=1) after the load. Each profile is kept as
// `.pb.gz` beside result.json and must be a pprof profile (checked from its structure; the output
// folder's loader decodes it, once, for analysis).
import { leakThreshold } from '../analyze/pprof/goroutines.ts'
import { checkProfile } from '../pprof/decode.ts'
import type { ProfileKind, ProfilesData } from '../record/collectors.ts'
import { get, headerFromLine } from './http.ts'
import { Unavailable, type CollectContext, type Collector } from './types.ts'

/** Seconds kept free at the end of the hold so the CPU profile ends before the load does. */
const CPU_MARGIN_S = 2

const PATHS: Record<Exclude<ProfileKind, 'cpu'>, string> = {
  heap: 'heap?gc=1',
  allocs: 'allocs',
  goroutine_before: 'goroutine',
  goroutine_during: 'goroutine',
  goroutine_after: 'goroutine',
  block: 'block',
  mutex: 'mutex',
}

/** CPU profile seconds for a hold from `startS` to its end (`totalS`); 0 when too short. */
export function cpuSeconds(startS: number, totalS: number): number {
  return Math.max(0, Math.floor(totalS - startS - CPU_MARGIN_S))
}

export function createPprofCollector(baseUrl: string, authHeader?: string): Collector<ProfilesData> {
  const base = baseUrl.replace(/\/+$/, '')
  const headers = headerFromLine(authHeader)
  const files: ProfilesData['files'] = []
  const missing: ProfilesData['missing'] = []
  let cpu: { startS: number; durationS: number } | undefined
  let cpuPromise: Promise<void> | undefined
  let duringTaken = false
  let deltaPromise: Promise<Set<ProfileKind>> | undefined
  let goroutinesBefore: number | undefined
  let goroutinesPeak: { count: number; samples: number } | undefined

  /** The goroutine count from the text profile's first line (`goroutine profile: total 42`). */
  async function goroutineCount(ctx: CollectContext): Promise<number | undefined> {
    const fetched = await get(ctx, `${base}/goroutine?debug=1`, headers).catch(() => undefined)
    const total =
      fetched && /^goroutine profile: total (\d+)/.exec(Buffer.from(fetched.body).toString('utf8'))
    return total ? Number(total[1]) : undefined
  }
  let lockDeltaPromise: Promise<Set<ProfileKind>> | undefined
  const aborts: AbortController[] = []

  /** Fetches one profile into `<kind>.pb.gz`; the reason it could not, or undefined. */
  async function fetchProfile(
    ctx: CollectContext,
    kind: ProfileKind,
    path: string,
    signal: AbortSignal,
    delta: { startS: number; durationS: number } | undefined,
  ): Promise<string | undefined> {
    try {
      const fetched = await get(ctx, `${base}/${path}`, headers, signal)
      const checked = checkProfile(fetched.body)
      if (!checked.ok) throw new Unavailable(`${kind}: ${checked.reason}`)
      const file = await ctx.writeFile(`${kind}.pb.gz`, fetched.body)
      files.push({
        kind,
        file,
        bytes: fetched.body.length,
        samplesCount: checked.value.samples,
        ...(delta ? { delta: true, window: delta } : {}),
      })
      return undefined
    } catch (error) {
      return ctx.scrubber.scrub((error as Error).message.split('\n')[0]!)
    }
  }

  async function take(
    ctx: CollectContext,
    kind: ProfileKind,
    path: string,
    signal: AbortSignal = ctx.signal,
  ): Promise<void> {
    const reason = await fetchProfile(ctx, kind, path, signal, undefined)
    if (reason !== undefined) missing.push({ kind, reason })
  }

  /** Delta profiles of the given kinds over `window`; the kinds that came back. */
  async function takeDeltas(
    ctx: CollectContext,
    kinds: readonly ('allocs' | 'block' | 'mutex')[],
    window: { startS: number; durationS: number },
    signal: AbortSignal,
  ): Promise<Set<ProfileKind>> {
    const reasons = await Promise.all(
      kinds.map((kind) =>
        fetchProfile(ctx, kind, `${PATHS[kind]}?seconds=${window.durationS}`, signal, window),
      ),
    )
    return new Set(kinds.filter((_, i) => reasons[i] === undefined))
  }

  /** An abort signal that fires when a request of `seconds` has overrun its time box. */
  function requestSignal(ctx: CollectContext, seconds: number): { signal: AbortSignal; clear: () => void } {
    const abort = new AbortController()
    aborts.push(abort)
    const timer = setTimeout(() => abort.abort(), (seconds + ctx.plan.collectors.timeoutS) * 1000)
    return { signal: abort.signal, clear: () => clearTimeout(timer) }
  }

  return {
    name: 'profiles',
    async before(ctx) {
      await take(ctx, 'goroutine_before', PATHS.goroutine_before)
      // A 401, 404 or timeout on the first profile is the collector's answer: the others would repeat it.
      const first = missing[0]
      if (first) throw new Unavailable(first.reason.replace(/^goroutine_before: /, ''))
      goroutinesBefore = await goroutineCount(ctx)
      // Block and mutex over the whole load; the request runs beside the load with its own time box.
      const seconds = Math.round(ctx.timeline.totalS)
      if (seconds >= 1) {
        const { signal, clear } = requestSignal(ctx, seconds)
        lockDeltaPromise = takeDeltas(
          ctx,
          ['block', 'mutex'],
          { startS: 0, durationS: seconds },
          signal,
        ).finally(clear)
      }
    },
    async steady(ctx) {
      const { steadyEndS, totalS } = ctx.timeline
      const seconds = cpuSeconds(ctx.elapsedS, steadyEndS ?? totalS)
      if (seconds < 1) {
        missing.push({ kind: 'cpu', reason: 'the hold after the ramp is too short for a CPU profile' })
        return
      }
      cpu = { startS: Math.round(ctx.elapsedS * 10) / 10, durationS: seconds }
      // The request lasts the profile's duration: it has its own time box, not the hook's.
      const { signal, clear } = requestSignal(ctx, seconds)
      cpuPromise = take(ctx, 'cpu', `profile?seconds=${seconds}`, signal).finally(clear)
      deltaPromise = takeDeltas(ctx, ['allocs'], cpu, signal)
    },
    async sample(ctx) {
      // The goroutine count at every sample (its first line only), for the peak beside the snapshots.
      const count = await goroutineCount(ctx)
      if (count !== undefined)
        goroutinesPeak = {
          count: Math.max(count, goroutinesPeak?.count ?? 0),
          samples: (goroutinesPeak?.samples ?? 0) + 1,
        }
      // The goroutine profile once, halfway through the hold.
      const { rampEndS, steadyEndS, totalS } = ctx.timeline
      const endS = steadyEndS ?? totalS
      if (duringTaken || ctx.elapsedS < rampEndS + (endS - rampEndS) / 2) return
      duringTaken = true
      await take(ctx, 'goroutine_during', PATHS.goroutine_during)
    },
    async after(ctx) {
      if (!cpuPromise && !missing.some((m) => m.kind === 'cpu'))
        missing.push({ kind: 'cpu', reason: 'the load ended before the ramp did: no CPU profile' })
      const [deltas, lockDeltas] = await Promise.all([
        deltaPromise,
        lockDeltaPromise,
        cpuPromise,
        take(ctx, 'heap', PATHS.heap),
      ])
      // A target that cannot give deltas gives the counts since the process started.
      await Promise.all(
        (['allocs', 'block', 'mutex'] as const)
          .filter((kind) => !deltas?.has(kind) && !lockDeltas?.has(kind))
          .map((kind) => take(ctx, kind, PATHS[kind])),
      )
    },
    async settleReading(ctx) {
      const value = await goroutineCount(ctx)
      if (value === undefined) return undefined
      return {
        what: 'goroutines',
        value,
        // Within the leak threshold of the count before, the leak check cannot flag a leak however
        // long the cool-down waits: idle connections still draining need not hold it up.
        ...(goroutinesBefore !== undefined
          ? { before: goroutinesBefore, slack: leakThreshold(goroutinesBefore) }
          : {}),
      }
    },
    async coolDown(ctx) {
      await take(ctx, 'goroutine_after', PATHS.goroutine_after)
    },
    close() {
      for (const a of aborts) a.abort()
    },
    result() {
      if (files.length === 0) throw new Unavailable(missing[0]?.reason ?? 'no profile was taken')
      return { files, ...(cpu ? { cpu } : {}), missing, ...(goroutinesPeak ? { goroutinesPeak } : {}) }
    },
  }
}
