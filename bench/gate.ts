// Gate accuracy: the false-alarm rate on A/A pairs (the same build twice) and the detection rate
// for a +25 % p95 shift on one endpoint, from repeated short k6 runs against the testbed.
//
//   node --import tsx bench/gate.ts [--pairs 10] [--seconds 60] [--vus 20] [--think 0.1]
//                                   [--endpoint clip_detail] [--shift 0.25] [--delay-ms N]
//                                   [--shared-stack]
//   node --import tsx bench/gate.ts --replay bench/results/gate-<timestamp> [--window-s N]
//
// Runs A0 (calibration: the regression delay is shift × A0's p95 of the endpoint unless
// --delay-ms is given), then A1 B1 A2 B2 … AN BN, interleaved so that drift of the machine hits
// both builds alike. A = the testbed with defaults, B = the same with the regression switch on the
// endpoint (REGRESS_ENDPOINT / REGRESS_DELAY_MS). The app is restarted before every run, so each
// run starts from a fresh process (fault 5 leaks a goroutine per clip detail: a long-lived process
// would drift). A/A pairs are consecutive A runs (A0,A1) … (AN-1,AN); A/B pairs are (Ai,Bi).
// A false alarm is an A/A pair whose gate (fail-on regression, default tolerances) fails; a
// detection is an A/B pair whose endpoint p95 row is a regression. Every record and a summary
// JSON go to bench/results/gate-<timestamp>/; --replay re-judges such a folder without load, with
// --window-s re-aggregating each run's k6 output (k6.ndjson.gz) into windows of that length first.
//
// By default the bench starts its own stack (state dir $TMPDIR/perfgate-gate-stack, ports
// 55349/63819/18110/18111) so that toggling the regression does not disturb anyone else's tests;
// --shared-stack uses `scripts/stack.mjs up` defaults instead. Loopback only; each run is bounded
// by k6's own duration. The regression switch is always switched off again (try/finally).
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { judgeRecord, measure } from '../src/pipeline.ts'
import { pairedBench, parseEnv } from './gate-paired.ts'
import { median } from './gate-paired-calibration.ts'
import { loadPlan } from '../src/plan/load.ts'
import type { PairedDesignName, Plan } from '../src/plan/types.ts'
import type { RunRecord } from '../src/record/index.ts'
import { compare, gateVerdict } from '../src/compare/index.ts'
import { aggregateK6File } from '../src/run/index.ts'
import type { MetricComparison } from '../src/record/compare.ts'

const run = promisify(execFile)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const K6 = process.env.PERFGATE_K6 ?? path.join(os.homedir(), '.cache', 'perfgate', 'bin', 'k6')

const { values, positionals } = parseArgs({
  options: {
    pairs: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '60' },
    vus: { type: 'string', default: '20' },
    think: { type: 'string', default: '0.1' },
    endpoint: { type: 'string', default: 'clip_detail' },
    shift: { type: 'string', default: '0.25' },
    'delay-ms': { type: 'string' },
    'shared-stack': { type: 'boolean', default: false },
    replay: { type: 'string' },
    'window-s': { type: 'string' },
    // --paired: bench/gate-paired.ts
    paired: { type: 'boolean', default: false },
    parts: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    tolerance: { type: 'string', default: '0.05' },
    'paired-delay-ms': { type: 'string' },
    'paired-seconds': { type: 'string' },
    designs: { type: 'string', default: 'simultaneous' },
    'state-dir': { type: 'string' },
    ports: { type: 'string' },
  },
  allowPositionals: true,
})
const pairs = Number(values.pairs)
const seconds = Number(values.seconds)
const endpoint = values.endpoint
const shift = Number(values.shift)

const STACK_ARGS = values['shared-stack']
  ? []
  : [
      '--state-dir',
      path.join(os.tmpdir(), 'perfgate-gate-stack'),
      '--pg-port',
      '55349',
      '--redis-port',
      '63819',
      '--app-port',
      '18110',
      '--twitch-port',
      '18111',
    ]
const STATE_ARGS = STACK_ARGS.slice(0, 2)

async function stack(args: string[]): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, ['scripts/stack.mjs', ...args], {
    cwd: ROOT,
    timeout: 10 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  })
  return parseEnv(stdout)
}

const restartApp = (env: Record<string, string> = {}) =>
  stack(['restart-app', ...STATE_ARGS, ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])])

const log = (line: string) => process.stderr.write(`${line}\n`)

