// Integration: failing requests explained, with real k6 against the Go testbed (issue 16). An
// endpoint configured without its required `q` parameter answers 400 to every request and one
// that votes without a token answers 401: the generated script logs their first answers, the
// record keeps them, the endpoints' Status rows and the gate fail, and the report shows what the
// target said and names the 401 storm. A user's script cannot log its answers: its failing
// endpoint is re-requested once after the load. Loopback only; 5 s + 4 s of load.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runPipeline, writeReportFiles } from '../../src/pipeline.ts'
import { isUnavailable } from '../../src/record/common.ts'
import { SAMPLE_MARKER } from '../../src/run/response-samples.ts'
import { ensureStack } from '../helpers/stack.ts'
import { testbedPlan } from '../helpers/testbed-plan.ts'

let workDir: string
let stack: Record<string, string>

// `bad_search` lacks the testbed's required `q`; `anon_vote` posts without the bearer token.
const CONFIG = `scenario:
  user-types:
    - name: mixed
      weight: 100
      steps:
        - endpoint: feed
          think: 0.2
        - endpoint: bad_search
          think: 0.2
        - endpoint: anon_vote
          think: 0.2
endpoints:
  - name: feed
    route: /api/v1/clips
    query: { sort: hot, limit: '25' }
  - name: bad_search
    route: /api/v1/search
    query: { limit: '25' }
  - name: anon_vote
    method: POST
    route: /api/v1/clips/:id/vote
    body: { vote: 1 }
collectors:
  cool-down: 0s
`

const SCRIPT = `import http from 'k6/http'
import { sleep } from 'k6'
export const options = { vus: 2, duration: '4s' }
export default function () {
  http.get(\`\${__ENV.PERFGATE_TARGET_URL}/api/v1/clips?sort=hot&limit=25\`)
  http.get(\`\${__ENV.PERFGATE_TARGET_URL}/api/v1/search?limit=25\`)
  sleep(0.3)
}
`

const planFor = (label: string, inputs: Record<string, string>) =>
  testbedPlan(workDir, label, CONFIG, { 'target-url': stack.TARGET_URL!, ...inputs })

before(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-failure-samples-'))
  // The shared stack at its defaults: these runs change nothing in the app (a 400 and a 401 write nothing).
  stack = await ensureStack()
})
after(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true })
})

test('an endpoint answering 100 % 400 fails its Status row and the gate, and the report shows what the target answered', async () => {
  const plan = await planFor('generated', { vus: '3', duration: '5s' })
  const lines: string[] = []
  const outcome = await runPipeline(plan, { env: process.env, log: (line) => lines.push(line) })
  const load = outcome.record.load
  assert.ok(!isUnavailable(load), 'the load ran')
  const bad = load.endpoints.find((e) => e.name === 'bad_search')!
  assert.ok(bad.count > 0 && bad.errors === bad.count, `bad_search: ${bad.errors} of ${bad.count} failed`)
  assert.deepEqual(Object.keys(bad.statuses), ['400'])

  // The record keeps the distinct answers (the testbed's are all alike) and none of the marker lines reach the log.
  const samples = load.responseSamples ?? []
  const badSamples = samples.filter((s) => s.endpoint === 'bad_search')
  assert.equal(badSamples.length, 1, JSON.stringify(samples))
  assert.equal(badSamples[0]!.status, 400)
  assert.equal(badSamples[0]!.source, 'load')
  assert.equal(badSamples[0]!.headers['content-type'], 'application/json')
  assert.match(badSamples[0]!.body, /"error":"query parameter q is required/)
  assert.ok(samples.some((s) => s.endpoint === 'anon_vote' && s.status === 401))
  assert.ok(!samples.some((s) => s.endpoint === 'feed'), 'no sample of an endpoint that did not fail')
  assert.ok(!lines.some((l) => l.includes(SAMPLE_MARKER)))

  assert.equal(outcome.gate.failed, true)
  assert.ok(
    outcome.gate.reasons.some((r) => /bad_search error rate 100\.0%/.test(r)),
    outcome.gate.reasons.join('; '),
  )
  const { paths } = await writeReportFiles(outcome, plan, {})
  const report = await readFile(paths.markdown, 'utf8')
  assert.match(report, /^\| `bad_search` +\|.*\| ❌ fail +\|$/m)
  assert.match(report, /^\| `feed` +\|.*\| ✅ pass +\|$/m)
  assert.match(report, /^- `bad_search` answered 400 to \d+ requests \(100 % of its requests\)$/m)
  assert.match(
    report,
    /^ {2}- 400 · content-type: application\/json · body “\{"code":"invalid\\_query","error":"query parameter q is required \(1-200 characters\)","status":400\}”$/m,
  )
  assert.match(
    report,
    /Authentication refused the load generator: 100 % of `anon_vote`'s requests answered 401 \(named so at ≥ 10 % of an endpoint's requests\)/,
  )
  const html = await readFile(paths.html, 'utf8')
  assert.match(html, /query parameter q is required/)
})

test('a user script’s failing endpoint is re-requested once after the load and shown as such', async () => {
  const script = path.join(workDir, 'search.js')
  await writeFile(script, SCRIPT)
  const plan = await planFor('script', { script })
  const outcome = await runPipeline(plan, { env: process.env, log: () => {} })
  const load = outcome.record.load
  assert.ok(!isUnavailable(load), 'the load ran')
  assert.ok(load.durationS < 8, `ran ${load.durationS} s`)
  assert.equal(load.endpoints.find((e) => e.name === 'bad_search')?.errorRate, 1)
  assert.deepEqual(
    (load.responseSamples ?? []).map((s) => [s.endpoint, s.status, s.source]),
    [['bad_search', 400, 'after-load']],
  )
  assert.equal(outcome.gate.failed, true)
  const { paths } = await writeReportFiles(outcome, plan, {})
  const report = await readFile(paths.markdown, 'utf8')
  assert.match(report, /^\| `bad_search` +\|.*\| ❌ fail +\|$/m)
  assert.match(
    report,
    /^ {2}- re-requested after the load: 400 · content-type: application\/json · body “\{"code":"invalid\\_query"/m,
  )
  assert.match(report, /it requested each failing endpoint once after the load/)
})
