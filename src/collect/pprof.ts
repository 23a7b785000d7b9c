// Go pprof collector: goroutine before, during and after the cool-down; CPU over the steady part
// of the load (started when the ramp ends, for the rest of the hold); allocs, block and mutex as
// deltas over that same window (`?seconds=`, net/http/pprof since Go 1.16), else counted since the
// process started, taken after the load; heap (gc=1) after the load. Each profile is kept as
// `.pb.gz` beside result.json and must be a pprof profile (checked from its structure; the output
// folder's loader decodes it, once, for analysis).
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
  let cpuAbort: AbortController | undefined
  let duringTaken = false
  let deltaPromise: Promise<Set<ProfileKind>> | undefined
  let goroutinesBefore: number | undefined

  /** The goroutine count from the text profile's first line (`goroutine profile: total 42`). */
  async function goroutineCount(ctx: CollectContext): Promise<number | undefined> {
    const fetched = await get(ctx, `${base}/goroutine?debug=1`, headers).catch(() => undefined)
    const total =
      fetched && /^goroutine profile: total (\d+)/.exec(Buffer.from(fetched.body).toString('utf8'))
    return total ? Number(total[1]) : undefined
  }

  /** Fetches one profile into `<kind>.pb.gz`; the reason it could not, or undefined. */
  async function fetchProfile(
    ctx: CollectContext,
    kind: ProfileKind,
    path: string,
    signal: AbortSignal,
    delta: boolean,
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
        ...(delta ? { delta: true } : {}),
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
    const reason = await fetchProfile(ctx, kind, path, signal, false)
    if (reason !== undefined) missing.push({ kind, reason })
  }

  /** allocs, block and mutex over the CPU profile's window; the kinds that came back. */
  async function takeDeltas(
    ctx: CollectContext,
    seconds: number,
    signal: AbortSignal,
  ): Promise<Set<ProfileKind>> {
    const kinds = ['allocs', 'block', 'mutex'] as const
    const reasons = await Promise.all(
      kinds.map((kind) => fetchProfile(ctx, kind, `${PATHS[kind]}?seconds=${seconds}`, signal, true)),
    )
    return new Set(kinds.filter((_, i) => reasons[i] === undefined))
  }

  return {
    name: 'profiles',
    async before(ctx) {
      await take(ctx, 'goroutine_before', PATHS.goroutine_before)
      // A 401, 404 or timeout on the first profile is the collector's answer: the others would repeat it.
      const first = missing[0]
      if (first) throw new Unavailable(first.reason.replace(/^goroutine_before: /, ''))
      goroutinesBefore = await goroutineCount(ctx)
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
      cpuAbort = new AbortController()
      const timer = setTimeout(() => cpuAbort?.abort(), (seconds + ctx.plan.collectors.timeoutS) * 1000)
      const signal = cpuAbort.signal
      cpuPromise = take(ctx, 'cpu', `profile?seconds=${seconds}`, signal).finally(() => clearTimeout(timer))
      deltaPromise = takeDeltas(ctx, seconds, signal)
    },
    async sample(ctx) {
      // Goroutines once, halfway through the hold.
      const { rampEndS, steadyEndS, totalS } = ctx.timeline
      const endS = steadyEndS ?? totalS
      if (duringTaken || ctx.elapsedS < rampEndS + (endS - rampEndS) / 2) return
      duringTaken = true
      await take(ctx, 'goroutine_during', PATHS.goroutine_during)
    },
    async after(ctx) {
      if (!cpuPromise && !missing.some((m) => m.kind === 'cpu'))
        missing.push({ kind: 'cpu', reason: 'the load ended before the ramp did: no CPU profile' })
      const [deltas] = await Promise.all([deltaPromise, cpuPromise, take(ctx, 'heap', PATHS.heap)])
      // A target that cannot give deltas gives the counts since the process started.
      await Promise.all(
        (['allocs', 'block', 'mutex'] as const)
          .filter((kind) => !deltas?.has(kind))
          .map((kind) => take(ctx, kind, PATHS[kind])),
      )
    },
    async settleReading(ctx) {
      const value = await goroutineCount(ctx)
      if (value === undefined) return undefined
      return {
        what: 'goroutines',
        value,
        ...(goroutinesBefore !== undefined ? { before: goroutinesBefore } : {}),
      }
    },
    async coolDown(ctx) {
      await take(ctx, 'goroutine_after', PATHS.goroutine_after)
    },
    close() {
      cpuAbort?.abort()
    },
    result() {
      if (files.length === 0) throw new Unavailable(missing[0]?.reason ?? 'no profile was taken')
      return { files, ...(cpu ? { cpu } : {}), missing }
    },
  }
}
