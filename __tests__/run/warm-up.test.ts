import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLoad, runWarmUp } from '../../src/run/index.ts'
import { startClipperStub, type ClipperStub } from './support/clipper-stub.ts'
import { k6ForTests } from './support/k6.ts'
import { testPlan } from './support/plan.ts'

let stub: ClipperStub
let dir: string
let env: NodeJS.ProcessEnv

before(async () => {
  stub = await startClipperStub()
  dir = await mkdtemp(join(tmpdir(), 'perfgate-warm-up-'))
  env = { ...process.env, PERFGATE_K6: k6ForTests(), PERFGATE_TOKEN: 'user-1-token' }
})
after(() => stub.close())

const served = () => [...stub.requests.values()].reduce((sum, n) => sum + n, 0)

test('the warm-up runs apart: its requests are counted on their own and none is in the measured load', async () => {
  const plan = testPlan(stub.url, { warmUpS: 3 })
  const lines: string[] = []
  const before = served()
  const warmUp = await runWarmUp(plan, dir, { env, log: (line) => lines.push(line) })
  const duringWarmUp = served() - before
  assert.ok(warmUp && warmUp.requestsCount > 0 && !warmUp.note, JSON.stringify(warmUp))
  assert.equal(warmUp.requestsCount, duringWarmUp, 'k6 counted what the target served during the warm-up')
  assert.equal(warmUp.durationS, 3)
  assert.match(lines[0]!, /^warm-up: 3 s ramping to \d+ VUs \(not part of the results\)$/)
  const summary = await readFile(join(dir, 'k6-warm-up-summary.json'), 'utf8')
  assert.ok(!summary.includes('setup_data'), 'setup() data (tokens) dropped from the warm-up summary')

  const afterWarmUp = served()
  const { load } = await runLoad(plan, dir, { env })
  assert.ok(load.overall.count <= served() - afterWarmUp, 'the measured load holds only its own requests')
  assert.equal(load.warmUp, undefined, 'runLoad never mixes the warm-up in')
})

test('without warm-up nothing runs before the load', async () => {
  const before = served()
  assert.equal(await runWarmUp(testPlan(stub.url), dir, { env }), undefined)
  assert.equal(served(), before)
})
