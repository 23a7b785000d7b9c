// The rules of docs/findings.md on small hand-made inputs: each rule's threshold decides, and
// what a rule turns down is said in the notes instead.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EMPTY_SOURCE_INDEX } from '../../src/analyze/source.ts'
import { applicationCosts, withoutPerfgateFrames } from '../../src/analyze/pprof/index.ts'
import { topOf } from '../../src/analyze/profiles.ts'
import type { Profile } from '../../src/pprof/model.ts'
import { cacheAnalysis } from '../../src/analyze/findings/cache.ts'
import {
  contentionTables,
  lockFindings,
  requestWaits,
  type ProfileWindow,
} from '../../src/analyze/findings/contention.ts'
import { areaFindings, cpuBusy, cpuHotspot } from '../../src/analyze/findings/cpu.ts'
import { databaseFindings } from '../../src/analyze/findings/database.ts'
import type { PostgresData, RedisData } from '../../src/record/collectors.ts'
import type { Finding } from '../../src/record/findings.ts'
import type { RunRecord } from '../../src/record/index.ts'

const APP = 'example.com/shop'
const isApp = (name: string) => name.startsWith(APP)

/** A profile of one value type from stacks written root first, e.g. ['main.main', 'app.f', 'regexp.Compile']. */
function profile(
  type: { type: string; unit: string },
  samples: [string[], number][],
  durationS = 10,
): Profile {
  let id = 0
  return {
    sampleTypes: [type],
    defaultSampleType: '',
    samples: samples.map(([rootFirst, value]) => ({
      locations: [...rootFirst].reverse().map((fn) => ({
        id: ++id,
        address: 0,
        mappingFile: '',
        lines: [{ function: fn, systemName: fn, filename: 'x.go', startLine: 1, line: 1 }],
      })),
      values: [value],
      labels: {},
    })),
    mappings: [],
    timeNanos: 0,
    durationNanos: durationS * 1e9,
    period: 0,
    comments: [],
    docUrl: '',
    dropFrames: '',
    keepFrames: '',
  }
}

const CPU = { type: 'cpu', unit: 'nanoseconds' }
const DELAY = { type: 'delay', unit: 'nanoseconds' }
const SERVE = ['net/http.(*conn).serve', `${APP}/api.(*Server).ServeHTTP`]

