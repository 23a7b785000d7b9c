// Lock contention from the block and mutex profiles. Only real locks (sync.Mutex, RWMutex) make
// findings; channel, select and Cond waits are shown only when a request was waiting, and idle
// waits (connection pools' health checks, HTTP keep-alive loops) and perfgate's own profile
// requests are left out of the tables, with the share left out said.
import type { ContentionData } from '../../record/analysis.ts'
import { isUnavailable } from '../../record/common.ts'
import type { Finding } from '../../record/findings.ts'
import type { RunRecord } from '../../record/index.ts'
import type { Profile } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'
import { withoutSamples, PERFGATE_OWN_FRAMES } from '../pprof/index.ts'
import { contentionOf, endpointOfStack, isApplicationFunction } from '../profiles.ts'
import { shortFunctionName, type SourceIndex } from '../source.ts'
import { finding, LOCK_WAIT_MIN_SHARE, pct } from './rules.ts'

/** The frame a lock wait happens in: sync.Mutex and sync.RWMutex methods. */
export const LOCK_FRAME = /^(sync|internal\/sync)\.\(\*(RW)?Mutex\)\./
/** A goroutine serving an HTTP request (net/http's per-connection loop). */
const REQUEST_FRAME = /^net\/http\.\(\*conn\)\.serve$/

const HOW_TO_ENABLE = {
  block: 'call runtime.SetBlockProfileRate(10000) at startup (one event per 10 µs blocked)',
  mutex: 'call runtime.SetMutexProfileFraction(10) at startup (one in ten contention events)',
}

/** Keeps lock waits anywhere and other waits of goroutines serving a request; drops perfgate's own. */
export function requestWaits(kind: 'block' | 'mutex', profile: Profile): { profile: Profile; note?: string } {
  const index = sampleIndexByName(profile, 'delay')
  if (!index.ok) return { profile }
  const filtered = withoutSamples(profile, index.value, (frames) => {
    if (frames.some((f) => PERFGATE_OWN_FRAMES.test(f))) return true
    if (frames.some((f) => LOCK_FRAME.test(f))) return false
    return !frames.some((f) => REQUEST_FRAME.test(f))
  })
  return {
    profile: filtered.profile,
    ...(filtered.droppedShare > 0
      ? {
          note:
            `${kind} profile: left out ${pct(filtered.droppedShare)} of the delay: waits outside requests ` +
            `(idle connections, pool health checks, background loops) and perfgate's own profile requests`,
        }
      : {}),
  }
}

/** Which profiles cover the CPU profile's window, and the requests in it. */
export interface ProfileWindow {
  delta: (kind: 'block' | 'mutex') => boolean
  requestsIn: (kind: 'block' | 'mutex', endpoint?: string) => number
  /** e.g. "over the 60 s of the load". */
  text: (kind: 'block' | 'mutex') => string
}

export const WHOLE_PROCESS: ProfileWindow = { delta: () => false, requestsIn: () => 0, text: () => '' }

export interface ContentionResult {
  contention: ContentionData[]
  notes: string[]
}

export function contentionTables(
  profiles: { block?: Profile; mutex?: Profile },
  why: (kind: 'block' | 'mutex') => string,
  source: SourceIndex,
): ContentionResult {
  const contention: ContentionData[] = []
  const notes: string[] = []
  for (const kind of ['block', 'mutex'] as const) {
    const raw = profiles[kind]
    if (!raw) {
      notes.push(`${kind}: ${why(kind)}`)
      continue
    }
    if (raw.samples.length === 0) {
      notes.push(`${kind} profile is empty: the service records no ${kind} events; ${HOW_TO_ENABLE[kind]}`)
      continue
    }
    const { profile, note } = requestWaits(kind, raw)
    if (note) notes.push(note)
    const c = contentionOf(kind, profile, source)
    if (!c.ok) notes.push(`${kind}: ${c.reason}`)
    else contention.push(c.value)
  }
  return { contention, notes }
}

