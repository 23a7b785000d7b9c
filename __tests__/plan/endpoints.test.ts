// perfgate.yml endpoints without ceremony (issue 16): a user's endpoints are exactly what they
// wrote, a script needs no user types, and step or duplicate errors name the lines they are on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadPlan } from '../../src/plan/load.ts'
import { ConfigError } from '../../src/plan/errors.ts'

async function planOf(yaml: string, inputs: Record<string, string> = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-endpoints-'))
  await writeFile(path.join(dir, 'perfgate.yml'), yaml)
  return loadPlan({ 'target-url': 'http://127.0.0.1:18080', ...inputs }, { cwd: dir, env: {} })
}

async function refusal(yaml: string, inputs: Record<string, string> = {}): Promise<string> {
  try {
    await planOf(yaml, inputs)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    assert.ok(!error.message.includes('\n'), 'the error is one line')
    return error.message
  }
  assert.fail('expected the plan to be refused')
}

const OWN_ENDPOINTS = `endpoints:
  - { name: feed, route: /shop/items }
  - { name: vote, method: POST, route: /shop/items/:id/like }
`

test('with a script, endpoints need no user types and take nothing from the default endpoints', async () => {
  const plan = await planOf(OWN_ENDPOINTS, { script: 'load/shop.js' })
  assert.deepEqual(plan.endpoints, [
    { name: 'feed', method: 'GET', route: '/shop/items' },
    { name: 'vote', method: 'POST', route: '/shop/items/:id/like' },
  ])
  assert.deepEqual(plan.scenario.userTypes, [], 'the default user types describe nothing the script runs')
  assert.deepEqual(plan.slos.endpoints, [], "Clipper's p95 targets are not put on the user's own endpoints")
  assert.equal(plan.slos.errorRate?.value, 0.01, 'the overall defaults still apply')
})

test('a script without endpoints keeps the default endpoints for grouping, without the default user types', async () => {
  const plan = await planOf('collectors:\n  cool-down: 0s\n', { script: 'load/shop.js' })
  assert.ok(plan.endpoints.some((e) => e.name === 'feed'))
  assert.deepEqual(plan.scenario.userTypes, [])
})

test('without a script, endpoints without user types are refused at the endpoints line', async () => {
  const message = await refusal(`collectors:\n  cool-down: 0s\n${OWN_ENDPOINTS}`)
  assert.equal(
    message,
    'perfgate.yml:4: endpoints are declared without scenario.user-types: the generated scenario needs user types whose steps name your endpoints (feed, vote); add scenario.user-types, or give your own k6 script (script)',
  )
})

test('an unknown endpoint in a nested step names the line of that step', async () => {
  const message = await refusal(
    `${OWN_ENDPOINTS}scenario:
  user-types:
    - name: shopper
      weight: 100
      steps:
        - { endpoint: feed, think: 1 }
        - steps:
            - { endpoint: feed, think: 1 }
            - { endpoint: like, think: 1 }
`,
    { script: 'load/shop.js' },
  )
  assert.equal(
    message,
    'perfgate.yml:12: scenario step endpoint "like" is not a configured endpoint; known endpoints: feed, vote',
  )
})

test('a duplicate endpoint name is refused naming both lines', async () => {
  const message = await refusal(
    `endpoints:
  - name: feed
    route: /shop/items
  - { name: vote, method: POST, route: /shop/items/:id/like }
  - name: feed
    route: /shop/items/new
`,
    { script: 'load/shop.js' },
  )
  assert.equal(
    message,
    'perfgate.yml:5: endpoints[2].name "feed" is declared twice (lines 2 and 5): endpoint names must be unique; rename or remove one',
  )
})
