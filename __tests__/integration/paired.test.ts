// Integration: a paired run (baseline-url) against the Go testbed with real k6 (issue 19).
//
// The stack runs two instances of the app (`upSecondApp`: app2, own port, Redis database 1): app2
// is the base side (baseline-url), the first app the PR side (target-url). One k6 process loads
// both at once for 40 s, and the gate judges the paired rows. Twice: A/A (both apps at their
// defaults) must show no regression row and pass; A/B, with the regression switch on clip_detail
// of the PR side's app (+50 ms per request), must fail on clip_detail and on no other endpoint.
// Every endpoint's p50 and p95 form one family judged with Holm, so A/A stays quiet by design
// and not by luck of the row count.
//
// The A/B run also has both sides' collectors (Prometheus, pprof, app stats; the base side's
// through the baseline-* inputs, its pprof header falling back to debug-auth-header): the record
// keeps the base side's apart, and the report diffs the two sides' profiles of the same moment.
//
// A third run has the stopping rule (paired-max-duration 3m after a 30-s scenario) on the same A/B,
// judged with +200 % (p50) and +400 % (p95) tolerances so that the A/A-like rows of the other
// endpoints resolve as unchanged well before the maximum too (create_comment, ~1 request a window a
// side, is the last: at +200 % its p95 was still open at 154 s; the switch moves clip_detail's p95
// by ~+500 %, its interval's low end ~+470 %, so +400 % still calls it): k6 must be ended over its REST API at a look well before the maximum, the
// record must say so, and the verdict must still be clip_detail's regression alone.
//
// Its own stack (`paired-c`, free ports), stopped when done; the regression switch is never left on.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runPipeline, writeReportFiles, type PipelineOutcome } from '../../src/pipeline.ts'
import { loadPlan } from '../../src/plan/load.ts'
import { readRecord } from '../../src/record/io.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { MIN_PAIRS } from '../../src/compare/paired-load.ts'
import { downStack, stackCommand, STACK_TIMEOUT_MS, upSecondApp, upStack } from '../helpers/stack.ts'

const STACK = 'paired-c'
const ENDPOINT = 'clip_detail'
const DELAY_MS = 50
const K6 = process.env.PERFGATE_K6 ?? path.join(os.homedir(), '.cache', 'perfgate', 'bin', 'k6')

let workDir: string
let targetUrl: string
let baselineUrl: string
let token: string
let stack: Record<string, string>
let second: Record<string, string>
const outcomes: { aa?: PipelineOutcome; ab?: PipelineOutcome; stop?: PipelineOutcome } = {}
const stopLog: string[] = []

/** Restarts the PR side's app with exactly `env` (none: all defaults, regression off). */
const restartApp = (env: Record<string, string> = {}) =>
  stackCommand(STACK, ['restart-app', ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])])

/** Both sides' Prometheus, pprof and app-stats inputs, from the stack's lines. */
const bothSidesCollectors = () => ({
  'metrics-url': stack.METRICS_URL!,
  'pprof-url': stack.PPROF_URL!,
  'app-stats-urls': stack.APP_STATS_URLS!,
  'debug-auth-header': `Authorization: Bearer ${stack.ADMIN_TOKEN}`,
  'baseline-metrics-url': second.BASELINE_METRICS_URL!,
  'baseline-pprof-url': second.BASELINE_PPROF_URL!,
  'baseline-app-stats-urls': second.BASELINE_APP_STATS_URLS!,
})

