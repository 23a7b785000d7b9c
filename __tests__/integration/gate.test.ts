// Integration: baselines and the gate against the Go testbed with real k6 (issue 7).
//
// Two phases of the shortened default scenario, the app restarted before each so every phase
// starts from a fresh process. Each phase runs two measurements side by side, as the two shards
// of one 20-VU load (k6 execution segments: 10 VUs each, only shard 0 runs the collectors): A1 and
// A2 of the normal build, then B and its companion with the testbed's regression switch on
// clip_detail (+50 ms per request). A1 → A2 must show no regression and the CLI's `compare` exits
// 0; A2 → B (both shard 1, so both without collectors) must show a p95 regression on clip_detail
// and on no other endpoint, and `compare` (fail-on regression) exits 1.
//
// Why side by side: run one after the other, the two sides of the A/A pair saw different machine
// load on a busy shared machine (another stack, other tests), and the window test rightly called
// search and related p95 +37–41 % (p < 0.001): the machine did change between the runs, and no
// test over one run's windows can tell that from the code. Interleaved in time, both sides see the
// same machine, so the A/A pair measures the gate's own false-alarm rate, which it must keep low;
// a regression still shows, since B's clip_detail requests are 50 ms slower than A2's.
//
// The same runs also check what a reviewer reads (issue 17): the shard-0 sides take the testbed's
// pprof profiles, the regression switch also spins on the CPU for a few ms per clip_detail request
// in a function of its own (`regressionBurn`, REGRESS_CPU_MS), A1 becomes the baseline committed
// at a path as a user would, and B0 is reported against it: its comment must name clip_detail's
// regression and a "what changed" line with `regressionBurn`, its CPU share and its line. No extra
// load: the report of the two shard-0 runs costs a few seconds.
//
// The test starts its own stack (`upStack('gate')`: state dir .perfgate-stack-test/gate, free
// ports) so that switching the regression on cannot disturb other tests using the shared one, and
// stops it when done; the first start seeds its database (~30–70 s). Loopback only; each run is
// bounded by k6's duration.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { finishPipeline, judgeRecord, measure, writeReportFiles } from '../../src/pipeline.ts'
import { loadPlan } from '../../src/plan/load.ts'
import type { Plan } from '../../src/plan/types.ts'
import type { RunRecord } from '../../src/record/index.ts'
import type { Comparison } from '../../src/record/compare.ts'
import { downStack, REPO_ROOT, stackCommand, STACK_TIMEOUT_MS, upStack } from '../helpers/stack.ts'

const run = promisify(execFile)

const ENDPOINT = 'clip_detail'
const DELAY_MS = 50
/** CPU spun per clip_detail request in phase B: a mover in the CPU profile, small next to the delay. */
const CPU_MS = 2
const K6 = process.env.PERFGATE_K6 ?? path.join(os.homedir(), '.cache', 'perfgate', 'bin', 'k6')
const STACK = 'gate'

/** Restarts only the app with exactly `env` (none: all defaults, regression off). */
const restartApp = (env: Record<string, string> = {}) =>
  stackCommand(STACK, ['restart-app', ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])])

let workDir: string
let stackEnv: Record<string, string>
type Label = 'a1' | 'a2' | 'b0' | 'b'
const records: Record<Label, RunRecord | undefined> = {
  a1: undefined,
  a2: undefined,
  b0: undefined,
  b: undefined,
}
const files: Record<Label, string> = { a1: '', a2: '', b0: '', b: '' }

/** The plan of one side; `shard` 0 or 1 of the phase's two (judging needs none). Shard 0 takes profiles. */
async function planFor(label: string, shard?: 0 | 1, extra: Record<string, string> = {}): Promise<Plan> {
  return loadPlan(
    {
      'target-url': stackEnv.TARGET_URL,
      vus: '20',
      // 80 s: eight 10-second windows per run. With six, the rank test at alpha 0.01 tolerates
      // one out-of-order window pair at most, which a busy shared machine can easily produce.
      duration: '80s',
      'think-time-scale': '0.1',
      'fail-on': 'regression',
      'k6-path': K6,
      baseline: 'none',
      'output-dir': path.join(workDir, label),
      ...(shard !== undefined ? { shards: '2', shard: String(shard) } : {}),
      ...(shard === 0
        ? {
            'pprof-url': stackEnv.PPROF_URL!,
            'debug-auth-header': `Authorization: Bearer ${stackEnv.ADMIN_TOKEN}`,
            config: 'perfgate.yml',
          }
        : {}),
      ...extra,
    },
    { cwd: workDir, env: process.env },
  )
}

