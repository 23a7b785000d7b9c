// What the report still reads from a decoded pprof profile: the CPU flame graph tree, which the
// record cannot carry (the top tables come from record.analysis). Pure; never modifies the profile.
import { locationNames } from '../analyze/pprof/graph.ts'
import { scaledLabel } from '../analyze/pprof/measurement.ts'
import type { Profile } from '../pprof/model.ts'
import { sampleIndexByName } from '../pprof/sampleindex.ts'
import type { FlameNode } from './model.ts'

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
