// Shared by the pprof tests: fixture paths, the cases compared with `go tool pprof`, and
// running the Go toolchain (the oracle) with a private HOME/PPROF_TMPDIR and TZ=UTC.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  Function as WireFunction,
  Line,
  Location as WireLocation,
  Mapping,
  Profile as WireProfile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format'
import { decodeProfile } from '../../src/pprof/decode.ts'
import type { Profile } from '../../src/pprof/model.ts'

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/pprof')
export const GOLDEN = path.join(FIXTURES, 'golden')
const GEN = path.join(FIXTURES, 'gen')

export const KINDS = ['cpu', 'heap', 'allocs', 'goroutine', 'block', 'mutex'] as const
export type Kind = (typeof KINDS)[number]

export interface TopCase {
  name: string
  kind: Kind
  sampleIndex?: string
  nodeCount?: number
}

/** What the tests compare with `go tool pprof -top`: every kind, its other sample types, and one full table. */
export const TOP_CASES: TopCase[] = [
  { name: 'cpu', kind: 'cpu', nodeCount: 20 },
  { name: 'cpu-all', kind: 'cpu' },
  { name: 'cpu-samples', kind: 'cpu', sampleIndex: 'samples', nodeCount: 20 },
  { name: 'heap', kind: 'heap', nodeCount: 20 },
  { name: 'heap-inuse_objects', kind: 'heap', sampleIndex: 'inuse_objects', nodeCount: 20 },
  { name: 'heap-alloc_space', kind: 'heap', sampleIndex: 'alloc_space', nodeCount: 20 },
  { name: 'allocs', kind: 'allocs', nodeCount: 20 },
  { name: 'allocs-alloc_objects', kind: 'allocs', sampleIndex: 'alloc_objects', nodeCount: 20 },
  { name: 'goroutine', kind: 'goroutine', nodeCount: 20 },
  { name: 'block', kind: 'block', nodeCount: 20 },
  { name: 'block-contentions', kind: 'block', sampleIndex: 'contentions', nodeCount: 20 },
  { name: 'mutex', kind: 'mutex', nodeCount: 20 },
  { name: 'mutex-contentions', kind: 'mutex', sampleIndex: 'contentions', nodeCount: 20 },
]

export function fixturePath(variant: 'base' | 'current', kind: Kind): string {
  return path.join(FIXTURES, variant, `${kind}.pb.gz`)
}

/** Decodes a profile file or fails the test with the reason. */
export function loadProfile(file: string): Profile {
  const decoded = decodeProfile(readFileSync(file))
  if (!decoded.ok) throw new Error(`${file}: ${decoded.reason}`)
  return decoded.value
}

export function findGo(): string | undefined {
  for (const candidate of [
    '/usr/local/go/bin/go',
    ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'go')),
  ]) {
    if (candidate && existsSync(candidate)) return candidate
  }
  return undefined
}

let goCache: string | undefined

/** The toolchain's own build cache, looked up before HOME is replaced so `go tool pprof` is not rebuilt. */
function userGoCache(): string {
  goCache ??=
    process.env.GOCACHE ||
    execFileSync(findGo() ?? 'go', ['env', 'GOCACHE'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim()
  return goCache
}

function goEnv(): NodeJS.ProcessEnv {
  const home = path.join(tmpdir(), 'perfgate-pprof-home')
  mkdirSync(home, { recursive: true })
  const cache = userGoCache()
  return {
    ...process.env,
    HOME: home,
    PPROF_TMPDIR: home,
    TZ: 'UTC',
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
    GOCACHE: cache,
  }
}

/** Runs `go tool pprof -symbolize=none -top [flags] FILE` and returns its stdout. */
export function goPprofTop(go: string, file: string, flags: string[]): string {
  return execFileSync(go, ['tool', 'pprof', '-symbolize=none', '-top', ...flags, file], {
    env: goEnv(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

export function topFlags(c: Pick<TopCase, 'sampleIndex' | 'nodeCount'>): string[] {
  const flags: string[] = []
  if (c.sampleIndex) flags.push(`-sample_index=${c.sampleIndex}`)
  if (c.nodeCount) flags.push(`-nodecount=${c.nodeCount}`)
  return flags
}

/** Builds the profile generator once per source version (cached in the temp folder). */
export function buildGenerator(go: string): string {
  const source = readFileSync(path.join(GEN, 'main.go'))
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12)
  const binary = path.join(tmpdir(), `perfgate-pprofgen-${hash}`)
  if (!existsSync(binary)) {
    execFileSync(go, ['build', '-o', binary, '.'], {
      cwd: GEN,
      env: goEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  }
  return binary
}

/** Runs the generator into `out`: real cpu, heap, allocs, goroutine, block and mutex profiles. */
export function generateProfiles(binary: string, out: string, variant: 'base' | 'current', cpu = '1s'): void {
  const leak = variant === 'base' ? '5' : '40'
  execFileSync(binary, ['-out', out, '-variant', variant, '-leak', leak, '-cpu', cpu], {
    env: goEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  })
}

/**
 * Encodes a small profile with pprof-format and decodes it: one sample per stack, frames
 * leaf first, one location per frame (a frame `a+b` is a location where a was inlined into b).
 */
export function syntheticProfile(type: [string, string], stacks: [string[], number][]): Profile {
  const strings = new StringTable()
  const functions = new Map<string, number>()
  const locations = new Map<string, number>()
  const wireFunctions: WireFunction[] = []
  const wireLocations: WireLocation[] = []
  const functionId = (name: string) => {
    let id = functions.get(name)
    if (id === undefined) {
      id = functions.size + 1
      functions.set(name, id)
      wireFunctions.push(new WireFunction({ id, name: strings.dedup(name), systemName: strings.dedup(name) }))
    }
    return id
  }
  const locationId = (frame: string) => {
    let id = locations.get(frame)
    if (id === undefined) {
      id = locations.size + 1
      locations.set(frame, id)
      const lines = frame.split('+').map((name) => new Line({ functionId: functionId(name), line: 1 }))
      wireLocations.push(new WireLocation({ id, mappingId: 1, address: 0x1000 + id, line: lines }))
    }
    return id
  }
  const samples = stacks.map(
    ([frames, value]) => new Sample({ locationId: frames.map(locationId), value: [value] }),
  )
  const bytes = new WireProfile({
    stringTable: strings,
    sampleType: [new ValueType({ type: strings.dedup(type[0]), unit: strings.dedup(type[1]) })],
    sample: samples,
    mapping: [new Mapping({ id: 1, filename: strings.dedup('/srv/app'), hasFunctions: true })],
    location: wireLocations,
    function: wireFunctions,
  }).encode()
  const decoded = decodeProfile(bytes)
  if (!decoded.ok) throw new Error(decoded.reason)
  return decoded.value
}
