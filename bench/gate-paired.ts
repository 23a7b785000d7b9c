// Gate accuracy, paired against sequential (issue 19): `bench/gate.ts --paired`.
//
//   node --import tsx bench/gate.ts --paired [--parts 1] [--rounds 2] [--seconds 90] [--vus 20]
//        [--think 0.1] [--endpoint clip_detail] [--shift 0.1] [--tolerance 0.05]
//        [--delay-ms N --paired-delay-ms M] [--designs simultaneous,alternating]
//        [--state-dir D --ports pg,redis,app,twitch,app2]
//   node --import tsx bench/gate.ts --paired --replay bench/results/gate-paired-<ts> [more part folders]
//
// One part = rounds of four runs, each of S seconds of load per side and a fresh app process:
//   sequential A_i (the default build alone), paired A/A (app2 = base, app = PR, both default,
//   one k6 process, two VU pools of --vus each), sequential B_i (the regression switch on the
//   endpoint), paired A/B (the switch on the PR side only). With --designs simultaneous,alternating
//   each paired run is followed by the same run in the alternating design (QA_i, QB_i: A B B A
//   slices, the same delay), so both designs meet the same machine in the same part.
// "The same total load time": a paired run of S s loads each side for S s with the same VUs as
// one sequential run, so one paired pair costs what two sequential S-s runs cost in side-seconds
// and requests (and half their wall time, at twice the machine's concurrent load).
// Sequential pairs: A/A = consecutive A runs (chained across parts in time order), A/B = (A_i, B_i).
// The delay: --shift × the endpoint's p95 measured first, for each design under its own load
// (sequential: a calibration run A0; paired: the first paired A/A run's two sides), to 0.1 ms;
// continuing parts take both delays from the first part (--delay-ms, --paired-delay-ms).
// Every run's result.json goes to bench/results/gate-paired-<ts>/ (gitignored) and, when the part
// is done, into gate-paired-<ts>.tar.gz beside it (committed). --replay judges parts together.
import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { measure } from '../src/pipeline.ts'
import { loadPlan } from '../src/plan/load.ts'
import type { RunRecord } from '../src/record/index.ts'
import type { PairedDesignName } from '../src/plan/types.ts'
import { parseStackOutput } from '../__tests__/helpers/stack.ts'
import { judgeParts, formatVerdictTables, p95Of, type Part, type PartRun } from './gate-paired-judge.ts'

const run = promisify(execFile)

export interface PairedBenchOptions {
  root: string
  k6: string
  parts: number
  rounds: number
  seconds: number
  /** Load of one paired run; default 2 × seconds: the wall time of two sequential runs. */
  pairedSeconds: number
  vus: string
  think: string
  endpoint: string
  shift: number
  tolerance: number
  delayMs?: number
  pairedDelayMs?: number
  /** The paired designs each round runs, in this order (default: simultaneous only). */
  designs: PairedDesignName[]
  stateDir: string
  ports: [string, string, string, string, string]
  replay?: string[]
}

const log = (line: string) => process.stderr.write(`${line}\n`)

/** The KEY=value lines `scripts/stack.mjs up`/`env` print. */
export const parseEnv = parseStackOutput

const envArgs = (flag: string, env: Record<string, string>) =>
  Object.entries(env).flatMap(([k, v]) => [flag, `${k}=${v}`])

async function readParts(dirs: string[]): Promise<Part[]> {
  const parts: Part[] = []
  for (const dir of dirs) {
    const summary = JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')) as {
      runs: Omit<PartRun, 'record'>[]
      delayMs: number
      pairedDelayMs: number
    }
    const labels = new Set(await readdir(dir))
    const runs: PartRun[] = []
    for (const r of summary.runs) {
      if (!labels.has(r.label)) continue
      const record = JSON.parse(await readFile(path.join(dir, r.label, 'result.json'), 'utf8')) as RunRecord
      runs.push({ ...r, record })
    }
    parts.push({ dir, runs, delayMs: summary.delayMs, pairedDelayMs: summary.pairedDelayMs })
  }
  return parts.sort((a, b) => (a.runs[0]?.startedAt ?? '').localeCompare(b.runs[0]?.startedAt ?? ''))
}