/** The request time a profile's waits are measured against: the endpoint's (else all requests') in the profile's window. */
export function requestTime(
  load: Exclude<RunRecord['load'], { unavailable: string }> | undefined,
  endpoint: string | undefined,
  kind: 'block' | 'mutex',
  window: ProfileWindow,
): { epLoad?: NonNullable<typeof load>['endpoints'][number]; requestMs?: number } {
  const epLoad = endpoint && load ? load.endpoints.find((e) => e.name === endpoint) : undefined
  const measured = epLoad ?? load?.overall
  if (!measured) return {}
  const requests = window.delta(kind)
    ? window.requestsIn(kind, measured.name === load?.overall.name ? undefined : measured.name)
    : measured.count
  return { ...(epLoad ? { epLoad } : {}), requestMs: requests * measured.duration.meanMs }
}

/**
 * lockFindings: one finding per application function waiting for (block) or holding (mutex)
 * a sync.Mutex/RWMutex, when the wait is at least LOCK_WAIT_MIN_SHARE of its endpoint's
 * request time during the load.
 */
export function lockFindings(
  record: RunRecord,
  contention: ContentionData[],
  endpoints: string[],
  appPrefixes: string[],
  source: SourceIndex,
  findings: Finding[],
  window: ProfileWindow = WHOLE_PROCESS,
): void {
  const load = isUnavailable(record.load) ? undefined : record.load
  const bySite = new Map<string, { kind: ContentionData['kind']; site: ContentionData['sites'][number] }>()
  for (const c of contention) {
    for (const site of c.sites) {
      if (!LOCK_FRAME.test(site.blockedIn) || !isApplicationFunction(site.function, appPrefixes)) continue
      const prev = bySite.get(site.function)
      // The block profile measures the wait itself (what requests feel); prefer it.
      if (!prev || (prev.kind === 'mutex' && c.kind === 'block'))
        bySite.set(site.function, { kind: c.kind, site })
    }
  }
  for (const [fn, { kind, site }] of bySite) {
    const ep = endpointOfStack([fn, ...site.callers], endpoints, source)
    const { epLoad, requestMs } = requestTime(load, ep?.endpoint, kind, window)
    if (!requestMs || requestMs <= 0) continue
    const share = Math.min(1, site.delayNs / 1e6 / requestMs)
    if (share < LOCK_WAIT_MIN_SHARE) continue
    const whose = epLoad ? `${epLoad.name}'s` : 'all'
    // Waits counted since the process started may predate the load: against the load's request
    // time they are only an upper bound, so they rank no higher than their measured share allows (none).
    const delta = window.delta(kind)
    findings.push(
      finding({
        kind: 'contention',
        title: delta
          ? `Lock contention in ${shortFunctionName(fn)} (${site.delayText} waiting, ${pct(share)} of ${whose} request time)`
          : `Lock contention in ${shortFunctionName(fn)} (${site.delayText} waiting since the process started)`,
        detail:
          `${kind} profile: ${fn} waits in ${site.blockedIn} (${site.contentions} contentions, ${site.delayText}; ` +
          `${window.delta(kind) ? window.text(kind) : 'counted since the process started'}) against ${(requestMs / 1000).toFixed(1)} s of ${whose} request time ${window.delta(kind) ? 'in that window' : 'during the load'}` +
          (ep ? `; it serves ${ep.endpoint}` : '') +
          `. Contention is a finding from ${pct(LOCK_WAIT_MIN_SHARE, 0)} of the endpoint's request time` +
          (delta
            ? '.'
            : `; counted since the process started, the wait is at most ${pct(share)} of it and may predate the load, so its impact is not measured (Priority 4): a ${kind} delta over the load (net/http/pprof ?seconds=) measures it.`),
        ...(ep ? { endpoint: ep.endpoint } : {}),
        ...(site.location ? { location: site.location } : {}),
        ...(delta
          ? { impact: share, impactBasis: `share of ${whose} request time spent waiting for the lock` }
          : {
              impactBasis: `not measured for this load (the ${kind} profile counts waits since the process started)`,
            }),
        effort: 'medium',
        fix: `Hold the lock in ${shortFunctionName(fn)} for less: not across I/O or database transactions; use per-key locks or the database's row locks instead of one global mutex.`,
        evidence: { function: fn, blockedIn: site.blockedIn, contentions: site.contentions },
      }),
    )
  }
}
