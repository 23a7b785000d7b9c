// What the report reads from decoded pprof profiles: `go tool pprof -top` text, totals per sample
// type, the heaviest call paths and the flame graph tree. Pure; never modifies the profile.
import { locationNames } from '../analyze/pprof/graph.ts'
import { scaledLabel } from '../analyze/pprof/measurement.ts'
import type { Profile } from '../analyze/pprof/model.ts'
import { sampleIndexByName } from '../analyze/pprof/sampleindex.ts'
import { formatTopText, topTable, type TopTable } from '../analyze/pprof/top.ts'
import type { FlameNode } from './model.ts'

export interface TopResult {
  table?: TopTable
  text?: string
  error?: string
}

/** The top table and its pprof text for one sample type (default: the profile's default). */
export function profileTop(profile: Profile, nodeCount: number, sampleIndex?: string): TopResult {
  const result = topTable(profile, { nodeCount, ...(sampleIndex ? { sampleIndex } : {}) })
  if (!result.ok) return { error: result.reason }
  return { table: result.value, text: formatTopText(result.value) }
}

/** Sum of |value| over all samples of one sample type, with its unit; undefined when absent. */
export function profileTotal(
  profile: Profile,
  sampleType: string,
): { total: number; unit: string } | undefined {
  const i = profile.sampleTypes.findIndex((t) => t.type === sampleType)
  if (i < 0) return undefined
  let total = 0
  for (const s of profile.samples) total += Math.abs(s.values[i] ?? 0)
  return { total, unit: profile.sampleTypes[i]!.unit }
}

export function formatProfileValue(value: number, unit: string): string {
  return scaledLabel(value, unit, 'auto')
}

function indexOf(profile: Profile): number | undefined {
  const r = sampleIndexByName(profile)
  return r.ok ? r.value : undefined
}

/** Stack of one sample, root first. */
function stackOf(sample: Profile['samples'][number]): string[] {
  const names: string[] = []
  for (let i = sample.locations.length - 1; i >= 0; i--) names.push(...locationNames(sample.locations[i]!))
  return names
}

/** The heaviest distinct call paths (root first) with their share of the total. */
export function heaviestPaths(profile: Profile, count: number): { frames: string[]; share: number }[] {
  const index = indexOf(profile)
  if (index === undefined) return []
  const byStack = new Map<string, { frames: string[]; value: number }>()
  let total = 0
  for (const sample of profile.samples) {
    const w = Math.abs(sample.values[index] ?? 0)
    if (w === 0) continue
    total += w
    const frames = stackOf(sample)
    const key = frames.join('\u0000')
    const entry = byStack.get(key)
    if (entry) entry.value += w
    else byStack.set(key, { frames, value: w })
  }
  return [...byStack.values()]
    .sort((a, b) => b.value - a.value || (a.frames.join() < b.frames.join() ? -1 : 1))
    .slice(0, count)
    .map((e) => ({ frames: e.frames, share: total > 0 ? e.value / total : 0 }))
}

/**
 * The flame graph tree of a profile's default sample type: root = all samples, children by
 * function along each stack (root first). Nodes below `minFraction` of the total are folded into
 * their parent so the tree stays small; siblings are sorted by name for a stable layout.
 */
export function flameTree(
  profile: Profile,
  minFraction = 0.005,
  maxDepth = 48,
): { unit: string; root: FlameNode } | undefined {
  const index = indexOf(profile)
  if (index === undefined) return undefined
  const unit = profile.sampleTypes[index]!.unit
  interface Mutable {
    name: string
    value: number
    children: Map<string, Mutable>
  }
  const root: Mutable = { name: 'all', value: 0, children: new Map() }
  for (const sample of profile.samples) {
    const w = Math.abs(sample.values[index] ?? 0)
    if (w === 0) continue
    root.value += w
    let node = root
    for (const name of stackOf(sample).slice(0, maxDepth)) {
      let child = node.children.get(name)
      if (!child) node.children.set(name, (child = { name, value: 0, children: new Map() }))
      child.value += w
      node = child
    }
  }
  if (root.value === 0) return undefined
  const cutoff = root.value * minFraction
  const freeze = (n: Mutable): FlameNode => ({
    name: n.name,
    value: n.value,
    children: [...n.children.values()]
      .filter((c) => c.value >= cutoff)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(freeze),
  })
  return { unit, root: freeze(root) }
}
