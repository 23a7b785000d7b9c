// The folder tree shows the pipeline: the pure stages (analyze, compare, report) and the modules
// that own the data (record, pprof, plan) import each other in one direction only, and never the
// I/O shell. Imports are read with TypeScript's own pre-processor (type-only imports count too:
// a cycle of types is still a cycle of modules).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')

/** A file's unit: its top folder under src/ (`analyze`), or the file itself (`pipeline.ts`). */
const unitOf = (file: string) => file.split(path.sep)[0]!

/** Which units each unit imports (relative imports between different units). */
function unitGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>()
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue
    const from = unitOf(file)
    const imports = ts.preProcessFile(readFileSync(path.join(SRC, file), 'utf8'), true, true).importedFiles
    for (const { fileName } of imports) {
      if (!fileName.startsWith('.')) continue
      const to = unitOf(path.relative(SRC, path.resolve(SRC, path.dirname(file), fileName)))
      if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to))
    }
  }
  return graph
}

/** Every cycle among `units` (as `a -> b -> a`), found by a depth-first walk restricted to them. */
function cyclesAmong(graph: Map<string, Set<string>>, units: string[]): string[] {
  const cycles = new Set<string>()
  const walk = (unit: string, trail: string[]) => {
    for (const next of graph.get(unit) ?? []) {
      if (!units.includes(next)) continue
      const at = trail.indexOf(next)
      if (at >= 0) cycles.add([...trail.slice(at), next].join(' -> '))
      else walk(next, [...trail, next])
    }
  }
  for (const unit of units) walk(unit, [unit])
  return [...cycles]
}

const CORE = ['analyze', 'compare', 'report', 'record', 'pprof', 'plan']

test('analyze, compare and report, and the record, pprof and plan modules, import each other without a cycle', () => {
  assert.deepEqual(cyclesAmong(unitGraph(), CORE), [])
})

test('the pure stages import nothing of the I/O shell (run, collect, baseline, github, shard, the front doors)', () => {
  const graph = unitGraph()
  const shell = (unit: string) => !CORE.includes(unit) && unit !== 'errors.ts'
  for (const stage of ['analyze', 'compare', 'report']) {
    assert.deepEqual([...(graph.get(stage) ?? [])].filter(shell), [], `${stage} imports the shell`)
  }
})

test('the cycle check finds a cycle when there is one', () => {
  const graph = new Map([
    ['analyze', new Set(['compare'])],
    ['compare', new Set(['record', 'analyze'])],
  ])
  assert.deepEqual(cyclesAmong(graph, CORE).sort(), [
    'analyze -> compare -> analyze',
    'compare -> analyze -> compare',
  ])
})
