// A package-level mutex held across I/O: found in the Go source, made a finding only when the
// profiles saw it run on a request, with the measured wait stated.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { globalLockFindings } from '../../src/analyze/findings/locks-static.ts'
import { globalLocksAroundIo } from '../../src/analyze/source-locks.ts'
import { createSourceIndex, type SourceFile } from '../../src/analyze/source.ts'
import type { Profile } from '../../src/pprof/model.ts'
import type { Finding } from '../../src/record/findings.ts'
import type { RunRecord } from '../../src/record/index.ts'

const APP = 'example.com/shop/api'

const SHOP: SourceFile = {
  path: 'api/orders.go',
  text: `package api

import (
	"context"
	"sync"
)

var (
	orderMu  sync.Mutex
	statsMu  sync.Mutex
	wg       sync.WaitGroup
)

var cacheMu sync.RWMutex

func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request) {
	s.placeOrderLocked(r.Context(), 1)
}

func (s *Server) placeOrderLocked(ctx context.Context, id int64) error {
	orderMu.Lock()
	defer orderMu.Unlock()
	// the whole transaction under one lock
	return s.placeOrder(ctx, id)
}

func countOrder() {
	statsMu.Lock()
	stats.orders++
	statsMu.Unlock()
}

func (s *Server) readCache(ctx context.Context, key string) string {
	cacheMu.Lock()
	v := cache[key]
	cacheMu.Unlock()
	s.db.QueryRow(ctx, "SELECT 1")
	return v
}

func (s *Server) waitAll(ctx context.Context) {
	wg.Wait()
	s.db.Exec(ctx, "SELECT 1")
}

func (s *Server) local(ctx context.Context) {
	var mu sync.Mutex
	mu.Lock()
	s.db.Exec(ctx, "SELECT 1")
	mu.Unlock()
}
`,
}

describe('the source scan finds package-level mutexes held across I/O', () => {
  it('finds the lock held across a context-taking call, and nothing else', () => {
    const sites = globalLocksAroundIo([SHOP, { path: 'api/orders_test.go', text: SHOP.text }])
    assert.deepEqual(sites, [
      {
        mutex: 'orderMu',
        type: 'sync.Mutex',
        declaredAt: 'api/orders.go:9',
        function: 'placeOrderLocked',
        receiver: 'Server',
        lockAt: 'api/orders.go:21',
        ioAt: 'api/orders.go:24',
        ioCall: 'return s.placeOrder(ctx, id)',
      },
    ])
  })

  it('finds a lock released explicitly after a database call', () => {
    const text = `package store\n\nvar mu sync.Mutex\n\nfunc save(ctx context.Context) {\n\tmu.Lock()\n\tdb.Exec(ctx, "UPDATE t SET x = 1")\n\tmu.Unlock()\n}\n`
    const sites = globalLocksAroundIo([{ path: 'store/s.go', text }])
    assert.deepEqual(
      sites.map((s) => [s.function, s.ioAt]),
      [['save', 'store/s.go:7']],
    )
  })
})

/** A profile of one value type from stacks written root first. */
function profile(types: { type: string; unit: string }[], samples: [string[], number[]][]): Profile {
  let id = 0
  return {
    sampleTypes: types,
    defaultSampleType: '',
    samples: samples.map(([rootFirst, values]) => ({
      locations: [...rootFirst].reverse().map((fn) => ({
        id: ++id,
        address: 0,
        mappingFile: '',
        lines: [{ function: fn, systemName: fn, filename: 'x.go', startLine: 1, line: 1 }],
      })),
      values,
      labels: {},
    })),
    mappings: [],
    timeNanos: 0,
    durationNanos: 60e9,
    period: 0,
    comments: [],
    docUrl: '',
    dropFrames: '',
    keepFrames: '',
  }
}

const BLOCK_TYPES = [
  { type: 'contentions', unit: 'count' },
  { type: 'delay', unit: 'nanoseconds' },
]
const REQUEST = [
  'net/http.(*conn).serve',
  `${APP}.(*Server).handleOrder`,
  `${APP}.(*Server).placeOrderLocked`,
]
const RECORD = {
  load: {
    endpoints: [{ name: 'order', count: 100, duration: { meanMs: 20 } }],
    overall: { name: 'all', count: 100, duration: { meanMs: 20 } },
    durationS: 60,
  },
} as unknown as RunRecord

function run(block: Profile | undefined, findings: Finding[] = []) {
  const notes: string[] = []
  const source = createSourceIndex([SHOP])
  globalLockFindings(RECORD, block ? { block } : {}, ['order'], source, findings, notes)
  return { findings, notes }
}

describe('a global lock held across I/O is a finding only when it ran on a request', () => {
  it('reports it as static evidence with the wait the block profile measured', () => {
    // 4 ms waiting in 2 contentions against 100 × 20 ms = 2 s of order's request time: 0.2 %.
    const block = profile(BLOCK_TYPES, [
      [
        [...REQUEST, 'sync.(*Mutex).Lock'],
        [2, 4e6],
      ],
    ])
    const { findings } = run(block)
    assert.equal(findings.length, 1)
    const f = findings[0]!
    assert.equal(f.kind, 'contention')
    assert.equal(f.location, 'api/orders.go:20')
    assert.equal(f.endpoint, 'order')
    assert.match(
      f.title,
      /orderMu in placeOrderLocked \(static evidence; 0\.20% of order's request time measured\)/,
    )
    assert.match(
      f.detail,
      /^Static evidence from the source: `orderMu` \(api\/orders\.go:9\) is a package-level sync\.Mutex/,
    )
    assert.match(f.detail, /measured 4(\.00)?ms waiting in 2 contentions .* 0\.20% of order's request time/)
    assert.equal(f.tier, 4)
    assert.equal(f.evidence?.basis, 'static')
  })

  it('says in the notes, and makes no finding, when no profile saw the function run', () => {
    // Only an idle pool wait and a WaitGroup: nothing of placeOrderLocked.
    const block = profile(BLOCK_TYPES, [
      [
        ['github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck', 'runtime.selectgo'],
        [50, 9e9],
      ],
      [
        ['net/http.(*conn).serve', `${APP}.(*Server).waitAll`, 'sync.(*WaitGroup).Wait'],
        [5, 1e9],
      ],
    ])
    const { findings, notes } = run(block)
    assert.equal(findings.length, 0)
    assert.match(notes[0]!, /no profile saw placeOrderLocked run on a request during the load, so no finding/)
  })

  it('adds the static evidence to a measured contention finding instead of a second finding', () => {
    const measured = {
      kind: 'contention',
      title: 'Lock contention in placeOrderLocked',
      detail: 'block profile: 30% of order.',
      evidence: { function: `${APP}.(*Server).placeOrderLocked` },
    } as unknown as Finding
    const block = profile(BLOCK_TYPES, [
      [
        [...REQUEST, 'sync.(*Mutex).Lock'],
        [200, 6e8],
      ],
    ])
    const { findings } = run(block, [measured])
    assert.equal(findings.length, 1)
    assert.match(findings[0]!.detail, /30% of order\. The source agrees: `orderMu`/)
  })
})