export async function pairedBench(o: PairedBenchOptions): Promise<void> {
  const scratch = path.join(os.tmpdir(), `perfgate-gate-paired-${process.pid}`)
  await mkdir(scratch, { recursive: true })
  if (o.replay) {
    const parts = await readParts(o.replay.map((d) => path.resolve(d)))
    const judged = await judgeParts(parts, { endpoint: o.endpoint, scratch, seconds: o.seconds })
    const out = path.join(path.resolve(o.replay[0]!), '..', 'gate-paired-replay.json')
    await writeFile(out, `${JSON.stringify(judged, null, 2)}\n`)
    process.stdout.write(formatVerdictTables(judged))
    log(`replay of ${parts.length} parts written to ${path.relative(o.root, out)}`)
    return
  }
  const [pg, redis, app, twitch, app2] = o.ports
  const stackBase = ['--state-dir', o.stateDir]
  const stack = async (args: string[]) =>
    parseEnv(
      (
        await run(process.execPath, ['scripts/stack.mjs', ...args], {
          cwd: o.root,
          timeout: 10 * 60_000,
          maxBuffer: 16 * 1024 * 1024,
        })
      ).stdout,
    )
  const stackEnv = await stack([
    'up',
    ...stackBase,
    '--pg-port',
    pg,
    '--redis-port',
    redis,
    '--app-port',
    app,
    '--twitch-port',
    twitch,
    '--app2-port',
    app2,
  ])
  const env = { ...process.env, PERFGATE_TOKEN: stackEnv.USER_TOKEN! }
  let delayMs = o.delayMs
  let pairedDelayMs = o.pairedDelayMs
  const regress = (ms: number) => ({ REGRESS_ENDPOINT: o.endpoint, REGRESS_DELAY_MS: String(ms) })
  const round1 = (x: number) => Math.max(0.1, Math.round(x * 10) / 10)
  try {
    for (let part = 0; part < o.parts; part++) {
      const outRoot = path.join(
        o.root,
        'bench',
        'results',
        `gate-paired-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      )
      await mkdir(outRoot, { recursive: true })
      const runs: Omit<PartRun, 'record'>[] = []
      const writeSummary = () =>
        writeFile(
          path.join(outRoot, 'summary.json'),
          `${JSON.stringify({ seconds: o.seconds, pairedSeconds: o.pairedSeconds, vus: Number(o.vus), thinkTimeScale: Number(o.think), endpoint: o.endpoint, shift: o.shift, tolerance: o.tolerance, delayMs, pairedDelayMs, designs: o.designs, runs }, null, 2)}\n`,
        )
      const once = async (label: string, kind: PartRun['kind'], prEnv: Record<string, string>) => {
        const alternating = kind === 'alt-aa' || kind === 'alt-ab'
        const paired = alternating || kind === 'paired-aa' || kind === 'paired-ab'
        const outputDir = path.join(outRoot, label)
        const plan = await loadPlan(
          {
            'target-url': stackEnv.TARGET_URL,
            ...(paired ? { 'baseline-url': stackEnv.BASELINE_URL } : {}),
            ...(alternating ? { 'paired-design': 'alternating' } : {}),
            vus: o.vus,
            duration: `${paired ? o.pairedSeconds : o.seconds}s`,
            'think-time-scale': o.think,
            'fail-on': 'regression',
            'k6-path': o.k6,
            baseline: 'none',
            'output-dir': outputDir,
          },
          { cwd: outRoot, env },
        )
        // fresh processes for every run (fault 5 leaks a goroutine per clip detail)
        await stack(['restart-app', ...stackBase, ...envArgs('--env', prEnv)])
        if (paired) await stack(['restart-app2', ...stackBase])
        const startedAt = new Date().toISOString()
        const loadAvg = os.loadavg()[0]!
        const record = await measure(plan, { env, log: () => {} })
        await writeFile(path.join(outputDir, 'result.json'), JSON.stringify(record))
        const entry = { label, kind, startedAt, loadAvg, regressDelayMs: Number(prEnv.REGRESS_DELAY_MS ?? 0) }
        runs.push(entry)
        await writeSummary()
        const pr = p95Of(record, o.endpoint)
        const base = p95Of(record, o.endpoint, 'base')
        log(
          `${label} (${kind}, load ${loadAvg.toFixed(1)}): ${o.endpoint} p95 ${paired ? `base ${base.toFixed(2)} / pr ` : ''}${pr.toFixed(2)} ms`,
        )
        return record
      }
      log(`part ${part + 1}/${o.parts}: ${o.rounds} rounds of ${o.seconds} s, ${outRoot}`)
      if (delayMs === undefined) {
        const a0 = await once('A0', 'seq-a', {})
        delayMs = round1(o.shift * p95Of(a0, o.endpoint))
        log(`sequential calibration: REGRESS_DELAY_MS=${delayMs}`)
      }
      // The paired runs of a round, A/A or A/B, in every design asked for. The delay is calibrated on
      // the first design's A/A run and is the same in both: one code change, two ways to measure it.
      const pairedRuns = async (ab: boolean, i: number, env: () => Record<string, string>) => {
        for (const design of o.designs) {
          const simultaneous = design === 'simultaneous'
          const label = `${simultaneous ? 'P' : 'Q'}${ab ? 'B' : 'A'}${i}`
          const kind = simultaneous ? (ab ? 'paired-ab' : 'paired-aa') : ab ? 'alt-ab' : 'alt-aa'
          const record = await once(label, kind, env())
          if (!ab && pairedDelayMs === undefined) {
            pairedDelayMs = round1(
              (o.shift * (p95Of(record, o.endpoint) + p95Of(record, o.endpoint, 'base'))) / 2,
            )
            log(`paired calibration: REGRESS_DELAY_MS=${pairedDelayMs}`)
          }
        }
      }
      for (let i = 1; i <= o.rounds; i++) {
        await once(`A${i}`, 'seq-a', {})
        await pairedRuns(false, i, () => ({}))
        await once(`B${i}`, 'seq-b', regress(delayMs))
        await pairedRuns(true, i, () => regress(pairedDelayMs!))
      }
      await writeSummary()
      await run('tar', [
        'czf',
        `${outRoot}.tar.gz`,
        '-C',
        path.dirname(outRoot),
        '--exclude=*.ndjson*',
        path.basename(outRoot),
      ])
      log(`part ${part + 1} done: ${path.relative(o.root, outRoot)}.tar.gz`)
      const parts = await readParts([outRoot])
      process.stdout.write(
        formatVerdictTables(await judgeParts(parts, { endpoint: o.endpoint, scratch, seconds: o.seconds })),
      )
    }
  } finally {
    await stack(['restart-app', ...stackBase]).catch(() => {})
    await stack(['down', ...stackBase])
  }
}