async function measureOnce(
  label: string,
  stackEnv: Record<string, string>,
  outRoot: string,
  appEnv: Record<string, string>,
): Promise<RunRecord> {
  const outputDir = path.join(outRoot, label)
  const env = { ...process.env, PERFGATE_TOKEN: stackEnv.USER_TOKEN! }
  const plan: Plan = await loadPlan(
    {
      'target-url': stackEnv.TARGET_URL,
      vus: values.vus,
      duration: `${seconds}s`,
      'think-time-scale': values.think,
      'fail-on': 'regression',
      'k6-path': K6,
      baseline: 'none',
      'output-dir': outputDir,
    },
    { cwd: outRoot, env },
  )
  const regressed = Object.keys(appEnv).length > 0
  try {
    await restartApp(appEnv)
    const record = await measure(plan, { env, log: () => {} })
    await writeFile(path.join(outputDir, 'result.json'), JSON.stringify(record))
    const ep =
      record.load && 'endpoints' in record.load
        ? record.load.endpoints.find((e) => e.name === endpoint)
        : undefined
    log(
      `${label}: ${endpoint} p95 ${ep?.duration.p95Ms.toFixed(1)} ms, ${ep?.count} requests, ${ep?.windows.length} windows`,
    )
    return record
  } finally {
    if (regressed) await restartApp()
  }
}

interface PairResult {
  pair: string
  kind: 'A/A' | 'A/B'
  gateFailed: boolean
  regressions: string[]
  endpointVerdict: string
  endpointP95: [number, number]
  shift: number
  pValue?: number
  windows: [number, number]
}

function p95Of(record: RunRecord): number {
  const load = record.load
  if (!('endpoints' in load)) return NaN
  return load.endpoints.find((e) => e.name === endpoint)?.duration.p95Ms ?? NaN
}

function judgePair(
  kind: 'A/A' | 'A/B',
  pair: string,
  base: RunRecord,
  cur: RunRecord,
  plan: Plan,
): PairResult {
  const { comparison, gate } = judgeRecord(cur, plan, {
    baseline: base,
    history: [],
    source: 'path',
    notes: [],
  })
  const row = comparison.rows.find((r) => r.endpoint === endpoint && r.metric === 'p95Ms') as MetricComparison
  return {
    pair,
    kind,
    gateFailed: gate.failed,
    regressions: gate.regressions,
    endpointVerdict: row.verdict,
    endpointP95: [p95Of(base), p95Of(cur)],
    shift: p95Of(cur) / p95Of(base) - 1,
    ...(row.evidence.pValue !== undefined ? { pValue: row.evidence.pValue } : {}),
    windows: [row.evidence.windowsBaseline, row.evidence.windowsCurrent],
  }
}

interface WhatIf {
  alpha: number
  history: boolean
  removeDrift: boolean
  /** Holm's correction over the comparison's rows (compare/family.ts). */
  familyCorrection: boolean
  falseAlarms: number
  aa: number
  /** The endpoint's p95 row is a regression. */
  detections: number
  /** The gate failed with a regression row of the endpoint (any percentile or error rate). */
  endpointFailures: number
  ab: number
}

/**
 * Re-judges the pairs under other settings (pure; the records are already taken): another alpha,
 * the run-wide drift left in, and, with `history`, the three latest A runs up to the baseline as
 * the base branch's earlier runs (the run-to-run band of condition 2; the action keeps 5 by
 * default). Pairs without three earlier A runs are left out then.
 */
function whatIf(
  plan: Plan,
  a: RunRecord[],
  b: RunRecord[],
  settings: { alpha: number; history: boolean; removeDrift: boolean; familyCorrection: boolean },
): WhatIf {
  const { alpha, history, removeDrift, familyCorrection } = settings
  const policy = { ...plan.gate, tolerances: { ...plan.gate.tolerances, alpha } }
  const past = (i: number) => (history ? a.slice(Math.max(0, i - 2), i + 1) : [])
  const usable = (i: number) => !history || i >= 2
  const out: WhatIf = { ...settings, falseAlarms: 0, aa: 0, detections: 0, endpointFailures: 0, ab: 0 }
  for (let i = 1; i < a.length; i++) {
    if (!usable(i - 1)) continue
    out.aa++
    const comparison = compare(a[i - 1], a[i]!, policy, past(i - 1), { removeDrift, familyCorrection })
    if (gateVerdict([], comparison, policy, { baselineFound: true }).failed) out.falseAlarms++
  }
  for (let i = 1; i <= b.length; i++) {
    if (!usable(i)) continue
    out.ab++
    const comparison = compare(a[i], b[i - 1]!, policy, past(i), { removeDrift, familyCorrection })
    const mine = comparison.rows.filter((r) => r.endpoint === endpoint && r.verdict === 'regression')
    if (mine.some((r) => r.metric === 'p95Ms')) out.detections++
    if (mine.length > 0 && gateVerdict([], comparison, policy, { baselineFound: true }).failed)
      out.endpointFailures++
  }
  return out
}

