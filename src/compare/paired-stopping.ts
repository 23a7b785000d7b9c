// The paired run's stopping rule (issue 19, `paired-max-duration`): the load goes on past the
// scenario's duration until every gated row's interval clears its tolerance, or the maximum is
// reached. The rows are judged at a few planned looks, and each look at alpha divided by the
// number of looks (Bonferroni over the looks): stopping at whichever look first resolves every row
// then keeps the chance of a false verdict over the whole run at alpha or below, which judging
// every look at alpha would not (optional stopping). Pure.
import type { PairedPart, PairedStopping } from '../record/paired.ts'

/** Each look comes this many times later than the one before: few looks, so alpha is split little. */
export const LOOK_GROWTH = 1.5

/**
 * The load seconds at which the rows are judged: the scenario's end, then ×1.5 each time, the last
 * at the maximum (a look within 10 % of the maximum merges into it).
 */
export function lookSchedule(firstS: number, maxS: number): number[] {
  const looks: number[] = []
  for (let t = firstS; t < maxS; t *= LOOK_GROWTH) looks.push(Math.round(t))
  if (looks.length > 1 && looks.at(-1)! * 1.1 >= maxS) looks.pop()
  if (looks.at(-1) !== maxS) looks.push(maxS)
  return looks
}

/** The alpha every look is judged at: the run's alpha split over its planned looks. */
export function alphaPerLook(alpha: number, looks: number): number {
  return alpha / Math.max(1, looks)
}

/** What one look decided: the gated rows still open, and whether the load may stop. */
export interface LookDecision {
  stop: boolean
  open: string[]
}

/**
 * The load may stop once every gated row has a verdict at this look: a row still inconclusive, or
 * still short of pairs (a rarely hit endpoint, which more load may give enough), keeps it going.
 */
export function lookDecision(paired: Pick<PairedPart, 'rows'>): LookDecision {
  const open = paired.rows
    .filter((r) => r.gated && (r.verdict === 'inconclusive' || r.verdict === 'no-data'))
    .map((r) => r.id)
  return { stop: open.length === 0, open }
}

const seconds = (s: number) => (s >= 120 && s % 60 === 0 ? `${s / 60} min` : `${Math.round(s)} s`)

/**
 * The report's sentence on the stopping rule: when the load stopped and why, the looks taken and
 * the alpha of each, so a reader can check the verdict's error rate.
 */
export function describeStopping(stopping: PairedStopping): string {
  const alpha = stopping.alpha
  const planned = stopping.looksAtS.length
  const level = `each look judged at alpha ${alphaPerLook(alpha, planned).toPrecision(2)} = ${alpha} / ${planned} looks`
  const taken = stopping.taken.map((l) => seconds(l.atS)).join(', ')
  const looked = taken ? `looked at ${taken} of load` : 'no look during the load'
  if (stopping.ended === 'resolved') {
    const at = stopping.taken.at(-1)
    const on = stopping.judgedToS !== undefined ? ` on its first ${seconds(stopping.judgedToS)}` : ''
    return `stopping rule: ${looked} and stopped at ${seconds(at?.atS ?? stopping.maxDurationS)} of at most ${seconds(stopping.maxDurationS)}, every gated row resolved${on} (${level})`
  }
  return `stopping rule: ${looked}; ran to the maximum of ${seconds(stopping.maxDurationS)} with gated rows still open (${level})`
}
