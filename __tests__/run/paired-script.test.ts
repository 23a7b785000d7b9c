import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generatePairedScript, SIDE_SCENARIOS } from '../../src/run/paired-script.ts'
import { DEFAULT_ENDPOINTS, defaultScenario } from '../../src/plan/defaults.ts'

const input = {
  targetUrl: 'http://127.0.0.1:1',
  baselineUrl: 'http://127.0.0.1:2',
  scenario: defaultScenario(10, 40, 0.1),
  endpoints: DEFAULT_ENDPOINTS,
}

function optionsOf(script: string): { scenarios: Record<string, Record<string, unknown>> } {
  return JSON.parse(/export const options = (\{[\s\S]*?\n\})\n/.exec(script)![1]!)
}

test('the simultaneous paired script runs the scenario twice, each pool tagged with its side and pointed at its URL', () => {
  const script = generatePairedScript({ ...input, design: 'simultaneous' })
  const { scenarios } = optionsOf(script)
  assert.deepEqual(Object.keys(scenarios), [SIDE_SCENARIOS.base, SIDE_SCENARIOS.pr])
  assert.deepEqual(scenarios[SIDE_SCENARIOS.base]!.tags, { side: 'base' })
  assert.deepEqual(scenarios[SIDE_SCENARIOS.base]!.env, { PERFGATE_SIDE_URL: 'http://127.0.0.1:2' })
  assert.deepEqual(scenarios[SIDE_SCENARIOS.pr]!.env, { PERFGATE_SIDE_URL: 'http://127.0.0.1:1' })
  assert.doesNotMatch(script, /\bBASE \+ /)
  assert.match(script, /sideBase\(\) \+ path/)
})

test('the alternating paired script lays out A B B A slices back to back with startTime offsets', () => {
  const { scenarios } = optionsOf(generatePairedScript({ ...input, design: 'alternating', sliceS: 5 }))
  const order = Object.values(scenarios).map((s) => (s.tags as { side: string }).side)
  assert.deepEqual(order, ['base', 'pr', 'pr', 'base', 'base', 'pr', 'pr', 'base'])
  assert.deepEqual(
    Object.values(scenarios).map((s) => s.startTime),
    ['0s', '5s', '10s', '15s', '20s', '25s', '30s', '35s'],
  )
})

test('the paired script keeps k6 summary thresholds for the load alone, per side (no scenario:perfgate, which the renamed scenarios lack)', () => {
  const script = generatePairedScript({ ...input, design: 'simultaneous' })
  const { thresholds } = JSON.parse(/export const options = (\{[\s\S]*?\n\})\n/.exec(script)![1]!) as {
    thresholds: Record<string, string[]>
  }
  const keys = Object.keys(thresholds)
  assert.ok(!keys.some((k) => k.includes('scenario:')), keys.join(', '))
  for (const side of ['base', 'pr'])
    for (const metric of ['http_reqs', 'http_req_duration'])
      assert.ok(keys.includes(`${metric}{side:${side}}`), `${metric}{side:${side}} in ${keys.join(', ')}`)
  assert.ok(keys.includes('http_req_duration{endpoint:clip_detail}'))
})
