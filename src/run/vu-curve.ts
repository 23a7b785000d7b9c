// The measured VU curve: k6's `vus` metric (one point per second) folded into a few segments,
// each a hold ("20 VUs for 45 s") or a ramp ("0 → 20 VUs in 10 s"), for the report to set beside
// what k6 inspect said the script would do.
import type { VuSegment } from '../record/load.ts'

/** A flat stretch shorter than this inside a ramp is the ramp's sampling, not a hold. */
const MIN_HOLD_S = 3
/** Segments kept in the record; the rest of a very jagged curve is folded into the last one. */
export const MAX_VU_SEGMENTS = 40

const sign = (d: number) => (d > 0 ? 1 : d < 0 ? -1 : 0)
const round1 = (n: number) => Math.round(n * 10) / 10

/**
 * `samples` are [ms since the load's start, VUs], in any order. Returns the segments in time
 * order; consecutive segments share their boundary point.
 */
export function vuCurve(samples: readonly (readonly [number, number])[]): VuSegment[] {
  const points = [...samples].sort((a, b) => a[0] - b[0])
  if (points.length === 0) return []
  // Strictly monotone or flat runs first.
  type Point = readonly [number, number]
  const raw: { from: Point; to: Point; dir: number }[] = []
  let cur = { from: points[0]!, to: points[0]!, dir: 0 }
  for (const p of points.slice(1)) {
    const d = sign(p[1] - cur.to[1])
    if (cur.from === cur.to) cur = { ...cur, to: p, dir: d }
    else if (d === cur.dir) cur.to = p
    else {
      raw.push(cur)
      cur = { from: cur.to, to: p, dir: d }
    }
  }
  raw.push(cur)
  // A short flat run between two ramps of one direction belongs to them (a slow ramp repeats values).
  const merged: typeof raw = []
  for (const seg of raw) {
    const last = merged.at(-1)
    const beforeLast = merged.at(-2)
    if (last && last.dir === seg.dir && seg.dir !== 0) last.to = seg.to
    else if (
      last &&
      beforeLast &&
      last.dir === 0 &&
      seg.dir !== 0 &&
      beforeLast.dir === seg.dir &&
      (last.to[0] - last.from[0]) / 1000 < MIN_HOLD_S
    ) {
      merged.pop()
      beforeLast.to = seg.to
    } else merged.push({ ...seg })
  }
  const segments: VuSegment[] = merged.map((s) => ({
    startS: round1(s.from[0] / 1000),
    durationS: round1((s.to[0] - s.from[0]) / 1000),
    fromVUs: s.from[1],
    toVUs: s.to[1],
  }))
  if (segments.length <= MAX_VU_SEGMENTS) return segments
  const kept = segments.slice(0, MAX_VU_SEGMENTS - 1)
  const rest = segments.slice(MAX_VU_SEGMENTS - 1)
  const first = rest[0]!
  const last = rest.at(-1)!
  kept.push({
    startS: first.startS,
    durationS: round1(last.startS + last.durationS - first.startS),
    fromVUs: first.fromVUs,
    toVUs: last.toVUs,
    maxVUs: Math.max(...rest.map((s) => Math.max(s.fromVUs, s.toVUs))),
  })
  return kept
}
