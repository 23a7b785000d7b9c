// The profile diff against the baseline on the recorded testbed profiles: every row's shares are
// what `go tool pprof -top` prints as flat% for that function in each profile, the move passes
// the threshold, and the location is the line `go tool pprof -lines -top` charges most to it.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { DIFF_MIN_DELTA_PCT, endpointsOf, profileDiffs } from '../../src/analyze/profile-diff.ts'
import { decodeProfile } from '../../src/pprof/decode.ts'
import type { Profile } from '../../src/pprof/model.ts'
import { RECORDS } from '../report/fixtures.ts'
import { findGo, goPprofTop } from './pprof-helpers.ts'

const file = (run: string, kind: string) => path.join(RECORDS, run, `${kind}.pb.gz`)
function load(run: string, kind: string): Profile {
  const d = decodeProfile(readFileSync(file(run, kind)))
  if (!d.ok) throw new Error(d.reason)
  return d.value
}

/** flat% by function (or by `function file:line` with -lines) as pprof prints them. */
function pprofFlat(go: string, f: string, flags: string[]): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of goPprofTop(go, f, ['-nodecount=100000', ...flags]).split('\n')) {
    const m = /^\s*\S+\s+([\d.]+)%\s+[\d.]+%\s+\S+\s+[\d.]+%\s+(.+?)(?: \(inline\))?$/.exec(line)
    if (m) out.set(m[2]!, (out.get(m[2]!) ?? 0) + Number(m[1]))
  }
  return out
}

const go = findGo()
const SAMPLE = { cpu: [], allocs: ['-sample_index=alloc_space'] } as const

