import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createServer, type AddressInfo } from 'node:net'
import { checkTarget, runLoad } from '../../src/run/index.ts'
import { startClipperStub, type ClipperStub } from './support/clipper-stub.ts'
import { k6ForTests } from './support/k6.ts'
import { testPlan } from './support/plan.ts'

/** A loopback port nothing listens on (just released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}

const fixture = (name: string) => resolve('__tests__/fixtures/k6', name)
let stub: ClipperStub
let dir: string
let env: NodeJS.ProcessEnv

before(async () => {
  stub = await startClipperStub()
  dir = await mkdtemp(join(tmpdir(), 'perfgate-user-script-'))
  env = { ...process.env, PERFGATE_K6: k6ForTests() }
})
after(() => stub.close())

test('a user script without endpoint tags is grouped by the config’s route patterns', async () => {
  const plan = testPlan(stub.url, { script: fixture('mixed_behavior.js') })
  const outDir = join(dir, 'mixed')
  const { load } = await runLoad(plan, outDir, { env })
  const names = load.endpoints.map((e) => e.name)
  assert.deepEqual(names, [
    'feed',
    'clip_detail',
    'related_clips',
    'search',
    'comments_list',
    'vote',
    'GET /api/v1/unknown/:id/thing/:id',
  ])
  const feed = load.endpoints.find((e) => e.name === 'feed')!
  assert.equal(feed.route, '/api/v1/clips')
  assert.equal(feed.statuses['200'], feed.count)
  const unknown = load.endpoints.find((e) => e.name === 'GET /api/v1/unknown/:id/thing/:id')!
  assert.ok((unknown.statuses['404'] ?? 0) > 0, 'unmatched URLs are normalised, ids collapsed')
  // The script's own options stand: 3 VUs, and its setup() request is not part of the load.
  assert.equal(load.vusMax, 3)
  assert.equal(load.source?.kind, 'script')
  assert.deepEqual(load.files, ['mixed_behavior.js', 'k6.ndjson.gz', 'k6-summary.txt', 'k6-summary.json'])
  assert.equal(load.k6ExitCode, 0)
})

test('checks k6 gave no endpoint tag are counted overall and not measured per endpoint, never zero', async () => {
  const plan = testPlan(stub.url, { script: fixture('mixed_behavior.js') })
  const { load } = await runLoad(plan, join(dir, 'untagged-checks'), { env })
  const feed = load.endpoints.find((e) => e.name === 'feed')!
  // The script checks every feed answer, but k6 puts no request tag on a check's sample.
  assert.ok((load.overall.checks?.passes ?? 0) >= feed.count, JSON.stringify(load.overall.checks))
  for (const e of load.endpoints)
    assert.equal(e.checks, undefined, `${e.name}: no fake {passes: 0, fails: 0}`)
})

test('checks tagged with an endpoint or its name count for that endpoint; a bare one only overall', async () => {
  const plan = testPlan(stub.url, { script: fixture('tagged_checks.js') })
  const { load } = await runLoad(plan, join(dir, 'tagged-checks'), { env })
  const of = (name: string) => load.endpoints.find((e) => e.name === name)!
  assert.ok(of('feed').count > 0)
  assert.deepEqual(of('feed').checks, { passes: of('feed').count, fails: 0 })
  assert.deepEqual(of('clip_detail').checks, { passes: of('clip_detail').count, fails: 0 })
  assert.equal(of('search').checks, undefined)
  assert.equal(load.overall.checks?.passes, of('feed').count + of('clip_detail').count + of('search').count)
})

test('k6 exit 99 (the script’s thresholds crossed) is recorded as a result', async () => {
  const plan = testPlan(stub.url, { script: fixture('thresholds_crossed.js') })
  const { load } = await runLoad(plan, join(dir, 'crossed'), { env })
  assert.equal(load.k6ExitCode, 99)
  assert.equal(load.thresholdsCrossed, true)
  assert.equal(load.partial, undefined)
  assert.ok(load.overall.count > 0)
  assert.match(load.k6Summary, /max<0/)
})

test('a run stopped part-way is aggregated as far as it went and marked partial', async () => {
  const plan = testPlan(stub.url, { script: fixture('busy.js') })
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 3000)
  const { load } = await runLoad(plan, join(dir, 'stopped'), { env, signal: controller.signal })
  assert.match(load.partial ?? '', /^the run was stopped after \d+ s$/)
  assert.ok(load.overall.count > 0)
})

test('k6 killed mid-run leaves a partial record of what it wrote', async () => {
  // The real k6, killed with SIGKILL after 4 s by a wrapper (as an OOM killer would).
  const wrapper = join(dir, 'k6-killed-after-4s.sh')
  await writeFile(
    wrapper,
    `#!/bin/sh\nif [ "$1" = version ]; then exec "${k6ForTests()}" version; fi\n"${k6ForTests()}" "$@" &\npid=$!\nsleep 4\nkill -9 $pid\nwait $pid\n`,
  )
  await chmod(wrapper, 0o755)
  const plan = testPlan(stub.url, { script: fixture('busy.js'), k6Path: wrapper })
  const { load } = await runLoad(plan, join(dir, 'killed'), { env })
  assert.match(load.partial ?? '', /^k6 exited with code 137 after \d+ s/)
  assert.equal(load.k6ExitCode, 137)
  assert.ok(load.overall.count > 0, 'what k6 wrote before dying is aggregated')
})

test('a script path that does not exist fails with one clear line', async () => {
  const plan = testPlan(stub.url, { script: 'perf/missing.js' })
  await assert.rejects(runLoad(plan, join(dir, 'missing'), { env }), (error: Error) => {
    assert.equal(
      error.message,
      `script perf/missing.js does not exist (looked at ${resolve('perf/missing.js')})`,
    )
    return true
  })
})

test('an unreachable target with target-wait 0 fails at once with the URL and the cause', async () => {
  const port = await closedPort()
  const plan = { ...testPlan(`http://127.0.0.1:${port}`), targetWaitS: 0 }
  await assert.rejects(checkTarget(plan), (error: Error) => {
    assert.equal(
      error.message,
      `target-url http://127.0.0.1:${port} does not answer: ECONNREFUSED; target-wait is 0, one try`,
    )
    return true
  })
})

test('requests made in setup() are named apart from the load’s count in the final line', async () => {
  const script = join(dir, 'with-setup.js')
  await writeFile(
    script,
    [
      "import http from 'k6/http'",
      'export const options = { vus: 1, iterations: 2 }',
      'const base = __ENV.PERFGATE_TARGET_URL',
      'export function setup() { for (let i = 0; i < 3; i++) http.get(`${base}/api/v1/clips?sort=hot&limit=25`) }',
      'export default function () { http.get(`${base}/api/v1/clips?sort=new&limit=25`) }',
      '',
    ].join('\n'),
  )
  const lines: string[] = []
  const plan = testPlan(stub.url, { script })
  const { load } = await runLoad(plan, join(dir, 'with-setup'), { env, log: (line) => lines.push(line) })
  assert.equal(load.overall.count, 2)
  assert.match(
    lines.find((line) => line.startsWith('k6 done:')) ?? '',
    /^k6 done: 2 requests \(\+3 in setup\(\)\/teardown\(\), not part of the load\), /,
  )
})

test('a script whose options k6 refuses fails with k6’s own reasons, not just its heading', async () => {
  const bad = join(dir, 'bad-options.js')
  await writeFile(
    bad,
    "export const options = { scenarios: { a: { executor: 'ramping-vus', stages: [] } } }\nexport default function () {}\n",
  )
  const plan = testPlan(stub.url, { script: bad })
  await assert.rejects(runLoad(plan, join(dir, 'bad-options'), { env }), (error: Error) => {
    assert.equal(
      error.message.split('\n')[0],
      'k6 cannot read the script bad-options.js: There were problems with the specified script configuration: scenario a has configuration errors: at least one stage has to be specified',
    )
    return true
  })
})

test('a script k6 cannot run fails with the tail of k6’s stderr', async () => {
  const broken = join(dir, 'broken.js')
  await writeFile(broken, 'export default function ( {\n')
  const plan = testPlan(stub.url, { script: broken })
  await assert.rejects(runLoad(plan, join(dir, 'broken'), { env }), (error: Error) => {
    // The cause is on the first line (what a one-line error shows), the stderr tail below it.
    assert.match(
      error.message.split('\n')[0]!,
      /^k6 cannot read the script broken\.js: .*(SyntaxError|Unexpected)/,
    )
    assert.ok(error.message.split('\n').length > 1, 'the tail of stderr follows')
    return true
  })
})

test('the measured VU curve rises to the script’s max VUs, holds there and comes down', async () => {
  const plan = testPlan(stub.url, { script: fixture('ramping.js') })
  const { load } = await runLoad(plan, join(dir, 'ramping'), { env })
  const curve = load.vusCurve ?? []
  assert.ok(curve.length >= 2, JSON.stringify(curve))
  const peak = Math.max(...curve.map((s) => Math.max(s.fromVUs, s.toVUs, s.maxVUs ?? 0)))
  assert.equal(load.scriptRun?.maxVUs, 6)
  assert.equal(peak, load.scriptRun?.maxVUs)
  assert.equal(peak, load.vusMax)
  const hold = curve.find((s) => s.fromVUs === 6 && s.toVUs === 6)
  assert.ok(hold && hold.durationS >= 3, `a hold at 6 VUs: ${JSON.stringify(curve)}`)
  assert.ok(curve[0]!.toVUs > curve[0]!.fromVUs, `it begins with the ramp: ${JSON.stringify(curve)}`)
})