function logPair(r: PairResult): void {
  log(
    `  ${r.kind} ${r.pair}: gate ${r.gateFailed ? 'FAIL' : 'pass'}, ${endpoint} p95 ${r.endpointP95[0].toFixed(1)} → ${r.endpointP95[1].toFixed(1)} ms (${(r.shift * 100).toFixed(1)} %), ${r.endpointVerdict}${r.pValue !== undefined ? ` p=${r.pValue.toFixed(4)}` : ''}, windows ${r.windows.join('/')}${r.regressions.length ? `; ${r.regressions.join('; ')}` : ''}`,
  )
}

async function main(): Promise<void> {
  const started = Date.now()
  const replay = values.replay ? path.resolve(values.replay) : undefined
  const stackEnv = replay ? { TARGET_URL: 'http://127.0.0.1:18110' } : await stack(['up', ...STACK_ARGS])
  const outRoot =
    replay ?? path.join(ROOT, 'bench', 'results', `gate-${new Date().toISOString().replace(/[:.]/g, '-')}`)
  await mkdir(outRoot, { recursive: true })
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'perfgate-gate-bench-'))
  const plan = await loadPlan(
    { 'target-url': stackEnv.TARGET_URL, 'fail-on': 'regression', baseline: 'none', 'output-dir': scratch },
    { cwd: scratch, env: process.env },
  )
  const a: RunRecord[] = []
  const b: RunRecord[] = []
  const results: PairResult[] = []
  let delayMs = Number(values['delay-ms'] ?? NaN)
  let baseP95: number
  if (replay) {
    const windowS = values['window-s'] ? Number(values['window-s']) : undefined
    const read = async (label: string) => {
      const record = JSON.parse(await readFile(path.join(replay, label, 'result.json'), 'utf8')) as RunRecord
      if (windowS === undefined || !('endpoints' in record.load)) return record
      const { result } = await aggregateK6File(path.join(replay, label, 'k6.ndjson.gz'), {
        endpoints: plan.endpoints,
        windowS,
      })
      record.load = { ...record.load, windowS, overall: result.overall, endpoints: result.endpoints }
      return record
    }
    const recorded = await readFile(path.join(replay, 'summary.json'), 'utf8').then(
      (text) => JSON.parse(text) as { delayMs?: number },
      () => ({ delayMs: undefined }),
    )
    delayMs = recorded.delayMs ?? NaN
    const labels = new Set(await readdir(replay))
    for (let i = 0; labels.has(`A${i}`); i++) a.push(await read(`A${i}`))
    for (let i = 1; labels.has(`B${i}`) && i < a.length; i++) b.push(await read(`B${i}`))
    baseP95 = p95Of(a[0]!)
    for (let i = 1; i < a.length; i++) {
      results.push(judgePair('A/A', `A${i - 1}→A${i}`, a[i - 1]!, a[i]!, plan))
      if (b[i - 1]) results.push(judgePair('A/B', `A${i}→B${i}`, a[i]!, b[i - 1]!, plan))
    }
    results.forEach(logPair)
  } else {
    log(
      `gate bench: ${pairs} pairs of ${seconds} s runs, ${values.vus} VUs, think ×${values.think}, ${endpoint}`,
    )
    a.push(await measureOnce('A0', stackEnv, outRoot, {}))
    baseP95 = p95Of(a[0]!)
    if (!(delayMs > 0)) delayMs = Math.max(1, Math.round(shift * baseP95))
    log(`calibration: ${endpoint} p95 ${baseP95.toFixed(1)} ms → REGRESS_DELAY_MS=${delayMs}`)
    const regress = { REGRESS_ENDPOINT: endpoint, REGRESS_DELAY_MS: String(delayMs) }
    try {
      for (let i = 1; i <= pairs; i++) {
        a.push(await measureOnce(`A${i}`, stackEnv, outRoot, {}))
        results.push(judgePair('A/A', `A${i - 1}→A${i}`, a[i - 1]!, a[i]!, plan))
        b.push(await measureOnce(`B${i}`, stackEnv, outRoot, regress))
        results.push(judgePair('A/B', `A${i}→B${i}`, a[i]!, b[i - 1]!, plan))
        results.slice(-2).forEach(logPair)
      }
    } finally {
      // The bench's own stack is stopped when it is done; the shared one is left as it was.
      if (!values['shared-stack']) await stack(['down', ...STATE_ARGS])
    }
  }

  const aa = results.filter((r) => r.kind === 'A/A')
  const ab = results.filter((r) => r.kind === 'A/B')
  const falseAlarms = aa.filter((r) => r.gateFailed).length
  const detections = ab.filter((r) => r.endpointVerdict === 'regression').length
  const abGateFails = ab.filter((r) => r.gateFailed).length
  const alternatives = [true, false].flatMap((familyCorrection) =>
    [true, false].flatMap((removeDrift) =>
      [false, true].flatMap((history) =>
        [0.01, 0.05].map((alpha) => whatIf(plan, a, b, { alpha, history, removeDrift, familyCorrection })),
      ),
    ),
  )
  const summary = {
    pairs: b.length,
    seconds: replay ? (a[0]?.plan.durationS ?? seconds) : seconds,
    vus: Number(values.vus),
    thinkTimeScale: Number(values.think),
    endpoint,
    calibrationP95Ms: baseP95,
    delayMs,
    runs: a.length + b.length,
    wallMinutes: (Date.now() - started) / 60_000,
    falseAlarms: { k: falseAlarms, n: aa.length },
    detections: { k: detections, n: ab.length },
    abGateFailures: { k: abGateFails, n: ab.length },
    medianShiftAB: median(ab.map((r) => r.shift)),
    medianShiftAA: median(aa.map((r) => r.shift)),
    maxAbsShiftAA: Math.max(...aa.map((r) => Math.abs(r.shift))),
    alternatives,
    results,
  }
  await writeFile(
    path.join(
      outRoot,
      replay ? `summary-replay${values['window-s'] ? `-${values['window-s']}s` : ''}.json` : 'summary.json',
    ),
    `${JSON.stringify(summary, null, 2)}\n`,
  )

  const lines = [
    '',
    `| pairs | kind | gate failed | ${endpoint} p95 regression | median p95 shift |`,
    '|---|---|---|---|---|',
    `| ${aa.length} | A/A | ${falseAlarms} of ${aa.length} | ${aa.filter((r) => r.endpointVerdict === 'regression').length} of ${aa.length} | ${(summary.medianShiftAA * 100).toFixed(1)} % |`,
    `| ${ab.length} | A/B (+${delayMs} ms) | ${abGateFails} of ${ab.length} | ${detections} of ${ab.length} | ${(summary.medianShiftAB * 100).toFixed(1)} % |`,
    '',
    'Same records re-judged (what-if):',
    '',
    `| Holm over rows | drift removed | history | alpha | A/A gate failed | A/B ${endpoint} p95 regression | A/B gate failed on ${endpoint} |`,
    '|---|---|---|---|---|---|---|',
    ...alternatives.map(
      (x) =>
        `| ${x.familyCorrection ? 'yes' : 'no'} | ${x.removeDrift ? 'yes' : 'no'} | ${x.history ? '3 A runs' : 'none'} | ${x.alpha} | ${x.falseAlarms} of ${x.aa} | ${x.detections} of ${x.ab} | ${x.endpointFailures} of ${x.ab} |`,
    ),
    `wall time ${summary.wallMinutes.toFixed(1)} min; records in ${path.relative(ROOT, outRoot)}`,
    '',
  ]
  process.stdout.write(lines.join('\n'))
}