describe('the profile diff of the recorded testbed runs', () => {
  const notes: string[] = []
  const diffs = profileDiffs(
    { cpu: load('testbed-run', 'cpu'), allocs: load('testbed-run', 'allocs') },
    { cpu: load('testbed-baseline', 'cpu'), allocs: load('testbed-baseline', 'allocs') },
    notes,
  )

  it('compares CPU and allocations, each row past the threshold, largest move first', () => {
    assert.deepEqual(notes, [])
    assert.deepEqual(
      diffs.map((d) => d.kind),
      ['cpu', 'allocs'],
    )
    for (const d of diffs) {
      assert.equal(d.minDeltaPct, DIFF_MIN_DELTA_PCT)
      assert.ok(d.rows.length > 0, `${d.kind} has rows`)
      for (const r of d.rows) assert.ok(Math.abs(r.deltaPct) > DIFF_MIN_DELTA_PCT, `${r.name} ${r.deltaPct}`)
      const moves = d.rows.map((r) => Math.abs(r.deltaPct))
      assert.deepEqual(
        moves,
        [...moves].sort((a, b) => b - a),
      )
    }
    // Both directions: the CPU diff of these runs has functions that grew and functions that shrank.
    const cpu = diffs.find((d) => d.kind === 'cpu')!
    assert.ok(cpu.rows.some((r) => r.deltaPct > 0) && cpu.rows.some((r) => r.deltaPct < 0))
  })

  it('marks the application functions and keeps them among the rows', () => {
    const cpu = diffs.find((d) => d.kind === 'cpu')!
    const app = cpu.rows.filter((r) => r.application).map((r) => r.name)
    assert.ok(app.length > 0)
    for (const name of app) assert.match(name, /^github\.com\/perfgate\/testbed\//)
    for (const r of cpu.rows.filter((x) => !x.application))
      assert.doesNotMatch(r.name, /^github\.com\/perfgate\/testbed\//)
  })

  it('has the shares go tool pprof prints', { skip: !go && 'Go toolchain not found' }, () => {
    for (const d of diffs) {
      const kind = d.kind as keyof typeof SAMPLE
      const base = pprofFlat(go!, file('testbed-baseline', kind), [...SAMPLE[kind]])
      const current = pprofFlat(go!, file('testbed-run', kind), [...SAMPLE[kind]])
      for (const r of d.rows) {
        assert.equal(r.basePct.toFixed(2), (base.get(r.name) ?? 0).toFixed(2), `${kind} base ${r.name}`)
        assert.equal(
          r.currentPct.toFixed(2),
          (current.get(r.name) ?? 0).toFixed(2),
          `${kind} current ${r.name}`,
        )
      }
    }
  })

  it(
    'puts each function at the line pprof charges most to it',
    { skip: !go && 'Go toolchain not found' },
    () => {
      for (const d of diffs) {
        const kind = d.kind as keyof typeof SAMPLE
        for (const r of d.rows) {
          if (!r.location) continue
          // Where it spends its samples now, or (gone now) where it spent them.
          const run = r.currentPct > 0 ? 'testbed-run' : 'testbed-baseline'
          const lines = [...pprofFlat(go!, file(run, kind), ['-lines', ...SAMPLE[kind]])].filter(([k]) =>
            k.startsWith(`${r.name} `),
          )
          const best = Math.max(...lines.map(([, v]) => v))
          const [, at] = /:(\d+)$/.exec(r.location)!
          const ours = lines.find(([k]) => k.endsWith(`/${r.location}`) || k.endsWith(`:${at}`))
          assert.ok(
            ours,
            `${r.name} at ${r.location} is one of pprof's lines: ${lines.map(([k]) => k).join(', ')}`,
          )
          assert.equal(ours[1], best, `${r.name} at ${r.location}`)
        }
      }
    },
  )
})

/** A CPU profile from stacks written root first, each with its value and pprof labels. */
function cpuProfile(samples: [string[], number, Record<string, string[]>?][]): Profile {
  let id = 0
  return {
    sampleTypes: [
      { type: 'samples', unit: 'count' },
      { type: 'cpu', unit: 'nanoseconds' },
    ],
    defaultSampleType: '',
    samples: samples.map(([rootFirst, value, labels]) => ({
      locations: [...rootFirst].reverse().map((fn) => ({
        id: ++id,
        address: 0,
        mappingFile: '',
        lines: [{ function: fn, systemName: fn, filename: '/src/app/x.go', startLine: 1, line: 7 }],
      })),
      values: [1, value],
      labels: labels ?? {},
    })),
    mappings: [],
    timeNanos: 0,
    durationNanos: 10e9,
    period: 0,
    comments: [],
    docUrl: '',
    dropFrames: '',
    keepFrames: '',
  }
}

describe("a mover's endpoints: the code paths it is on", () => {
  const SERVE = ['net/http.(*conn).serve', 'app.(*Server).handle.func1']
  const ENDPOINTS = ['clip_detail', 'feed', 'related_clips']

  it('reads the endpoint label of runtime/pprof.Do, else maps the stack by handler name', () => {
    const p = cpuProfile([
      [[...SERVE, 'runtime/pprof.Do', 'app.burn'], 60e6, { endpoint: ['clip_detail'] }],
      [[...SERVE, 'app.(*Server).handleFeed', 'app.burn'], 30e6],
      // Under the 10 % an endpoint needs to count as one of the function's code paths.
      [[...SERVE, 'app.(*Server).relatedClips', 'app.burn'], 5e6],
      // A label naming no endpoint of the plan is not taken, nor a stack without a handler.
      [[...SERVE, 'app.burn'], 5e6, { endpoint: ['admin'] }],
      [[...SERVE, 'app.other'], 100e6, { endpoint: ['feed'] }],
    ])
    assert.deepEqual(endpointsOf(p, undefined, 'app.burn', ENDPOINTS), ['clip_detail', 'feed'])
    assert.deepEqual(endpointsOf(p, undefined, 'app.other', ENDPOINTS), ['feed'])
    assert.deepEqual(endpointsOf(p, undefined, 'app.burn', []), [], 'no endpoints planned')
  })

  it('gives each diff row the endpoints of the profile it grew in', () => {
    const base = cpuProfile([[[...SERVE, 'app.(*Server).handleFeed', 'app.list'], 100e6]])
    const current = cpuProfile([
      [[...SERVE, 'app.(*Server).handleFeed', 'app.list'], 50e6],
      [[...SERVE, 'runtime/pprof.Do', 'app.burn'], 50e6, { endpoint: ['clip_detail'] }],
    ])
    const [cpu] = profileDiffs({ cpu: current }, { cpu: base }, [], undefined, ['app'], ENDPOINTS)
    assert.deepEqual(
      cpu!.rows.map((r) => [r.name, r.deltaPct, r.endpoints]),
      [
        ['app.burn', 50, ['clip_detail']],
        ['app.list', -50, ['feed']],
      ],
    )
  })
})

describe('the contention diff of the recorded testbed runs', () => {
  it('compares the block and mutex delay of requests when both runs have them', () => {
    const notes: string[] = []
    const kinds = ['block', 'mutex'] as const
    const pick = (run: string) => Object.fromEntries(kinds.map((k) => [k, load(run, k)]))
    const diffs = profileDiffs(pick('testbed-run'), pick('testbed-baseline'), notes)
    assert.deepEqual(notes, [])
    assert.deepEqual(
      diffs.map((d) => [d.kind, d.sampleType]),
      [
        ['block', 'delay'],
        ['mutex', 'delay'],
      ],
    )
    // Idle waits are not requests: the pool's health check never is a row.
    for (const d of diffs) for (const r of d.rows) assert.doesNotMatch(r.name, /backgroundHealthCheck/)
  })
})
