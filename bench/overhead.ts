// Overhead beyond the load (issue 18): the demo's settings (`npm run demo`: 60 s, 30 VUs, think-time
// scale 0.5, every collector, no baseline) run N times against the testbed with its faults off and
// on, each time with the adaptive cool-down and with a fixed 10 s one, interleaved (order swapped
// every other round, so drift hits both alike). Prints each stage's median, the overhead beyond the
// load (k6's exit → the verdict written and the report rendered) and the cool-down, per variant.
//
//   node --import tsx bench/overhead.ts [--runs 3] [--duration 60s] [--vus 30] [--think 0.5]
//
// The pipeline runs in this process from src/ (as `perfgate run` does, minus the CLI's argument
// parsing): render and publish are the CLI's (the reports written to the folder, the paths printed);
// an action's artifact upload and PR comment are not part of it. The stack is the tests' private
// stack `overhead-d` (scripts/stack.mjs on free ports, state dir under .perfgate-stack-test/); the
// app is restarted before every run with FAULTS=off|on, so leaked goroutines do not pile up, and
// with its defaults at the end. Raw results (every run's result.json, log and the summary) go to
// bench/results/overhead-<timestamp>.tar.gz. 4 × N runs of the load plus ~15 s each.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { loadPlan } from '../src/plan/load.ts'
import { recordStages, runPipeline, writeReportFiles } from '../src/pipeline.ts'
import { overheadBeyondLoad, type StageSpan } from '../src/record/stages.ts'
import { StageTimeline } from '../src/timeline.ts'
import type { RunRecord } from '../src/record/index.ts'
import { downStack, stackCommand, upStack } from '../__tests__/helpers/stack.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const STACK = 'overhead-d'
const K6 = path.join(os.homedir(), '.cache', 'perfgate', 'bin', 'k6')

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '60s' },
    vus: { type: 'string', default: '30' },
    think: { type: 'string', default: '0.5' },
  },
})
const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs is ${values.runs}: give a whole number ≥ 1`)

type Faults = 'off' | 'on'
type Variant = 'adaptive' | 'fixed 10 s'

interface RunResult {
  name: string
  faults: Faults
  variant: Variant
  round: number
  spans: StageSpan[]
  /** k6's exit → the end of publish (the CLI's: reports written, paths printed). */
  overheadMs: number
  coolDownMs: number
  coolDownReason?: string
  leakFound: boolean
  requests: number
  verdict: string
  /** The whole run, plan to publish. */
  wallMs: number
  /** Writing result.json again with the render and publish stages, after publish. */
  rewriteMs: number
}

async function oneRun(
  stack: Record<string, string>,
  out: string,
  name: string,
  faults: Faults,
  variant: Variant,
  round: number,
): Promise<RunResult> {
  const dir = path.join(out, name)
  await mkdir(dir, { recursive: true })
  const lines: string[] = []
  const log = (line: string) => lines.push(line)
  const env = { ...process.env, PERFGATE_TOKEN: stack.USER_TOKEN ?? 'user-1-token' }
  const started = performance.now()
  const stages = new StageTimeline(log)
  // The demo's inputs (scripts/demo.mjs).
  const plan = await loadPlan(
    {
      'target-url': stack.TARGET_URL,
      ...(existsSync(K6) ? { 'k6-path': K6 } : {}),
      'database-url': stack.DATABASE_URL_RO,
      'redis-url': stack.REDIS_URL,
      'metrics-url': stack.METRICS_URL,
      'pprof-url': stack.PPROF_URL,
      'debug-auth-header': `Authorization: Bearer ${stack.ADMIN_TOKEN}`,
      'app-stats-urls': stack.APP_STATS_URLS,
      baseline: 'none',
      'fail-on': 'never',
      duration: values.duration,
      vus: values.vus,
      'think-time-scale': values.think,
      'output-dir': dir,
    },
    { cwd: ROOT, env },
  )
  plan.repoDir = ROOT
  if (variant === 'fixed 10 s') {
    plan.collectors.coolDownS = 10
    plan.collectors.coolDownFixed = true
  }
  stages.ended('plan')
  const outcome = await runPipeline(plan, { env, log, stages })
  const reports = await stages.time('render', () => writeReportFiles(outcome, plan, {}, log))
  const publishStart = stages.spans.at(-1)!.endMs
  log(`verdict: ${outcome.gate.verdict}\nresult: ${outcome.resultPath}\nreport: ${reports.paths.markdown}`)
  stages.ended('publish', publishStart)
  // As the CLI: result.json written again with render and publish (after publish's span ends).
  const rewriteStart = performance.now()
  await recordStages(outcome, stages, log)
  const rewriteMs = Math.round(performance.now() - rewriteStart)
  stages.logOverhead()
  const wallMs = performance.now() - started
  const record: RunRecord = outcome.record
  await writeFile(path.join(dir, 'perfgate.log'), lines.join('\n') + '\n')
  // Only the record and the log are kept: k6's output, profiles and plans are large and not needed.
  for (const f of await readdir(dir))
    if (f !== 'result.json' && f !== 'perfgate.log') await rm(path.join(dir, f), { recursive: true })
  const overhead = overheadBeyondLoad(stages.spans)!
  const profiles = record.profiles
  const coolDown = profiles && !('unavailable' in profiles) ? profiles.coolDown : undefined
  return {
    name,
    faults,
    variant,
    round,
    spans: [...stages.spans],
    overheadMs: overhead.ms,
    coolDownMs: overhead.coolDownMs,
    ...(coolDown ? { coolDownReason: coolDown.reason } : {}),
    leakFound: record.findings.some((f) => f.kind === 'goroutine-leak'),
    requests: 'unavailable' in record.load ? 0 : record.load.overall.count,
    verdict: outcome.gate.verdict,
    wallMs: Math.round(wallMs),
    rewriteMs,
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const sec = (ms: number) => (ms / 1000).toFixed(2)

/** One column per faults × variant: each stage's median duration, then the overhead and cool-down. */
function table(results: RunResult[]): string {
  const groups: [Faults, Variant][] = [
    ['off', 'adaptive'],
    ['off', 'fixed 10 s'],
    ['on', 'adaptive'],
    ['on', 'fixed 10 s'],
  ]
  const of = (f: Faults, v: Variant) => results.filter((r) => r.faults === f && r.variant === v)
  const stageNames = [...new Set(results.flatMap((r) => r.spans.map((s) => s.stage)))]
  const cell = (rs: RunResult[], pick: (r: RunResult) => number | undefined) => {
    const xs = rs.map(pick).filter((x): x is number => x !== undefined)
    return xs.length ? sec(median(xs)) : '—'
  }
  const duration = (stage: string) => (r: RunResult) => {
    const spans = r.spans.filter((s) => s.stage === stage)
    return spans.length ? spans.reduce((sum, s) => sum + s.endMs - s.startMs, 0) : undefined
  }
  const header = `| median s (${runs} runs each) | ${groups.map(([f, v]) => `faults ${f}, ${v}`).join(' | ')} |`
  const rows = [
    header,
    `|---|${groups.map(() => '---:').join('|')}|`,
    ...stageNames.map(
      (stage) => `| ${stage} | ${groups.map(([f, v]) => cell(of(f, v), duration(stage))).join(' | ')} |`,
    ),
    `| **overhead beyond the load** (k6 exit → verdict, report) | ${groups.map(([f, v]) => `**${cell(of(f, v), (r) => r.overheadMs)}**`).join(' | ')} |`,
    `| overhead without the cool-down | ${groups.map(([f, v]) => cell(of(f, v), (r) => r.overheadMs - r.coolDownMs)).join(' | ')} |`,
    `| cool-down (min–max) | ${groups
      .map(([f, v]) => {
        const xs = of(f, v).map((r) => r.coolDownMs)
        return `${sec(median(xs))} (${sec(Math.min(...xs))}–${sec(Math.max(...xs))})`
      })
      .join(' | ')} |`,
    `| goroutine leak found | ${groups.map(([f, v]) => `${of(f, v).filter((r) => r.leakFound).length} of ${of(f, v).length}`).join(' | ')} |`,
    `| whole run (plan → publish) | ${groups.map(([f, v]) => cell(of(f, v), (r) => r.wallMs)).join(' | ')} |`,
    `| result.json rewritten with render and publish (after publish) | ${groups.map(([f, v]) => cell(of(f, v), (r) => r.rewriteMs)).join(' | ')} |`,
  ]
  return rows.join('\n')
}

async function main() {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const out = await mkdtemp(path.join(os.tmpdir(), `perfgate-overhead-${stamp}-`))
  const results: RunResult[] = []
  const started = Date.now()
  try {
    await upStack(STACK)
    for (const faults of ['off', 'on'] as const) {
      for (let round = 1; round <= runs; round++) {
        const order: Variant[] = round % 2 ? ['adaptive', 'fixed 10 s'] : ['fixed 10 s', 'adaptive']
        for (const variant of order) {
          const stack = await stackCommand(STACK, ['restart-app', '--env', `FAULTS=${faults}`])
          const name = `faults-${faults}-${variant === 'adaptive' ? 'adaptive' : 'fixed'}-${round}`
          process.stderr.write(`overhead bench: ${name}…`)
          const r = await oneRun(stack, out, name, faults, variant, round)
          process.stderr.write(
            ` overhead ${sec(r.overheadMs)} s, cool-down ${sec(r.coolDownMs)} s (${r.coolDownReason ?? 'no reason'}), leak ${r.leakFound ? 'found' : 'not found'}\n`,
          )
          results.push(r)
        }
      }
    }
  } finally {
    await stackCommand(STACK, ['restart-app']).catch(() => undefined)
    await downStack(STACK).catch(() => undefined)
  }
  const summary = {
    date: new Date().toISOString(),
    node: process.version,
    settings: { runs, duration: values.duration, vus: values.vus, think: values.think },
    loadAverage: os.loadavg(),
    benchMinutes: Math.round((Date.now() - started) / 6000) / 10,
    results,
  }
  await writeFile(path.join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')
  const archive = path.join(ROOT, 'bench', 'results', `overhead-${stamp}.tar.gz`)
  execFileSync('tar', ['czf', archive, '-C', out, '.'])
  await rm(out, { recursive: true })
  console.log(table(results))
  console.log(
    `\n${summary.benchMinutes} min; load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}; raw: ${path.relative(ROOT, archive)}`,
  )
}

await main()