async function measureSide(label: Label, shard: 0 | 1): Promise<void> {
  const plan = await planFor(label, shard)
  const record = await measure(plan, {
    env: { ...process.env, PERFGATE_TOKEN: stackEnv.USER_TOKEN! },
    log: () => {},
  })
  files[label] = path.join(workDir, `${label}.json`)
  await writeFile(files[label], JSON.stringify(record))
  records[label] = record
}

/** One phase: the app restarted with `appEnv`, then the two sides measured at the same time. */
async function measurePhase(sides: [Label, Label], appEnv: Record<string, string> = {}): Promise<void> {
  try {
    await restartApp(appEnv)
    await Promise.all([measureSide(sides[0], 0), measureSide(sides[1], 1)])
  } finally {
    // The regression switch is never left on, whatever happened.
    if (Object.keys(appEnv).length > 0) await restartApp()
  }
}

async function judge(base: RunRecord, current: RunRecord): Promise<Comparison & { failed: boolean }> {
  const plan = await planFor('judge')
  const { comparison, gate } = judgeRecord(current, plan, {
    baseline: base,
    history: [],
    source: 'path',
    notes: [],
  })
  return { ...comparison, failed: gate.failed }
}

/** `perfgate compare <base> <current>` from the TypeScript sources (no stale dist): exit code + stdout. */
async function cliCompare(base: string, current: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'compare', base, current, '--fail-on', 'regression'],
      { cwd: REPO_ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    )
    return { code: 0, stdout }
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string }
    if (typeof e.code !== 'number') throw error
    return { code: e.code, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

function p95(record: RunRecord, endpoint: string): number {
  const load = record.load
  assert.ok('endpoints' in load, `load data: ${JSON.stringify(load).slice(0, 200)}`)
  const ep = load.endpoints.find((e) => e.name === endpoint)
  assert.ok(ep, `${endpoint} in the run`)
  return ep.duration.p95Ms
}

before(
  async () => {
    stackEnv = await upStack(STACK)
    workDir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-gate-it-'))
    // The cool-down only delays the after-snapshots this test does not judge.
    await writeFile(path.join(workDir, 'perfgate.yml'), 'collectors:\n  cool-down: 2s\n')
    await measurePhase(['a1', 'a2'])
    await measurePhase(['b0', 'b'], {
      REGRESS_ENDPOINT: ENDPOINT,
      REGRESS_DELAY_MS: String(DELAY_MS),
      REGRESS_CPU_MS: String(CPU_MS),
    })
  },
  { timeout: STACK_TIMEOUT_MS + 5 * 60_000 },
)

after(async () => {
  await downStack(STACK)
  if (workDir && !process.env.PERFGATE_KEEP_GATE_RUNS) await rm(workDir, { recursive: true, force: true })
})

test('two runs of the same build side by side: no regression, and `perfgate compare` exits 0', async (t) => {
  const { a1, a2 } = records
  assert.ok(a1 && a2)
  const comparison = await judge(a1, a2)
  const regressions = comparison.rows.filter((r) => r.verdict === 'regression').map((r) => r.message)
  assert.deepEqual(regressions, [], 'no regression between two runs of the same build')
  assert.equal(comparison.failed, false)
  const row = comparison.rows.find((r) => r.endpoint === ENDPOINT && r.metric === 'p95Ms')
  assert.ok(row && row.verdict !== 'no-data', `${ENDPOINT} p95 was judged: ${row?.message}`)
  t.diagnostic(`${row.verdict}: ${row.message}`)

  const cli = await cliCompare(files.a1, files.a2)
  assert.equal(cli.code, 0, cli.stdout)
  assert.match(cli.stdout, /^verdict: (pass|warn)/m)
})

test(`a +${DELAY_MS} ms regression on ${ENDPOINT}: a p95 regression there only, and the gate fails (exit 1)`, async (t) => {
  const { a2, b } = records
  assert.ok(a2 && b)
  const before = p95(a2, ENDPOINT)
  const afterP95 = p95(b, ENDPOINT)
  assert.ok(afterP95 > before * 1.1, `${ENDPOINT} p95 moved beyond +10 %: ${before} → ${afterP95} ms`)

  const comparison = await judge(a2, b)
  const row = comparison.rows.find((r) => r.endpoint === ENDPOINT && r.metric === 'p95Ms')
  assert.equal(row?.verdict, 'regression', row?.message)
  t.diagnostic(row.message)
  assert.equal(row?.evidence.test, 'window-permutation')
  assert.ok((row?.evidence.pValue ?? 1) < 0.01, row?.message)
  // Other endpoints are not regressions. (Overall rows may be: clip_detail is part of the total.)
  // The gate judges all ~45 rows as one family (Holm, compare/family.ts), so a row crossing alpha
  // by chance alone is inconclusive, not a regression (seen before the correction: comments_list
  // p99 at p = 0.010, related_clips p95 at p = 0.007 in an A/A pair).
  const others = comparison.rows.filter((r) => r.scope === 'endpoint' && r.endpoint !== ENDPOINT)
  assert.deepEqual(
    others.filter((r) => r.verdict === 'regression').map((r) => r.message),
    [],
  )
  assert.ok((row?.evidence.adjustedPValue ?? 1) < 0.01, row?.message)
  assert.equal(comparison.failed, true)

  const cli = await cliCompare(files.a2, files.b)
  assert.equal(cli.code, 1, cli.stdout)
  assert.match(cli.stdout, /^verdict: fail \(.*regression: clip_detail p95 \+/m)
  assert.match(cli.stdout, /^regression\s+clip_detail p95 /m)
})

test(`the comment of B0 against A1 as a committed baseline: ${ENDPOINT}'s regression, and regressionBurn in what changed`, async (t) => {
  const { a1, b0 } = records
  assert.ok(a1 && b0)
  // The base branch's run: its report written, result.json and profiles in a1/, committed as they are.
  await finishPipeline(a1, await planFor('a1'), { env: process.env, log: () => {} })
  const plan = await planFor('b0', undefined, { baseline: 'path', 'baseline-path': 'a1/result.json' })
  const lines: string[] = []
  const outcome = await finishPipeline(b0, plan, { env: process.env, log: (l) => lines.push(l) })
  const { comment } = await writeReportFiles(outcome, plan, {})
  t.diagnostic(comment)
  assert.equal(outcome.baseline.source, 'file a1/result.json', lines.join('\n'))
  const diff = outcome.record.analysis?.diff
  assert.ok(Array.isArray(diff), `a profile diff: ${JSON.stringify(diff)}`)
  // Markdown escapes the underscore: clip\_detail.
  assert.match(
    comment,
    new RegExp(`^- 🔺 ${ENDPOINT.replace('_', '\\\\_')} p95 [\\d.]+ ms → [\\d.]+ ms \\(\\+\\d+%\\)`, 'm'),
  )
  // The mover on clip_detail's code path (its pprof label), first:
  // - `…/internal/app.regressionBurn` (`app/server.go:195`) on clip\_detail: CPU 0.0% → 29.2% (+29.2 points)
  assert.match(
    comment,
    /^\*\*What changed\*\* in the profiles: [^\n]*, those on the code paths of the regressed clip\\_detail/m,
  )
  const movers = comment.split('\n').filter((l) => /^- `.*points\)$/.test(l))
  assert.match(
    movers[0] ?? '',
    /^- `[\w/.]*regressionBurn` \(`[\w/.]*server\.go:\d+`\) on clip\\_detail: CPU \d+\.\d% → \d+\.\d% \(\+\d+\.\d points\)$/,
  )
})