describe('CPU hotspots are charged to the innermost application frame', () => {
  // 35 % of CPU is a regexp compiled per request inside parseQuery: 0 % flat in parseQuery.
  const cpu = profile(CPU, [
    [
      [
        ...SERVE,
        `${APP}/api.(*Server).handleSearch`,
        `${APP}/api.parseQuery`,
        'regexp.MustCompile',
        'regexp.compile',
      ],
      3.5e9,
    ],
    [[...SERVE, `${APP}/api.(*Server).handleSearch`, 'encoding/json.Marshal'], 0.5e9],
    [['runtime.gcBgMarkWorker'], 6e9],
  ])

  it('finds a function whose cost is all in a library call it makes, with that call', () => {
    const [top] = applicationCosts(cpu, 0, isApp)
    assert.equal(top!.function, `${APP}/api.parseQuery`)
    assert.equal(top!.share, 0.35)
    assert.deepEqual(top!.dominantCall, { function: 'regexp.MustCompile', share: 1 })
  })

  it("ranks that function first in the CPU top's application view by cost, where flat puts it last", () => {
    const top = topOf('cpu', cpu, [APP])
    assert.ok(top.ok)
    const byCost = top.value.applicationCost!
    assert.equal(byCost[0]!.name, `${APP}/api.parseQuery`)
    assert.equal(byCost[0]!.share, 0.35)
    assert.equal(byCost[0]!.valueText, '3.50s')
    assert.equal(byCost[0]!.dominantCall, 'regexp.MustCompile')
    // By own time parseQuery has nothing: the flat view cannot show it as the cost.
    assert.equal(top.value.application.find((r) => r.name === `${APP}/api.parseQuery`)?.flat ?? 0, 0)
  })

  it('makes a finding from 10 % of CPU and 5 % of the latency it serves, with the fix for the call', () => {
    const findings: Finding[] = []
    const notes = cpuHotspot(cpu, undefined, ctx(100, 100), findings)
    assert.deepEqual(notes, [])
    assert.equal(findings.length, 1)
    assert.match(findings[0]!.title, /parseQuery \(35\.0 ms of CPU per request, 35\.0% of search latency\)/)
    assert.match(findings[0]!.fix, /Compile the regular expression once/)
    assert.equal(findings[0]!.tier, 1)
  })

  it('is no finding when its CPU is under 5 % of the latency, and says so', () => {
    const findings: Finding[] = []
    const notes = cpuHotspot(cpu, undefined, ctx(10_000, 10), findings)
    assert.equal(findings.length, 0)
    assert.match(
      notes[0]!,
      /no CPU hotspot: parseQuery takes 35\.0% of CPU, 0\.35 ms per request of search requests \(mean 10\.0 ms\)/,
    )
  })

  it('judges the thresholds on the samples less their sampling error, so a handful of samples is no finding', () => {
    // The clean testbed at the demo's settings: 6 samples of 10 ms in relatedClips (1 ms per
    // request, 8.3 % of a 12 ms latency) pass the thresholds by luck; 6 − √6 = 3.6 samples do not.
    // Four times the samples at the same cost per request leave 19.1 of 24: a finding.
    const sampled = (samples: number) => {
      const p = profile(CPU, [
        [[...SERVE, `${APP}/api.(*Server).handleSearch`, `${APP}/api.relatedClips`], samples * 1e7],
        [['runtime.gcBgMarkWorker'], samples * 6.5e7],
      ])
      return { ...p, period: 1e7 }
    }
    const few: Finding[] = []
    const notes = cpuHotspot(sampled(6), undefined, ctx(60, 12), few)
    assert.deepEqual(few, [])
    assert.match(
      notes[0]!,
      /relatedClips takes 13\.3% of CPU, 1\.00 ms per request .*6 samples of 10 ms, judged on 3\.6/,
    )
    const many: Finding[] = []
    assert.deepEqual(cpuHotspot(sampled(24), undefined, ctx(240, 12), many), [])
    assert.equal(many.length, 1)
    assert.match(many[0]!.detail, /24 samples of 10 ms, judged on 19\.1/)
    // The printed impact and its tier are the measured share, not the discounted one.
    assert.equal(many[0]!.impact, 1 / 12)
    assert.equal(many[0]!.tier, 3)
  })

  function ctx(requests: number, meanMs: number) {
    return {
      isApp,
      endpoints: ['search'],
      source: EMPTY_SOURCE_INDEX,
      requestsInWindow: () => requests,
      meanLatencyMs: () => meanMs,
    }
  }
})

describe('CPU areas need a CPU-busy service', () => {
  const areas = {
    kind: 'cpu' as const,
    sampleType: 'cpu',
    sampleUnit: 'nanoseconds',
    total: 1,
    shares: [{ area: 'Syscalls and network', share: 0.3, value: 1 }],
  }

  it('lists the areas of a service using 1 % of its cores as notes, not findings', () => {
    const idle = cpuBusy(profile(CPU, [[['app.f'], 0.2e9]], 10), 2)!
    assert.equal(idle.busy, false)
    const findings: Finding[] = []
    const notes = areaFindings(areas, idle, findings)
    assert.equal(findings.length, 0)
    assert.match(notes[0]!, /the service used 0\.02 of 2 cores \(1%; busy from 50%\)/)
  })

  it('makes a finding when the profile shows the cores in use', () => {
    const busy = cpuBusy(profile(CPU, [[['app.f'], 15e9]], 10), 2)!
    assert.equal(busy.busy, true)
    const findings: Finding[] = []
    areaFindings(areas, busy, findings)
    assert.match(findings[0]!.title, /Syscalls and network: 30\.0% of CPU on a busy service/)
  })
})

describe('perfgate leaves its own profile requests out', () => {
  it('drops samples with net/http/pprof frames and says what share they were', () => {
    const p = profile(CPU, [
      [[...SERVE, 'net/http/pprof.Profile', 'compress/flate.(*compressor).deflate'], 1e9],
      [[...SERVE, `${APP}/api.handle`], 3e9],
    ])
    const f = withoutPerfgateFrames(p, 0)
    assert.equal(f.droppedShare, 0.25)
    assert.equal(f.profile.samples.length, 1)
    assert.equal(p.samples.length, 2, 'the input is not modified')
  })
})