async function pairedRun(
  label: string,
  inputs: Record<string, string> = {},
  options: { config?: string; log?: (line: string) => void } = {},
): Promise<PipelineOutcome> {
  const plan = await loadPlan(
    {
      duration: '40s',
      ...inputs,
      'target-url': targetUrl,
      'baseline-url': baselineUrl,
      vus: '20',
      // 40 s: ~20 paired 2-s windows. Even when every pair moves the same way, the sign-flip test's
      // p is 2/2^n, and Holm over 16 rows at alpha 0.01 needs n >= 12 for it to count.
      ...(options.config ? { config: options.config } : {}),
      'think-time-scale': '0.1',
      'fail-on': 'regression',
      'k6-path': K6,
      baseline: 'none',
      'output-dir': path.join(workDir, label),
    },
    { cwd: workDir, env: process.env },
  )
  const deps = { env: { ...process.env, PERFGATE_TOKEN: token }, log: options.log ?? (() => {}) }
  const outcome = await runPipeline(plan, deps)
  await writeReportFiles(outcome, plan, {})
  return outcome
}

before(
  async () => {
    stack = await upStack(STACK)
    targetUrl = stack.TARGET_URL!
    token = stack.USER_TOKEN!
    second = await upSecondApp(STACK)
    baselineUrl = second.BASELINE_URL!
    workDir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-paired-it-'))
    await restartApp()
    outcomes.aa = await pairedRun('aa')
    try {
      await restartApp({ REGRESS_ENDPOINT: ENDPOINT, REGRESS_DELAY_MS: String(DELAY_MS) })
      outcomes.ab = await pairedRun('ab', bothSidesCollectors())
      const config = path.join(workDir, 'stopping.yml')
      await writeFile(
        config,
        'paired-max-duration: 3m\ngate:\n  tolerances:\n    p50: +200%\n    p95: +400%\n',
      )
      outcomes.stop = await pairedRun(
        'stop',
        { duration: '30s' },
        { config, log: (line) => stopLog.push(line) },
      )
    } finally {
      await restartApp()
    }
  },
  { timeout: STACK_TIMEOUT_MS + 8 * 60_000 },
)

after(async () => {
  await downStack(STACK)
  if (workDir && !process.env.PERFGATE_KEEP_GATE_RUNS) await rm(workDir, { recursive: true, force: true })
})

test('paired A/A: both sides measured in one run, every row judged on enough pairs, no regression, the gate passes', async (t) => {
  const { record, comparison, gate, resultPath } = outcomes.aa!
  const paired = record.paired
  assert.ok(paired, 'the record has a paired part')
  assert.equal(paired.design, 'simultaneous')
  assert.equal(paired.base.url, baselineUrl)
  const base = paired.base.endpoints.find((e) => e.name === ENDPOINT)
  assert.ok(base && base.count > 0, `the base side measured ${ENDPOINT}`)
  const row = paired.rows.find((r) => r.id === `${ENDPOINT}.p95Ms`)
  assert.ok(row && row.pairs >= MIN_PAIRS, `${ENDPOINT} p95 on ${row?.pairs} pairs`)
  for (const r of paired.rows)
    t.diagnostic(
      `${r.id}: ${r.pairs} pairs, ${(r.relativeChange * 100).toFixed(1)} %, Holm p ${r.pAdjusted.toFixed(3)}, ${r.verdict}`,
    )
  assert.deepEqual(
    comparison.rows.filter((r) => r.verdict === 'regression').map((r) => r.message),
    [],
  )
  assert.ok(comparison.rows.every((r) => r.evidence.test === 'paired-sign-flip'))
  assert.equal(gate.failed, false, gate.reasons.join('; '))
  // result.json carries the paired part as it was judged
  assert.deepEqual(
    (await readRecord(resultPath)).paired?.rows.map((r) => r.verdict),
    paired.rows.map((r) => r.verdict),
  )
})

