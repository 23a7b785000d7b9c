// A package-level mutex held across I/O on a request path: static evidence from the Go source
// (source-locks.ts), made a finding only when the profiles saw that function run while serving
// requests during the load, with the contention they measured stated beside it. At a low request
// rate such a lock queues nobody yet, so the measured wait alone (contention.ts) stays under its
// threshold; the source shows that every request taking it waits for all the others' I/O.
import { isUnavailable } from '../../record/common.ts'
import type { Finding } from '../../record/findings.ts'
import type { RunRecord } from '../../record/index.ts'
import type { Profile } from '../../pprof/model.ts'
import { sampleIndexByName } from '../../pprof/sampleindex.ts'
import { scaledLabel } from '../pprof/measurement.ts'
import { endpointOfStack, type DecodedProfiles } from '../profiles.ts'
import type { GlobalLockSite } from '../source-locks.ts'
import { shortFunctionName, type SourceIndex } from '../source.ts'
import { LOCK_FRAME, requestTime, WHOLE_PROCESS, type ProfileWindow } from './contention.ts'
import { finding, LOCK_WAIT_MIN_SHARE, pct } from './rules.ts'

const EXPECTED_TYPE = {
  block: 'delay',
  mutex: 'delay',
  cpu: 'cpu',
  goroutine_during: 'goroutine',
  goroutine_after: 'goroutine',
}
const REQUEST_FRAME = /^net\/http\.\(\*conn\)\.serve$/

/** Whether a pprof function name is the site's function (and receiver, for a method). */
function isSiteFunction(frame: string, site: GlobalLockSite): boolean {
  if (shortFunctionName(frame) !== site.function || /\.func\d+$/.test(frame)) return false
  return !site.receiver || new RegExp(String.raw`\(\*?${site.receiver}\)\.${site.function}$`).test(frame)
}

/** The first stack (leaf first) of a request-serving goroutine that runs the site's function, in any profile. */
function requestStackWith(
  profiles: DecodedProfiles,
  site: GlobalLockSite,
): { kind: string; frames: string[] } | undefined {
  for (const kind of ['block', 'mutex', 'cpu', 'goroutine_during', 'goroutine_after'] as const) {
    const p: Profile | undefined = profiles[kind]
    // Only a profile of its own kind is evidence (not, say, a CPU profile served as the block one).
    if (!p || !p.sampleTypes.some((t) => t.type === EXPECTED_TYPE[kind])) continue
    for (const s of p.samples) {
      const frames = s.locations.flatMap((l) => l.lines.map((x) => x.function))
      if (frames.some((f) => isSiteFunction(f, site)) && frames.some((f) => REQUEST_FRAME.test(f)))
        return { kind, frames }
    }
  }
  return undefined
}

/**
 * lockWait sums the samples where the site's function waits in (block) or releases (mutex) a
 * sync lock it calls directly: the wait the table of top sites may not reach.
 */
function lockWait(
  kind: 'block' | 'mutex',
  profile: Profile | undefined,
  site: GlobalLockSite,
): { kind: 'block' | 'mutex'; delayNs: number; delayText: string; contentions: number } | undefined {
  if (!profile) return undefined
  const delay = sampleIndexByName(profile, 'delay')
  const count = sampleIndexByName(profile, 'contentions')
  if (!delay.ok) return undefined
  let delayNs = 0
  let contentions = 0
  for (const s of profile.samples) {
    const frames = s.locations.flatMap((l) => l.lines.map((x) => x.function))
    const lock = frames.findIndex((f) => LOCK_FRAME.test(f))
    const caller =
      lock < 0 ? undefined : frames.slice(lock + 1).find((f) => !/^(sync|internal\/sync)\./.test(f))
    if (!caller || !isSiteFunction(caller, site)) continue
    delayNs += s.values[delay.value] ?? 0
    contentions += count.ok ? (s.values[count.value] ?? 0) : 0
  }
  if (delayNs <= 0) return undefined
  const unit = profile.sampleTypes[delay.value]?.unit ?? 'nanoseconds'
  return { kind, delayNs, delayText: scaledLabel(delayNs, unit, 'auto'), contentions }
}