describe('lock contention is about real locks on request paths', () => {
  const vote = `${APP}/api.(*Server).castVote`
  const block = profile(DELAY, [
    [[...SERVE, `${APP}/api.(*Server).handleVote`, vote, 'sync.(*Mutex).Lock'], 2e9],
    [[...SERVE, `${APP}/api.(*Server).fanOut`, 'sync.(*WaitGroup).Wait'], 5e9],
    [['github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck', 'runtime.selectgo'], 60e9],
    [
      [
        ...SERVE,
        `${APP}/api.(*Server).handleFeed`,
        'github.com/jackc/pgx/v5/pgxpool.(*Pool).Acquire',
        'runtime.selectgo',
      ],
      1e9,
    ],
  ])

  it('keeps lock waits and waits of requests, drops idle waits, and says how much it left out', () => {
    const { profile: kept, note } = requestWaits('block', block)
    assert.equal(kept.samples.length, 3)
    assert.match(note!, /left out 88\.2% of the delay: waits outside requests/)
  })

  it('makes a finding for a mutex from 1 % of the endpoint request time, never for a WaitGroup', () => {
    const { contention } = contentionTables({ block }, () => 'none', EMPTY_SOURCE_INDEX)
    // A block delta over the whole load, in which vote served `requests` requests.
    const overLoad = (requests: number): ProfileWindow => ({
      delta: () => true,
      requestsIn: () => requests,
      text: () => 'over the 60 s of the load',
    })
    const findings: Finding[] = []
    lockFindings(
      record({ vote: [1000, 100] }),
      contention,
      ['vote'],
      [APP],
      EMPTY_SOURCE_INDEX,
      findings,
      overLoad(1000),
    )
    assert.equal(findings.length, 1)
    assert.equal(findings[0]!.endpoint, 'vote')
    assert.match(findings[0]!.title, /castVote \(2s waiting, 2\.0% of vote's request time\)/)
    assert.equal(findings[0]!.impact, 0.02)
    const none: Finding[] = []
    const quiet = record({ vote: [10_000, 100] })
    lockFindings(quiet, contention, ['vote'], [APP], EMPTY_SOURCE_INDEX, none, overLoad(10_000))
    assert.equal(none.length, 0, '0.2 % of the request time is below the rule')
  })

  it('does not rank waits counted since the process started by the load: at most their share, impact not measured', () => {
    const { contention } = contentionTables({ block }, () => 'none', EMPTY_SOURCE_INDEX)
    const findings: Finding[] = []
    // 2 s of waiting against 0.5 s of vote's request time: 100 % at most, and maybe none of it in the load.
    lockFindings(record({ vote: [5, 100] }), contention, ['vote'], [APP], EMPTY_SOURCE_INDEX, findings)
    assert.equal(findings.length, 1)
    assert.match(findings[0]!.title, /castVote \(2s waiting since the process started\)$/)
    assert.equal(findings[0]!.impact, undefined)
    assert.equal(findings[0]!.tier, 4)
    assert.match(findings[0]!.detail, /at most 100\.0% of it and may predate the load.*\?seconds=/)
    // Even at most under 1 %: no finding.
    const none: Finding[] = []
    lockFindings(record({ vote: [10_000, 100] }), contention, ['vote'], [APP], EMPTY_SOURCE_INDEX, none)
    assert.equal(none.length, 0)
  })

  it('explains an empty block profile with how to enable it', () => {
    const { notes } = contentionTables({ block: { ...block, samples: [] } }, () => 'none', EMPTY_SOURCE_INDEX)
    assert.match(notes[0]!, /block profile is empty.*runtime\.SetBlockProfileRate/)
  })
})

describe('a slow query is judged by the work it does, not by a busy machine', () => {
  interface Stmt {
    id: string
    query: string
    calls: number
    meanMs: number
    blocksPerCall: number
  }
  // A heavy report query (12,000 buffers per call), a feed query that reads a few thousand
  // buffers, and two point lookups.
  const STATEMENTS: Stmt[] = [
    {
      id: '1',
      query: 'SELECT sum(total) FROM orders WHERE placed_at > $1',
      calls: 50,
      meanMs: 30,
      blocksPerCall: 12_000,
    },
    {
      id: '2',
      query: 'SELECT * FROM products ORDER BY rank DESC LIMIT $1',
      calls: 200,
      meanMs: 8,
      blocksPerCall: 2_800,
    },
    { id: '3', query: 'SELECT * FROM customers WHERE id = $1', calls: 2_000, meanMs: 0.2, blocksPerCall: 4 },
    {
      id: '4',
      query: 'UPDATE carts SET total = $2 WHERE id = $1',
      calls: 1_000,
      meanMs: 0.5,
      blocksPerCall: 6,
    },
  ]
  const pg = (statements: Stmt[], slowdown = 1): PostgresData =>
    ({
      statements: statements.map((s) => ({
        queryid: s.id,
        query: s.query,
        calls: s.calls,
        totalExecMs: s.calls * s.meanMs * slowdown,
        meanExecMs: s.meanMs * slowdown,
        rows: s.calls,
        sharedBlksHit: s.calls * s.blocksPerCall,
        sharedBlksRead: 0,
      })),
      explains: [],
      tables: [],
      attribution: [
        {
          endpoint: 'report',
          method: 'GET',
          path: '/report',
          requestsCount: 5,
          okCount: 5,
          statementsPerRequest: 1,
          dbTimeMsPerRequest: 30 * slowdown,
          statements: [
            { queryid: '1', query: statements[0]!.query, callsPerRequest: 1, meanExecMs: 28 * slowdown },
          ],
        },
      ],
    }) as unknown as PostgresData
  const run = (data: PostgresData, requestMs = 20_000) => {
    const findings: Finding[] = []
    const notes: string[] = []
    databaseFindings(data, {}, EMPTY_SOURCE_INDEX, requestMs, findings, notes)
    return { findings, notes }
  }

  it('reports the statement that touches many buffers and takes a large share, with its thresholds', () => {
    const { findings } = run(pg(STATEMENTS))
    assert.deepEqual(
      findings.map((f) => f.evidence?.queryid),
      ['1'],
    )
    const f = findings[0]!
    assert.match(f.title, /12,000 buffers per call, 37\.5% of database time/)
    assert.match(f.detail, /thresholds: ≥ 10,000 buffers per call and ≥ 10\.0% of database time/)
    assert.match(f.detail, /30\.00 ms under load and 28\.00 ms run alone/)
  })

  it('makes no new finding on a busy machine where every mean is 5× and nothing else changed', () => {
    const calm = run(pg(STATEMENTS))
    const busy = run(pg(STATEMENTS, 5), 5 * 20_000)
    assert.deepEqual(
      busy.findings.map((f) => [f.evidence?.queryid, f.tier]),
      calm.findings.map((f) => [f.evidence?.queryid, f.tier]),
    )
    // The feed query is now 40 ms mean: said in the notes, with why it is no finding.
    assert.ok(
      busy.notes.some((n) =>
        /40\.0 ms mean, 2800 buffers per call.*a finding needs ≥ 10,000 buffers/.test(n),
      ),
    )
  })

  it('does not report a heavy statement that takes little of the database time', () => {
    const heavyButRare = STATEMENTS.map((s) => (s.id === '1' ? { ...s, calls: 2 } : s))
    assert.equal(run(pg(heavyButRare)).findings.length, 0)
  })

  it('does not report a statement that is slow but light, however slow', () => {
    const slowLight = STATEMENTS.map((s) => (s.id === '1' ? { ...s, blocksPerCall: 500, meanMs: 200 } : s))
    const { findings, notes } = run(pg(slowLight))
    assert.equal(findings.length, 0)
    assert.ok(notes.some((n) => /200\.0 ms mean, 500 buffers per call/.test(n)))
  })
})

describe('a cache finding needs a cause', () => {
  const redis = (evicted: number): RedisData =>
    ({
      hitsCount: 300,
      missesCount: 700,
      hitRate: 0.3,
      evictedKeysCount: evicted,
      expiredKeysCount: 0,
      memory: { usedBytes: 1e6, peakBytes: 1e6, maxmemoryBytes: 2e6, policy: 'allkeys-lru' },
      sample: { keysCount: 0, complete: true, prefixes: [] },
    }) as unknown as RedisData

  it('notes a low hit rate without evictions instead of making it a finding', () => {
    const findings: Finding[] = []
    const notes: string[] = []
    cacheAnalysis(redis(0), 0.8, findings, notes)
    assert.equal(findings.length, 0)
    assert.match(notes[0]!, /hit rate 30\.0% is below the 80% target .* no finding: no evictions/)
  })

  it('makes evictions a finding', () => {
    const findings: Finding[] = []
    cacheAnalysis(redis(50), 0.8, findings, [])
    assert.match(findings[0]!.title, /50 keys evicted/)
  })
})

/** A record with the given endpoints' [count, mean ms]. */
function record(endpoints: Record<string, [number, number]>): RunRecord {
  const eps = Object.entries(endpoints).map(([name, [count, meanMs]]) => ({
    name,
    count,
    duration: { meanMs },
  }))
  const overall = eps.reduce(
    (o, e) => ({ count: o.count + e.count, duration: { meanMs: e.duration.meanMs } }),
    {
      count: 0,
      duration: { meanMs: 0 },
    },
  )
  return { load: { endpoints: eps, overall, durationS: 60 } } as unknown as RunRecord
}