test(`paired A/B with +${DELAY_MS} ms on ${ENDPOINT} of the PR side: a regression there only, and the gate fails`, async (t) => {
  const { record, comparison, gate, resultPath } = outcomes.ab!
  const regressed = comparison.rows.filter((r) => r.verdict === 'regression')
  for (const r of regressed) t.diagnostic(r.message)
  assert.ok(
    regressed.some((r) => r.id === `${ENDPOINT}.p95Ms`),
    `${ENDPOINT} p95 is a regression: ${comparison.rows.find((r) => r.id === `${ENDPOINT}.p95Ms`)?.message}`,
  )
  assert.deepEqual(
    regressed.filter((r) => r.endpoint !== ENDPOINT).map((r) => r.message),
    [],
  )
  const row = record.paired!.rows.find((r) => r.id === `${ENDPOINT}.p95Ms`)!
  assert.ok(row.interval[0] > row.tolerance, `the interval [${row.interval}] clears the tolerance`)
  assert.equal(gate.failed, true)
  assert.ok(
    gate.reasons.some((r) => r.startsWith(`regression: ${ENDPOINT} p95 +`)),
    gate.reasons.join('; '),
  )

  const comment = await readFile(path.join(path.dirname(resultPath), 'comment.md'), 'utf8')
  assert.match(comment, /Paired run, simultaneous design/)
  assert.match(
    comment,
    new RegExp(`\`${ENDPOINT}\`.*\\+[\\d.]+% \\\\\\[\\+[\\d.]+%, \\+[\\d.]+%\\\\\\] 🔺 regression`),
  )
})