/**
 * globalLockFindings adds one finding per package-level mutex locked around I/O whose function ran
 * on a request path during the load and has no measured contention finding yet; when it has one,
 * the static evidence is added to that finding's detail instead. Functions that did not run are
 * said in the notes.
 */
export function globalLockFindings(
  record: RunRecord,
  profiles: DecodedProfiles,
  endpoints: string[],
  source: SourceIndex,
  findings: Finding[],
  notes: string[],
  window: ProfileWindow = WHOLE_PROCESS,
): void {
  const load = isUnavailable(record.load) ? undefined : record.load
  for (const site of source.globalLocks()) {
    const staticText =
      `\`${site.mutex}\` (${site.declaredAt}) is a package-level ${site.type}: ${site.function} locks it at ${site.lockAt} ` +
      `and holds it across \`${site.ioCall}\` (${site.ioAt}), so every request that takes it waits for the others' I/O`
    const measuredFinding = findings.find(
      (f) => f.kind === 'contention' && isSiteFunction(String(f.evidence?.function ?? ''), site),
    )
    if (measuredFinding) {
      measuredFinding.detail += ` The source agrees: ${staticText}.`
      continue
    }
    const ran = requestStackWith(profiles, site)
    if (!ran) {
      notes.push(
        `source: ${staticText}; no profile saw ${site.function} run on a request during the load, so no finding`,
      )
      continue
    }
    // The block profile measures the wait itself (what requests feel); prefer it.
    const wait = lockWait('block', profiles.block, site) ?? lockWait('mutex', profiles.mutex, site)
    const ep = endpointOfStack(ran.frames, endpoints, source)
    const { epLoad, requestMs } = requestTime(load, ep?.endpoint, wait?.kind ?? 'block', window)
    const whose = epLoad ? `${epLoad.name}'s` : 'all'
    const share = wait && requestMs ? Math.min(1, wait.delayNs / 1e6 / requestMs) : 0
    const measured = wait
      ? `${wait.kind} profile measured ${wait.delayText} waiting in ${wait.contentions} contentions ` +
        `${window.delta(wait.kind) ? window.text(wait.kind) : 'since the process started'}, ${pct(share, 2)} of ${whose} request time ` +
        `(${((requestMs ?? 0) / 1000).toFixed(1)} s), below the ${pct(LOCK_WAIT_MIN_SHARE, 0)} that makes a measured contention finding`
      : `no wait for it was measured (the ${ran.kind} profile shows it ran)`
    const fnName = ran.frames.find((f) => isSiteFunction(f, site))!
    findings.push(
      finding({
        kind: 'contention',
        title: `Global lock held across I/O: ${site.mutex} in ${site.function} (static evidence; ${pct(share, 2)} of ${whose} request time measured)`,
        detail:
          `Static evidence from the source: ${staticText}. It ran on requests during the load (${ran.kind} profile` +
          (ep ? `, serving ${ep.endpoint}` : '') +
          `); ${measured}. The wait grows with the number of concurrent requests that take the lock, so this load did not show its cost.`,
        ...(ep ? { endpoint: ep.endpoint } : {}),
        // The function's definition, as a measured contention finding names it.
        location: source.locateFunction(fnName) ?? site.lockAt,
        impact: share,
        impactBasis: `measured share of ${whose} request time spent waiting for the lock`,
        effort: 'medium',
        fix: `Do not hold ${site.mutex} across I/O in ${site.function}: drop it and rely on the database's row locks (SELECT … FOR UPDATE) or a per-key lock.`,
        evidence: {
          function: fnName,
          basis: 'static',
          mutex: site.mutex,
          declaredAt: site.declaredAt,
          contentions: wait?.contentions ?? 0,
          delayMs: Math.round(((wait?.delayNs ?? 0) / 1e6) * 1000) / 1000,
        },
      }),
    )
  }
}
