// Run-wide drift: a runner that is slower for every endpoint alike is not a regression of any one
// endpoint; a change to one endpoint is still found; a change to most endpoints is not mistaken for
// drift; and a drift beyond the base branch's run-to-run spread still fails the gate.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compare, gateVerdict } from '../../src/compare/index.ts'
import { runDrift } from '../../src/compare/drift.ts'
import type { EndpointGen } from './helpers.ts'
import { policy, syntheticRecord } from './helpers.ts'

const SIX: EndpointGen[] = [
  { name: 'feed', medianMs: 30 },
  { name: 'clip', medianMs: 12 },
  { name: 'related', medianMs: 20 },
  { name: 'search', medianMs: 60, sigma: 0.6 },
  { name: 'vote', medianMs: 8, sigma: 0.4 },
  { name: 'tags', medianMs: 25 },
]
const scaled = (factor: number, only?: string[]) =>
  SIX.map((e) => (only === undefined || only.includes(e.name) ? { ...e, scale: factor } : e))
const run = (seed: number, endpoints = SIX) => syntheticRecord({ seed, endpoints })
const load = (seed: number, endpoints = SIX) => {
  const l = run(seed, endpoints).load
  assert.ok('endpoints' in l)
  return l
}

describe('runDrift', () => {
  it('is the common factor when every endpoint moved alike', () => {
    const drift = runDrift(load(1), load(2, scaled(1.3)))
    assert.ok(drift && drift.applied, JSON.stringify(drift))
    assert.ok(Math.abs(drift.factor - 1.3) < 0.05, `${drift.factor}`)
    assert.equal(drift.endpoints, 6)
  })

  it('stays near 1 when one endpoint moved', () => {
    const drift = runDrift(load(1), load(2, scaled(1.5, ['clip'])))
    assert.ok(drift && drift.applied && Math.abs(drift.factor - 1) < 0.05, JSON.stringify(drift))
  })

  it('is not applied when the endpoints moved differently (most of them regressed, the rest did not)', () => {
    const drift = runDrift(load(1), load(2, scaled(1.4, ['feed', 'clip', 'related', 'search'])))
    assert.ok(drift && !drift.applied, JSON.stringify(drift))
  })

  it('needs four endpoints with enough requests', () => {
    assert.equal(runDrift(load(1, SIX.slice(0, 3)), load(2, SIX.slice(0, 3))), undefined)
  })
})

describe('compare with run-wide drift', () => {
  it('every endpoint 30 % slower: no endpoint regresses, the drift row is inconclusive without history', () => {
    const c = compare(run(1), run(2, scaled(1.3)), policy())
    const regressions = c.rows.filter((r) => r.verdict === 'regression').map((r) => r.message)
    assert.deepEqual(regressions, [])
    const row = c.rows.find((r) => r.id === 'overall.latencyDrift')
    assert.equal(row?.verdict, 'inconclusive', row?.message)
    assert.match(row.message, /^overall run-wide latency ×1\.00 → ×1\.[23]\d \(\+\d+%\): inconclusive/)
    const search = c.rows.find((r) => r.id === 'search.p95Ms')
    assert.equal(search?.verdict, 'unchanged', search?.message)
    assert.match(search.evidence.note, /after removing the run-wide drift ×1\.\d\d/)
    assert.ok(
      c.notes.some((n) => /^run-wide drift ×1\.\d\d: 6 of 6 endpoints/.test(n)),
      c.notes.join('\n'),
    )
    assert.equal(gateVerdict([], c, policy(), { baselineFound: true }).failed, false)
  })

  it('with three steady base-branch runs, every endpoint 30 % slower fails the gate through the drift row', () => {
    const history = [3, 4, 5].map((seed) => run(seed))
    const c = compare(history[0], run(9, scaled(1.3)), policy(), history.slice(1))
    const row = c.rows.find((r) => r.id === 'overall.latencyDrift')
    assert.equal(row?.verdict, 'regression', row?.message)
    const gate = gateVerdict([], c, policy(), { baselineFound: true })
    assert.equal(gate.failed, true)
    assert.ok(
      gate.regressions.some((r) => r.startsWith('overall run-wide latency +')),
      gate.regressions.join('; '),
    )
  })

  it('one endpoint 30 % slower on a runner 20 % slower: that endpoint regresses, the others do not', () => {
    const endpoints = scaled(1.2).map((e) => (e.name === 'clip' ? { ...e, scale: 1.2 * 1.3 } : e))
    const c = compare(run(1), run(2, endpoints), policy())
    const regressed = new Set(
      c.rows.filter((r) => r.verdict === 'regression' && r.scope === 'endpoint').map((r) => r.endpoint),
    )
    assert.deepEqual([...regressed], ['clip'])
  })

  it('most endpoints 40 % slower is not taken for drift: each of them regresses', () => {
    const c = compare(run(1), run(2, scaled(1.4, ['feed', 'clip', 'related', 'search'])), policy())
    const regressed = new Set(
      c.rows.filter((r) => r.verdict === 'regression' && r.metric === 'p95Ms').map((r) => r.endpoint),
    )
    for (const name of ['feed', 'clip', 'related', 'search']) assert.ok(regressed.has(name), name)
    assert.equal(
      c.rows.some((r) => r.metric === 'latencyDrift'),
      false,
    )
  })
})
