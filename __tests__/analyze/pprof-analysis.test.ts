// Diffs, area shares, goroutine leaks and contention sites, on synthetic profiles (exact
// numbers) and on the real fixture profiles from the Go generator.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  APPLICATION_AREA,
  OTHER_AREA,
  areaShares,
  contentionSites,
  diffTop,
  goroutineCount,
  goroutineLeak,
  goroutineStacks,
  topTable,
} from '../../src/analyze/pprof/index.ts'
import { DEFAULT_AREAS } from '../../src/plan/defaults.ts'
import { fixturePath, loadProfile, syntheticProfile } from './pprof-helpers.ts'

const CPU: [string, string] = ['cpu', 'nanoseconds']
const ms = 1e6

describe('diffTop', () => {
  it('finds the function whose share grew, each profile normalised by its own total', () => {
    const base = syntheticProfile(CPU, [
      [['main.parse', 'main.handle'], 60 * ms],
      [['encoding/json.Marshal', 'main.handle'], 40 * ms],
    ])
    // Twice as long a run: absolute values double, only json's share grows.
    const current = syntheticProfile(CPU, [
      [['main.parse', 'main.handle'], 80 * ms],
      [['encoding/json.Marshal', 'main.handle'], 120 * ms],
    ])
    const diff = diffTop(base, current)
    assert.ok(diff.ok)
    assert.deepEqual(diff.value.rows, [
      { name: 'encoding/json.Marshal', basePct: 40, currentPct: 60, deltaPct: 20 },
    ])
    assert.equal(diff.value.baseTotal, 100 * ms)
    assert.equal(diff.value.currentTotal, 200 * ms)
  })

  it('compares inclusive shares when asked for cum', () => {
    const base = syntheticProfile(CPU, [
      [['main.a', 'main.handler'], 10],
      [['main.b'], 90],
    ])
    const current = syntheticProfile(CPU, [
      [['main.a', 'main.handler'], 50],
      [['main.b'], 50],
    ])
    const diff = diffTop(base, current, undefined, { by: 'cum' })
    assert.ok(diff.ok)
    assert.deepEqual(
      diff.value.rows.map((r) => [r.name, r.deltaPct]),
      [
        ['main.a', 40],
        ['main.handler', 40],
      ],
    )
  })

  it('picks up the hashing that the current fixture run does three times as often', () => {
    const diff = diffTop(
      loadProfile(fixturePath('base', 'cpu')),
      loadProfile(fixturePath('current', 'cpu')),
      'cpu',
      {
        by: 'cum',
        limit: 5,
      },
    )
    assert.ok(diff.ok)
    const names = diff.value.rows.map((r) => r.name)
    assert.ok(names.includes('main.hashWork'), names.join(', '))
    assert.ok(diff.value.rows.every((r) => r.deltaPct > 0))
  })

  it('refuses profiles of different kinds with a reason', () => {
    const diff = diffTop(
      loadProfile(fixturePath('base', 'heap')),
      loadProfile(fixturePath('current', 'goroutine')),
      'goroutine',
    )
    assert.equal(diff.ok, false)
    if (!diff.ok) assert.match(diff.reason, /^base profile: sample_index "goroutine" must be one of/)
  })
})

describe('areaShares', () => {
  it('attributes each sample to the first matching frame from the leaf', () => {
    const profile = syntheticProfile(CPU, [
      [['encoding/json.Marshal', 'main.handle', 'net/http.(*ServeMux).ServeHTTP'], 30],
      [
        [
          'syscall.Syscall',
          'internal/poll.(*FD).Write',
          'github.com/jackc/pgx/v5.(*Conn).Query',
          'main.handle',
        ],
        20,
      ],
      [['runtime.mallocgc', 'encoding/json.Marshal', 'main.handle'], 10],
      [['main.score', 'main.handle'], 25],
      [['github.com/acme/clipper/internal/rank.Score'], 5],
      [['runtime.futex', 'runtime.findRunnable'], 10],
    ])
    const result = areaShares(profile, DEFAULT_AREAS)
    assert.ok(result.ok)
    const byArea = Object.fromEntries(result.value.shares.map((s) => [s.area, s.value]))
    assert.deepEqual(byArea, {
      'JSON serialisation': 30,
      'Syscalls and network': 20,
      'GC and allocation': 10,
      [APPLICATION_AREA]: 30,
      [OTHER_AREA]: 10,
    })
    const sum = result.value.shares.reduce((s, a) => s + a.share, 0)
    assert.ok(Math.abs(sum - 1) < 1e-12)
  })

  it('lets users add areas, tried before nothing else matches', () => {
    const profile = syntheticProfile(CPU, [
      [['main.score', 'github.com/acme/clipper/internal/rank.Rank'], 3],
      [['main.other'], 1],
    ])
    const result = areaShares(profile, [
      ...DEFAULT_AREAS,
      { area: 'Ranking', patterns: ['/internal/rank\\.'] },
    ])
    assert.ok(result.ok)
    assert.deepEqual(
      result.value.shares.map((s) => [s.area, s.share]),
      [
        ['Ranking', 0.75],
        [APPLICATION_AREA, 0.25],
      ],
    )
  })

  it('shares of the real CPU fixture add up to 1 over the same total as the top table', () => {
    const result = areaShares(loadProfile(fixturePath('current', 'cpu')), DEFAULT_AREAS)
    assert.ok(result.ok)
    const sum = result.value.shares.reduce((s, a) => s + a.share, 0)
    assert.ok(Math.abs(sum - 1) < 1e-12, String(sum))
    const table = topTable(loadProfile(fixturePath('current', 'cpu')))
    assert.ok(table.ok)
    assert.equal(result.value.total, table.value.total)
    assert.ok(result.value.shares.some((s) => s.area === APPLICATION_AREA))
  })

  it('matches an invalid pattern as text and says so', () => {
    const profile = syntheticProfile(CPU, [[['main.(weird'], 1]])
    const result = areaShares(profile, [{ area: 'Weird', patterns: ['main.(weird'] }])
    assert.ok(result.ok)
    assert.equal(result.value.shares[0]?.area, 'Weird')
    assert.equal(result.value.warnings.length, 1)
  })
})