if (values.paired) {
  const ports = (values.ports ?? '55359,63829,18120,18121,18122').split(',')
  if (ports.length !== 5) throw new Error(`--ports is ${values.ports}: expected pg,redis,app,twitch,app2`)
  const designs = values.designs.split(',')
  for (const d of designs)
    if (d !== 'simultaneous' && d !== 'alternating')
      throw new Error(`--designs has ${d}: expected simultaneous and/or alternating, comma-separated`)
  await pairedBench({
    root: ROOT,
    k6: K6,
    parts: Number(values.parts),
    rounds: Number(values.rounds),
    seconds: process.argv.includes('--seconds') ? seconds : 90,
    pairedSeconds: Number(
      values['paired-seconds'] ?? 2 * (process.argv.includes('--seconds') ? seconds : 90),
    ),
    vus: values.vus,
    think: values.think,
    endpoint,
    shift: process.argv.includes('--shift') ? shift : 0.1,
    tolerance: Number(values.tolerance),
    ...(values['delay-ms'] ? { delayMs: Number(values['delay-ms']) } : {}),
    ...(values['paired-delay-ms'] ? { pairedDelayMs: Number(values['paired-delay-ms']) } : {}),
    stateDir: path.resolve(values['state-dir'] ?? path.join(os.tmpdir(), 'perfgate-gate-paired-stack')),
    ports: ports as [string, string, string, string, string],
    designs: designs as PairedDesignName[],
    ...(values.replay ? { replay: [values.replay, ...positionals] } : {}),
  })
} else await main()
