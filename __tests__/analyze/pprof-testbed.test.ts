// Real server profiles: cpu, heap, goroutine and mutex from the testbed (Go Clipper API) under a
// short, bounded loopback load, compared with `go tool pprof -top`. Runs against the tests'
// shared stack (`ensureStack()`, free ports; never a developer's stack on the default ports);
// skipped when Go is not installed.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { formatTopText, goroutineLeak, topTable } from '../../src/analyze/pprof/index.ts'
import { decodeProfile } from '../../src/pprof/decode.ts'
import type { Profile } from '../../src/pprof/model.ts'
import { ensureStack, stackAvailable } from '../helpers/stack.ts'
import { findGo, goPprofTop } from './pprof-helpers.ts'

let target = ''
let pprofUrl = ''
let adminToken = ''
let userToken = ''

const go = findGo()

async function fetchProfile(name: string, query = ''): Promise<Uint8Array> {
  const res = await fetch(`${pprofUrl}/${name}${query}`, {
    headers: { Authorization: `Bearer ${adminToken}` },
    signal: AbortSignal.timeout(30_000),
  })
  assert.equal(res.status, 200, `${name}: HTTP ${res.status}`)
  return new Uint8Array(await res.arrayBuffer())
}

/** Bounded load: `workers` loops for `ms` milliseconds over clip detail and vote; returns requests sent. */
async function load(ms: number, workers: number): Promise<number> {
  const end = Date.now() + ms
  let sent = 0
  const worker = async (w: number) => {
    for (let i = 0; Date.now() < end; i++) {
      const id = 1 + ((w * 7919 + i * 104729) % 2000)
      const vote = i % 3 === 0
      const res = await fetch(`${target}/api/v1/clips/${id}${vote ? '/vote' : ''}`, {
        method: vote ? 'POST' : 'GET',
        headers: vote ? { Authorization: `Bearer ${userToken}`, 'Content-Type': 'application/json' } : {},
        body: vote ? JSON.stringify({ vote: 1 }) : undefined,
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined)
      await res?.arrayBuffer().catch(() => undefined)
      sent++
    }
  }
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)))
  return sent
}

function decode(bytes: Uint8Array): Profile {
  const d = decodeProfile(bytes)
  if (!d.ok) throw new Error(d.reason)
  return d.value
}

describe(
  'pprof tables match go tool pprof on the testbed profiles',
  { skip: (!go && 'Go not available') || (!stackAvailable() && 'scripts/stack.mjs is missing') },
  () => {
    let dir = ''
    const files: Record<string, string> = {}
    let requests = 0
    const goroutines: Profile[] = []

    before(async () => {
      const stack = await ensureStack()
      target = stack.TARGET_URL!
      pprofUrl = stack.PPROF_URL!
      adminToken = stack.ADMIN_TOKEN!
      userToken = stack.USER_TOKEN!
      dir = mkdtempSync(path.join(tmpdir(), 'perfgate-testbed-pprof-'))
      goroutines.push(decode(await fetchProfile('goroutine')))
      const [cpu, sent] = await Promise.all([fetchProfile('profile', '?seconds=3'), load(3000, 16)])
      requests = sent
      goroutines.push(decode(await fetchProfile('goroutine')))
      const profiles: Record<string, Uint8Array> = {
        cpu,
        heap: await fetchProfile('heap', '?gc=1'),
        goroutine: await fetchProfile('goroutine'),
        mutex: await fetchProfile('mutex'),
      }
      for (const [name, bytes] of Object.entries(profiles)) {
        files[name] = path.join(dir, `${name}.pb.gz`)
        writeFileSync(files[name], bytes)
      }
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    for (const name of ['cpu', 'heap', 'goroutine', 'mutex']) {
      it(`prints the same top 20 as go tool pprof for the ${name} profile`, async () => {
        const { readFileSync } = await import('node:fs')
        const table = topTable(decode(readFileSync(files[name]!)), { nodeCount: 20 })
        assert.ok(table.ok, table.ok ? '' : table.reason)
        assert.equal(formatTopText(table.value), goPprofTop(go!, files[name]!, ['-nodecount=20']))
      })
    }

    it('sees the goroutines that clip detail requests leave behind', () => {
      assert.ok(requests > 0)
      const after = goroutines[1]!
      const leak = goroutineLeak(goroutines[0]!, after, after, requests)
      assert.ok(leak.growth > 0, leak.reason)
      if (leak.suspected) assert.match(leak.topStacks[0]?.stack.join(' ') ?? '', /viewCounterWorker/)
    })
  },
)
