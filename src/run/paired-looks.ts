// The stopping rule's looks for a run (issue 19): what the run stage calls at each planned look
// (the load so far judged exactly as the final judgement will be, at alpha / looks), and the
// record's account of it. The judging is pure; the log line is the caller's.
import type { Plan } from '../plan/types.ts'
import type { PairedSide, PairedStopping } from '../record/paired.ts'
import type { AggregateResult } from './aggregate.ts'
import type { LoadLooks } from './live-load.ts'
import { judgePaired } from '../compare/paired-load.ts'
import { lookDecision, lookSchedule } from '../compare/paired-stopping.ts'

/** A base side as the record keeps it, from its aggregate. */
export function pairedSideOf(base: AggregateResult, url: string): PairedSide {
  return {
    url,
    durationS: Math.round(base.durationS * 1000) / 1000,
    vusMax: base.vusMax,
    overall: base.overall,
    endpoints: base.endpoints,
  }
}

/** Seconds before the last sample read that may still be incomplete (k6 flushes every 200 ms). */
const LAG_S = 1

export interface PairedStoppingRun {
  looks: LoadLooks
  /** The record's `paired.stopping` once the load has ended (`endedAtLook`: a look ended it). */
  record: (endedByLook: boolean) => PairedStopping
}

/** The stopping rule of a paired run with `paired-max-duration`; undefined without one. */
export function pairedStopping(plan: Plan, log: (line: string) => void): PairedStoppingRun | undefined {
  const baselineUrl = plan.baselineUrl
  const maxDurationS = plan.pairedMaxDurationS
  if (!baselineUrl || !maxDurationS) return undefined
  const looksAtS = lookSchedule(plan.scenario.durationS, maxDurationS)
  const taken: PairedStopping['taken'] = []
  /** The second up to which the look that ended the load judged its windows. */
  let judgedToS: number | undefined
  const stopping = (ended: PairedStopping['ended'], toS?: number): PairedStopping => ({
    maxDurationS,
    looksAtS,
    alpha: plan.gate.tolerances.alpha,
    taken: [...taken],
    ended,
    ...(toS !== undefined ? { judgedToS: toS } : {}),
  })
  log(
    `paired stopping rule: looks at ${looksAtS.join(', ')} s of load, each judged at alpha ${plan.gate.tolerances.alpha} / ${looksAtS.length}`,
  )
  return {
    looks: {
      atS: looksAtS,
      decide: (snapshot, index) => {
        if (!snapshot.base) return false
        // Whole windows only, and none whose last second may still be in k6's output buffer.
        const windowS = snapshot.current.windowS
        const toS = Math.floor((snapshot.current.durationS - LAG_S) / windowS) * windowS
        const judged = judgePaired({
          design: plan.pairedDesign ?? 'simultaneous',
          current: snapshot.current,
          base: pairedSideOf(snapshot.base, baselineUrl),
          currentUrl: plan.targetUrl,
          tolerances: plan.gate.tolerances,
          stopping: stopping('max-duration', toS),
        })
        const decision = lookDecision(judged)
        if (decision.stop) judgedToS = toS
        const atS = Math.round(snapshot.current.durationS)
        taken.push({ atS, open: decision.open.length })
        const named = decision.open.slice(0, 3).join(', ') + (decision.open.length > 3 ? ', …' : '')
        log(
          `paired look ${index + 1} of ${looksAtS.length} at ${atS} s of load: ` +
            (decision.stop
              ? 'every gated row resolved, ending the load'
              : `${decision.open.length} gated row(s) open (${named}), loading on`),
        )
        return decision.stop
      },
    },
    record: (endedByLook) => (endedByLook ? stopping('resolved', judgedToS) : stopping('max-duration')),
  }
}
