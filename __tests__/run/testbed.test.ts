// Integration: real k6, the shortened default scenario, the Go testbed (the tests' shared stack).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLoad } from '../../src/run/index.ts'
import { DEFAULT_ENDPOINTS, defaultScenario } from '../../src/plan/defaults.ts'
import { k6ForTests } from './support/k6.ts'
import { testPlan } from './support/plan.ts'
import { ensureStack } from '../helpers/stack.ts'

test('the shortened default scenario against the testbed has results for every endpoint, no errors, and k6’s numbers', async () => {
  const stack = await ensureStack()
  const plan = testPlan(stack.TARGET_URL!, { scenario: defaultScenario(8, 10, 0.02) })
  const outDir = await mkdtemp(join(tmpdir(), 'perfgate-testbed-'))
  const env = { ...process.env, PERFGATE_K6: k6ForTests(), PERFGATE_TOKEN: stack.USER_TOKEN! }
  const { load } = await runLoad(plan, outDir, { env })

  assert.deepEqual(
    load.endpoints.map((e) => e.name),
    DEFAULT_ENDPOINTS.map((e) => e.name),
  )
  for (const e of load.endpoints) {
    assert.ok(e.count > 0, `${e.name} has requests`)
    assert.equal(e.errors, 0, `${e.name} has no errors (statuses ${JSON.stringify(e.statuses)})`)
  }
  const summary = JSON.parse(await readFile(join(outDir, 'k6-summary.json'), 'utf8')).metrics
  assert.equal(load.overall.count, summary['http_reqs{scenario:perfgate}'].count)
  for (const e of [load.overall, ...load.endpoints]) {
    const trend =
      summary[
        e.name === 'overall'
          ? 'http_req_duration{scenario:perfgate}'
          : `http_req_duration{endpoint:${e.name}}`
      ]
    for (const [ours, theirs] of [
      [e.duration.p50Ms, trend.med],
      [e.duration.p95Ms, trend['p(95)']],
      [e.duration.p99Ms, trend['p(99)']],
      [e.duration.maxMs, trend.max],
    ] as const) {
      assert.ok(
        Math.abs(ours - theirs) <= Math.max(0.001 * theirs, 0.002),
        `${e.name}: ${ours} vs k6 ${theirs}`,
      )
    }
  }
})
