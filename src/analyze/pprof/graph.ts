// Function-level call graph of a profile, built the way pprof's graph package builds it
// for text reports (granularity=functions): one node per function name, cum counted once
// per sample even under recursion, flat on the leaf frame, edges marked inline when the
// callee was inlined into its caller.
import type { Line, Location, Profile } from '../../pprof/model.ts'

export interface GraphNode {
  name: string
  flat: number
  cum: number
}

export interface GraphEdge {
  from: string
  to: string
  weight: number
  /** True only if every contribution to the edge was an inlined call. */
  inline: boolean
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

/** nodeName is the printable name pprof gives a frame at function granularity. */
export function nodeName(location: Location, line: Line | undefined): string {
  if (line && line.function !== '') return line.function
  if (location.mappingFile !== '') return `[${baseName(location.mappingFile)}]`
  return '<unknown>'
}

/** Frame names of one location, physical caller first, innermost inlined callee last. */
export function locationNames(location: Location): string[] {
  if (location.lines.length === 0) return [nodeName(location, undefined)]
  const names: string[] = []
  for (let i = location.lines.length - 1; i >= 0; i--) names.push(nodeName(location, location.lines[i]))
  return names
}

/** Whether frame `i` of locationNames() is an inlined callee (pprof's edge Inline flag). */
function isInlined(i: number): boolean {
  return i !== 0
}

/**
 * buildNodes computes flat and cum per function over all samples for value index `index`.
 * Nodes whose flat and cum are both zero are left out, as in pprof.
 */
export function buildNodes(profile: Profile, index: number): GraphNode[] {
  const nodes = new Map<string, GraphNode>()
  const seen = new Set<string>()
  for (const sample of profile.samples) {
    const w = sample.values[index] ?? 0
    if (w === 0) continue
    seen.clear()
    let leaf: GraphNode | undefined
    for (let i = sample.locations.length - 1; i >= 0; i--) {
      for (const name of locationNames(sample.locations[i]!)) {
        let node = nodes.get(name)
        if (!node) nodes.set(name, (node = { name, flat: 0, cum: 0 }))
        // Recursion: a function on the stack twice still adds the sample once.
        if (!seen.has(name)) {
          seen.add(name)
          node.cum += w
        }
        leaf = node
      }
    }
    if (leaf) leaf.flat += w
  }
  return [...nodes.values()].filter((n) => n.flat !== 0 || n.cum !== 0)
}

/**
 * buildEdges computes the edges between the kept nodes only; a call path through
 * nodes that were not kept becomes one (residual) edge, as pprof does when it
 * rebuilds a trimmed graph.
 */
export function buildEdges(profile: Profile, index: number, kept: ReadonlySet<string>): GraphEdge[] {
  const edges = new Map<string, GraphEdge>()
  const seen = new Set<string>()
  for (const sample of profile.samples) {
    const w = sample.values[index] ?? 0
    if (w === 0) continue
    seen.clear()
    let parent: string | undefined
    for (let i = sample.locations.length - 1; i >= 0; i--) {
      const names = locationNames(sample.locations[i]!)
      for (let j = 0; j < names.length; j++) {
        const name = names[j]!
        if (!kept.has(name)) continue
        if (parent !== undefined && name !== parent) {
          const key = `${parent}\u0000${name}`
          if (!seen.has(key)) {
            seen.add(key)
            const edge = edges.get(key)
            if (edge) {
              edge.weight += w
              edge.inline &&= isInlined(j)
            } else {
              edges.set(key, { from: parent, to: name, weight: w, inline: isInlined(j) })
            }
          }
        }
        parent = name
      }
    }
  }
  return [...edges.values()]
}

/** stackNames lists a sample's frames leaf first (inlined callees before their callers). */
export function stackNames(locations: Location[]): string[] {
  const names: string[] = []
  for (const location of locations) names.push(...locationNames(location).reverse())
  return names
}

/** isRuntimeFrame tells Go runtime internals apart from code a user would recognise. */
export function isRuntimeFrame(name: string): boolean {
  return /^(runtime\.|internal\/runtime\/|runtime\/internal\/)/.test(name) || /\.runtime_[A-Za-z]/.test(name)
}