describe('goroutines', () => {
  const before = loadProfile(fixturePath('base', 'goroutine'))
  const after = loadProfile(fixturePath('current', 'goroutine'))

  it('counts goroutines as go tool pprof totals them', () => {
    for (const p of [before, after]) {
      const table = topTable(p)
      assert.ok(table.ok)
      assert.equal(goroutineCount(p), table.value.total)
    }
    assert.ok(goroutineCount(after) >= 45)
  })

  it('groups goroutines by stack and names where they wait and how they started', () => {
    const [top] = goroutineStacks(after)
    assert.ok(top)
    assert.equal(top.count, 40)
    assert.equal(top.waitingIn, 'main.leakyWorker')
    assert.equal(top.entry, 'main.leakyWorker')
    assert.ok(top.share > 0.8)
  })

  it('suspects a leak when goroutines stay up after the cool-down and names the stack that grew', () => {
    const leak = goroutineLeak(before, after, after, 5000)
    assert.equal(leak.suspected, true, leak.reason)
    assert.equal(leak.growth, goroutineCount(after) - goroutineCount(before))
    assert.equal(leak.topStacks[0]?.waitingIn, 'main.leakyWorker')
    assert.equal(leak.topStacks[0]?.count, 35)
    assert.equal(leak.perThousandRequests, (leak.growth / 5000) * 1000)
  })

  it('does not suspect a leak when the count returns after the cool-down', () => {
    const leak = goroutineLeak(120, 900, 130, 5000)
    assert.equal(leak.suspected, false)
    assert.equal(leak.threshold, 20)
    assert.match(leak.reason, /below the threshold 20/)
  })

  it('scales the threshold with the starting count and needs growth under load', () => {
    assert.equal(goroutineLeak(1000, 1200, 1099).suspected, false)
    assert.equal(goroutineLeak(1000, 1200, 1100).suspected, true)
    assert.equal(goroutineLeak(100, 100, 150).suspected, false)
    assert.equal(goroutineLeak(100, 200, 150, 0).suspected, false)
  })
})

describe('contentionSites', () => {
  it('names the function holding the contended mutex', () => {
    const result = contentionSites(loadProfile(fixturePath('current', 'mutex')))
    assert.ok(result.ok)
    const [top] = result.value.sites
    assert.ok(top)
    assert.equal(top.function, 'main.lockedIncrement')
    assert.equal(top.blockedIn, 'sync.(*Mutex).Unlock')
    assert.deepEqual(top.callers.slice(0, 1), ['main.contend.func1'])
    assert.ok(top.share > 0.99)
    assert.ok(result.value.totalContentions > 0)
  })

  it('lists block sites by delay with their share of the total', () => {
    const profile = loadProfile(fixturePath('current', 'block'))
    const result = contentionSites(profile)
    assert.ok(result.ok)
    const sites = result.value.sites
    assert.equal(sites[0]?.function, 'main.lockedIncrement')
    assert.equal(sites[0]?.blockedIn, 'sync.(*Mutex).Lock')
    for (let i = 1; i < sites.length; i++) assert.ok(sites[i - 1]!.delay >= sites[i]!.delay)
    const table = topTable(profile)
    assert.ok(table.ok)
    assert.equal(result.value.totalDelay, table.value.total)
    assert.ok(sites.reduce((s, x) => s + x.share, 0) <= 1 + 1e-12)
  })

  it('gives a reason for a profile that is not about contention', () => {
    const result = contentionSites(loadProfile(fixturePath('current', 'heap')))
    assert.equal(result.ok, false)
  })
})