test("paired A/B with both sides' collectors: the base side's are kept apart, and the report diffs the two sides' profiles of the same moment", async () => {
  const { record, resultPath } = outcomes.ab!
  const base = record.baseCollectors
  assert.ok(base, "the record has the base side's collectors")
  assert.equal(base.url, baselineUrl)
  assert.ok(
    !('unavailable' in base.prometheus),
    `base Prometheus: ${JSON.stringify(base.prometheus).slice(0, 200)}`,
  )
  assert.ok(
    !('unavailable' in base.appStats),
    `base app stats: ${JSON.stringify(base.appStats).slice(0, 200)}`,
  )
  assert.ok(
    !('unavailable' in base.profiles),
    `base profiles: ${JSON.stringify(base.profiles).slice(0, 200)}`,
  )
  const kinds = (part: RunRecord['profiles']) => ('unavailable' in part ? [] : part.files.map((f) => f.kind))
  for (const kind of ['cpu', 'allocs'] as const) {
    assert.ok(kinds(base.profiles).includes(kind), `the base side has a ${kind} profile`)
    assert.ok(kinds(record.profiles).includes(kind), `the PR side has a ${kind} profile`)
  }
  // Both sides' CPU profiles cover the same window of the load.
  const window = (part: RunRecord['profiles']) => ('unavailable' in part ? undefined : part.cpu)
  assert.deepEqual(window(base.profiles), window(record.profiles))
  // The base side's files are in their own folder, not over the PR side's.
  const dir = path.dirname(resultPath)
  const baseCpu = !('unavailable' in base.profiles) && base.profiles.files.find((f) => f.kind === 'cpu')!.file
  const prCpu =
    !('unavailable' in record.profiles) && record.profiles.files.find((f) => f.kind === 'cpu')!.file
  assert.notDeepEqual(
    await readFile(path.join(dir, 'paired-base', baseCpu as string)),
    await readFile(path.join(dir, prCpu as string)),
  )
  // The profile diff ran against the base side's profiles, and says so.
  assert.equal(record.analysis?.diffBase, 'live-paired')
  const diff = record.analysis?.diff
  assert.ok(Array.isArray(diff), `the diff ran: ${JSON.stringify(diff)}`)
  // CPU and allocations, and the lock waits (block, mutex): the testbed sets both profile rates.
  assert.deepEqual(diff.map((d) => d.kind).sort(), ['allocs', 'block', 'cpu', 'mutex'])
  // result.json as written validates, base side included
  assert.deepEqual((await readRecord(resultPath)).baseCollectors, base)

  const report = await readFile(path.join(dir, 'report.md'), 'utf8')
  assert.match(
    report,
    /both deployments profiled over the same load window: this PR — cpu \d+ samples, allocs \d+ samples/,
  )
  assert.match(report, new RegExp(`base ${baselineUrl.replace(/[.]/g, '\\.')} — cpu \\d+ samples`))
  assert.match(report, /What Changed Against the Base Deployment \(live paired profiles\)/)
  const comment = await readFile(path.join(dir, 'comment.md'), 'utf8')
  assert.match(
    comment,
    /\*\*What changed\*\* in the profiles: .*live paired profiles: base deployment → this PR/,
  )
  // one line per top mover, or per profile kind whose functions all stayed under the threshold
  assert.match(
    comment,
    /\n- (`[^`]+`.*: (CPU|allocated bytes) [\d.]+% → [\d.]+%|.*no function moved past the threshold)/,
  )
})

test(`paired A/B with the stopping rule: k6 is ended at a look once every gated row resolved, long before the maximum, and the verdict is ${ENDPOINT} alone`, async (t) => {
  const { record, comparison, gate, resultPath } = outcomes.stop!
  for (const line of stopLog.filter((l) => /paired (look|stopping)/.test(l))) t.diagnostic(line)
  const stopping = record.paired?.stopping
  assert.ok(stopping, 'the record has the stopping rule')
  assert.deepEqual(stopping.looksAtS, [30, 45, 68, 101, 152, 180])
  assert.equal(stopping.ended, 'resolved', JSON.stringify(stopping))
  assert.equal(stopping.taken.at(-1)!.open, 0)
  assert.ok(stopping.taken.every((l, i) => i === stopping.taken.length - 1 || l.open > 0))
  // ended at a look before the last: the rarely requested endpoints (create_comment, ~1 request a
  // window a side) take the longest to resolve, about 150 s at +100 % in a first run here
  assert.ok(
    stopping.taken.length < stopping.looksAtS.length,
    `looks taken: ${JSON.stringify(stopping.taken)}`,
  )
  const load = record.load
  assert.ok(!('unavailable' in load))
  assert.ok(load.durationS < 170, `k6 ran ${load.durationS} s of load, not the 180-s maximum`)
  assert.equal(load.partial, undefined, 'ended by the rule, not interrupted')
  assert.equal(load.unusableAsBaseline, undefined)
  // every row judged at alpha / looks
  assert.equal(record.paired!.alpha, 0.01 / 6)
  const regressed = comparison.rows.filter((r) => r.verdict === 'regression').map((r) => r.id)
  assert.ok(regressed.includes(`${ENDPOINT}.p95Ms`), regressed.join(', '))
  assert.deepEqual(
    regressed.filter((id) => !id.startsWith(`${ENDPOINT}.`)),
    [],
  )
  assert.equal(gate.failed, true)
  const comment = await readFile(path.join(path.dirname(resultPath), 'comment.md'), 'utf8')
  assert.match(
    comment,
    /_Stopping rule: looked at 3\d s.* of load and stopped at \d+ s of at most 3 min, every gated row resolved on its first \d+ s \(each look judged at alpha 0\.0017 = 0\.01 \/ 6 looks\)\._/,
  )
  // the header says how long the load really ran, not only the scenario's 30 s
  assert.match(
    comment,
    /Mixed behavior \(20 VUs a side, 30 seconds, loaded on to \d+ seconds of at most 3 minutes by the stopping rule\)/,
  )
  // the final verdict is the ending look's: judged on the windows it judged, no gated row open
  assert.equal(stopping.judgedToS! % 2, 0)
  assert.ok(stopping.judgedToS! <= stopping.taken.at(-1)!.atS)
  assert.deepEqual(
    record.paired!.rows.filter((r) => r.gated && (r.verdict === 'inconclusive' || r.verdict === 'no-data')),
    [],
  )
  assert.equal(record.paired!.inconclusive, undefined)
  const report = await readFile(path.join(path.dirname(resultPath), 'report.md'), 'utf8')
  assert.doesNotMatch(report, /k6 exited with code 103/)
})
