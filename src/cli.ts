// The CLI front door: `perfgate run|report|compare|profile`. Same pipeline as the action,
// publishing to a folder instead of GitHub.
import './event-file-guard.ts'
import { Command, Option } from 'commander'
import { INPUT_NAMES } from './plan/inputs.ts'
import { loadPlan, SECRET_INPUTS, type Inputs } from './plan/load.ts'
import { inputSecrets, SecretScrubber } from './secrets.ts'
import path from 'node:path'
import { mkdir, realpath, stat } from 'node:fs/promises'
import {
  finishPipeline,
  judgeRecord,
  recordStages,
  rejudgeRecord,
  runPipeline,
  writeReportFiles,
  type PipelineDeps,
  type PipelineOutcome,
} from './pipeline.ts'
import { isShardRun, mergeShards, runShard } from './shard/index.ts'
import type { Plan } from './plan/types.ts'
import type { RunRecord } from './record/index.ts'
import { readRecord } from './record/io.ts'
import { copyRawFiles } from './record/raw-files.ts'
import { profileDiffCommand, profileTopCommand } from './analyze/pprof/cli.ts'
import { oneLine } from './errors.ts'
import { VERSION } from './version.ts'
import { StageTimeline } from './timeline.ts'
import { formatProgress } from './progress.ts'
import { handleInterrupts } from './interrupt.ts'
import { cliDebugRequested, collectorLines, debugRequested } from './debug-log.ts'

const INPUT_HELP: Record<string, string> = {
  'target-url': 'base URL of the deployment under test',
  config: 'path of perfgate.yml (default: ./perfgate.yml when present)',
  script: 'your own k6 script instead of the generated scenario',
  vus: 'peak virtual users',
  duration: 'load duration, e.g. 90s or 3m',
  'think-time-scale': 'multiplier for think times, e.g. 0.25',
  'k6-path': 'k6 binary to use',
  'github-token': 'token for GitHub baselines (not needed offline)',
  'database-url': 'PostgreSQL DSN (read-only session)',
  'redis-url': 'Redis URL (read-only commands)',
  'metrics-url': 'Prometheus text endpoint',
  'pprof-url': 'Go net/http/pprof base URL',
  'debug-auth-header': 'header for metrics/pprof/app-stats, e.g. "Authorization: Bearer x"',
  'app-stats-urls': 'comma-separated JSON stats endpoints',
  baseline: 'artifact, path, branch or none',
  'baseline-url': 'base-branch deployment loaded side by side with target-url (paired run)',
  'paired-design': 'paired run: simultaneous (default) or alternating',
  'baseline-metrics-url': 'base deployment Prometheus text endpoint (paired run)',
  'baseline-pprof-url': 'base deployment Go net/http/pprof base URL (paired run)',
  'baseline-debug-auth-header': 'header for the base deployment collectors (default: debug-auth-header)',
  'baseline-app-stats-urls': 'base deployment JSON stats endpoints (paired run)',
  'baseline-path': 'baseline result.json',
  'baseline-branch': 'branch with committed baseline records',
  'baseline-history': 'earlier records used for run-to-run spread',
  'fail-on': 'slo, regression, slo,regression or never',
  mode: 'run, or merge with --from <dir> (comment is for the action only)',
  'report-name': 'report name',
  'output-dir': 'output folder (default: ./perfgate-report)',
  shards: 'number of k6 shards',
  shard: 'index of this shard (0-based)',
  comment: 'action only (the CLI posts no comment)',
  summary: 'action only (the CLI writes no job summary)',
  debug: 'true: print stack traces and what each collector gathered (also PERFGATE_DEBUG=true)',
}

/** Reads `--flag` values under the action's input names; PERFGATE_<NAME> env vars fill the rest. */
function inputsFrom(options: Record<string, string | undefined>, env: NodeJS.ProcessEnv): Inputs {
  const inputs: Inputs = {}
  for (const name of INPUT_NAMES) {
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    inputs[name] = options[key] ?? env[`PERFGATE_${name.replace(/-/g, '_').toUpperCase()}`]
  }
  if (options.repo) inputs.repo = options.repo
  return inputs
}

/** Prints where the reports are and turns the gate into the exit code. */
async function finish(outcome: PipelineOutcome, plan: Plan, stages?: StageTimeline): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`)
  const render = () => writeReportFiles(outcome, plan, {}, log)
  const reports = await (stages ? stages.time('render', render) : render())
  const { gate } = outcome
  // The CLI publishes to its folder: the reports are written, what is left is telling where they are.
  const started = stages?.spans.at(-1)?.endMs ?? 0
  process.stdout.write(
    [
      `verdict: ${gate.verdict}${gate.reasons.length ? ` (${gate.reasons.join('; ')})` : ''}`,
      `result: ${path.relative(process.cwd(), outcome.resultPath) || outcome.resultPath}`,
      `report: ${path.relative(process.cwd(), reports.paths.markdown)}`,
      `html:   ${path.relative(process.cwd(), reports.paths.html)}`,
      '',
    ].join('\n'),
  )
  if (stages) {
    stages.ended('publish', started)
    await recordStages(outcome, stages, log)
    stages.logOverhead()
  }
  if (gate.failed) process.exitCode = 1
}

export function buildCli(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('perfgate')
    .description(
      'Load-test a deployment with k6, explain the numbers, compare with a baseline, gate on SLOs and regressions.',
    )
    .version(VERSION)
    .showHelpAfterError()

  const runCommand = program
    .command('run')
    .description(
      'run the whole pipeline without GitHub publishing; writes result.json and the report to a folder',
    )
  for (const name of INPUT_NAMES) {
    // `--debug` alone means true, as its help says.
    const value = name === 'debug' ? '[value]' : '<value>'
    runCommand.addOption(new Option(`--${name} ${value}`, INPUT_HELP[name] ?? name))
  }
  runCommand
    .addOption(new Option('--out <dir>', 'alias of --output-dir'))
    .addOption(new Option('--repo <dir>', 'repository checkout searched for query sources (default: cwd)'))
    .addOption(
      new Option('--from <dir>', 'mode merge: folder holding one sub-folder per shard (<dir>/*/result.json)'),
    )
    .action(async (options: Record<string, string | undefined>) => {
      // From the command's start, so the plan's own time is a stage too.
      const stages = new StageTimeline((line) => process.stderr.write(`${line}\n`))
      if (options.out && !options.outputDir) options.outputDir = options.out
      if ((options.debug as unknown) === true) options.debug = 'true'
      const inputs = inputsFrom(options, env)
      // Offline there is no artifact to find: a baseline comes from --baseline-path.
      if (!inputs.baseline) inputs.baseline = inputs['baseline-path'] ? 'path' : 'none'
      // The CLI has no GitHub client: without this it would run the whole load, then find no baseline.
      if (inputs.baseline === 'artifact' || inputs.baseline === 'branch')
        throw new Error(
          `baseline is "${inputs.baseline}": the CLI cannot read GitHub artifacts or baseline branches (only the action can); give a baseline result.json with --baseline-path, or --baseline none`,
        )
      const modeProblem = cliModeProblem(inputs.mode?.trim(), options.from)
      if (modeProblem) throw new Error(modeProblem)
      const plan = await loadPlan(inputs, { cwd: process.cwd(), env })
      stages.ended('plan')
      const interrupt = handleInterrupts((line) => process.stderr.write(`${line}\n`))
      // After SIGINT/SIGTERM the partial record and report are still written, then 130/143.
      const exitOnInterrupt = () => {
        if (interrupt.exitCode() !== undefined) process.exitCode = interrupt.exitCode()
        interrupt.dispose()
      }
      const deps: PipelineDeps = {
        env,
        signal: interrupt.signal,
        log: (line) => process.stderr.write(`${line}\n`),
        onProgress: (progress) => process.stderr.write(`${formatProgress(progress)}\n`),
        stages,
      }
      if (isShardRun(plan)) {
        const shard = await runShard(plan, deps).finally(exitOnInterrupt)
        process.stdout.write(
          `shard ${plan.shard} of ${plan.shards}: ${path.relative(process.cwd(), shard.resultPath)}\n`,
        )
        return
      }
      const outcome =
        plan.mode === 'merge'
          ? await finishPipeline(await mergeShards(plan, { from: options.from! }, deps.log), plan, deps)
          : await runPipeline(plan, deps).catch((error: unknown) => {
              exitOnInterrupt()
              throw error
            })
      if (debugRequested(inputs.debug, env))
        for (const line of collectorLines(outcome.record)) process.stderr.write(`${line}\n`)
      await finish(outcome, plan, stages).finally(exitOnInterrupt)
    })

  program
    .command('report')
    .description(
      'rebuild every output (report, comment, summary, verdict) from a result.json and the raw files beside it, into a new folder',
    )
    .argument('<result>', 'result.json of a run (read only: its folder is never written)')
    .option('--baseline <file>', 'baseline result.json (default: the comparison recorded in the run)')
    .option('--config <file>', 'perfgate.yml for SLOs and tolerances (default: those recorded in the run)')
    .option('--fail-on <value>', 'slo, regression, slo,regression or never (default: as recorded)')
    .option('--report-name <name>', 'report name', 'perfgate')
    .option('--out <dir>', 'output folder (default: ./perfgate-rebuilt, or -2, -3… when that exists)')
    .action(async (resultFile: string, options: Record<string, string | undefined>) => {
      const log = (line: string) => process.stderr.write(`${line}\n`)
      const record = await readRecord(resultFile)
      const from = path.dirname(path.resolve(resultFile))
      const out = await reportFolder(resultFile, options.out)
      await mkdir(out, { recursive: true })
      for (const problem of await copyRawFiles(record, from, out)) log(`report: ${problem}`)
      const plan = await planForRecord(record, { ...options, out }, env)
      // Without --baseline the record's own comparison stands; SLOs and the gate are judged afresh.
      const outcome = await finishPipeline(
        record,
        plan,
        { env, log },
        undefined,
        options.baseline ? undefined : (r, baseline) => rejudgeRecord(r, plan, baseline),
      )
      await finish(outcome, plan)
    })

  program
    .command('compare')
    .description('compare two result.json files: per-metric verdicts with evidence; exit 1 on a regression')
    .argument('<baseline>', 'baseline result.json')
    .argument('<current>', 'current result.json')
    .option('--config <file>', 'perfgate.yml for tolerances')
    .option('--fail-on <value>', 'regression, slo, slo,regression or never', 'regression')
    .option('--json', 'print the comparison as JSON')
    .action(
      async (baselineFile: string, currentFile: string, options: Record<string, string | undefined>) => {
        const [baseline, current] = await Promise.all([readRecord(baselineFile), readRecord(currentFile)])
        const plan = await planForRecord(current, { ...options, baseline: baselineFile }, env)
        const { slos, comparison, gate } = judgeRecord(current, plan, {
          baseline,
          history: [baseline],
          source: baselineFile,
          notes: [],
        })
        if (options.json) process.stdout.write(`${JSON.stringify({ comparison, slos, gate }, null, 2)}\n`)
        else {
          for (const row of comparison.rows)
            process.stdout.write(`${row.verdict.padEnd(12)} ${row.message}\n`)
          for (const note of comparison.notes) process.stdout.write(`note: ${note}\n`)
          process.stdout.write(
            `verdict: ${gate.verdict}${gate.reasons.length ? ` (${gate.reasons.join('; ')})` : ''}\n`,
          )
        }
        if (gate.failed) process.exitCode = 1
      },
    )

  const profile = program.command('profile').description('pprof tables without a Go toolchain')
  profile
    .command('top')
    .description('print a profile as `go tool pprof -top` does')
    .argument('<file>', 'profile (.pb.gz or raw protobuf)')
    .option('--sample-index <name>', 'sample type, e.g. cpu, alloc_space, inuse_space, delay')
    .option('--node-count <n>', 'rows to show')
    .action(async (file: string, options: { sampleIndex?: string; nodeCount?: string }) => {
      const out = await profileTopCommand(file, { ...options, nodeCount: nodeCount(options.nodeCount) })
      ;(out.ok ? process.stdout : process.stderr).write(out.text)
      if (!out.ok) process.exitCode = 1
    })
  profile
    .command('diff')
    .description('functions whose share grew most from BASE to FILE, then `-top -normalize -diff_base`')
    .argument('<base>', 'baseline profile')
    .argument('<file>', 'current profile')
    .option('--sample-index <name>', 'sample type')
    .option('--node-count <n>', 'rows to show')
    .action(async (base: string, file: string, options: { sampleIndex?: string; nodeCount?: string }) => {
      const out = await profileDiffCommand(base, file, {
        ...options,
        nodeCount: nodeCount(options.nodeCount),
      })
      ;(out.ok ? process.stdout : process.stderr).write(out.text)
      if (!out.ok) process.exitCode = 1
    })
  return program
}

/**
 * Why `--mode` cannot run in the CLI as given, in one line: `comment` reads a pull-request run's
 * artifact from GitHub (the action's job); `merge` needs the shards' folders. Checked before the
 * plan, so neither falls through to a load test or to an error about target-url.
 */
function cliModeProblem(mode: string | undefined, from: string | undefined): string | undefined {
  if (mode === 'comment')
    return 'mode is "comment": it posts the report of a pull-request run from GitHub and runs in the action only (a workflow_run workflow); the CLI allows run, or merge with --from <dir>; to rebuild a report from a result.json use perfgate report <result.json>'
  if (mode === 'merge' && !from)
    return 'mode merge needs --from <dir>: the folder with one sub-folder per shard, each holding its result.json (e.g. perfgate run --mode merge --shards 3 --from shards)'
  return undefined
}

/** `--node-count`: a whole number of rows, in decimal digits (parseInt would take "5x", NaN shows all). */
function nodeCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1)
    throw new Error(`--node-count is ${JSON.stringify(text)}: expected a whole number of rows of at least 1`)
  return Number(text)
}

/**
 * A plan for judging a recorded run again: its own SLOs and gate policy unless a config or
 * --fail-on is given. The target URL is the record's and only a placeholder here (nothing is
 * loaded), so no error can speak of a target-url the command does not take.
 */
async function planForRecord(
  record: RunRecord,
  options: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv,
): Promise<Plan> {
  const recorded = record.outcome?.policy
  const plan = await loadPlan(
    {
      'target-url': 'http://127.0.0.1/',
      ...(options.config ? { config: options.config } : {}),
      'fail-on':
        options.failOn ??
        (options.config ? undefined : recorded ? recorded.failOn.join(',') || 'never' : undefined),
      'report-name': options.reportName,
      'output-dir': options.out ?? process.cwd(),
      ...(options.baseline
        ? { baseline: 'path', 'baseline-path': path.resolve(options.baseline) }
        : { baseline: 'none' }),
    },
    { cwd: process.cwd(), env },
  )
  if (options.config) return { ...plan, targetUrl: record.meta.targetUrl }
  return {
    ...plan,
    targetUrl: record.meta.targetUrl,
    slos: record.plan.slos,
    gate: { ...plan.gate, ...(recorded ? { tolerances: recorded.tolerances } : {}) },
  }
}

/** Where `perfgate report` writes: --out, or the first free ./perfgate-rebuilt[-N]; never the input's folder. */
async function reportFolder(resultFile: string, out: string | undefined): Promise<string> {
  const inputDir = await realpath(path.dirname(path.resolve(resultFile)))
  const real = (dir: string) => realpath(dir).catch(() => path.resolve(dir))
  if (out !== undefined) {
    if ((await real(out)) === inputDir)
      throw new Error(
        `--out ${out} is the folder of ${resultFile}: perfgate report never writes over its input; name another folder`,
      )
    return path.resolve(out)
  }
  for (let n = 1; ; n++) {
    const candidate = path.resolve(n === 1 ? 'perfgate-rebuilt' : `perfgate-rebuilt-${n}`)
    const exists = await stat(candidate).then(
      () => true,
      () => false,
    )
    if (!exists && (await real(candidate)) !== inputDir) return candidate
  }
}

/** The secrets among `--name value` / `--name=value` flags and PERFGATE_* variables. */
function argvSecrets(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const inputs: Record<string, string | undefined> = {}
  for (const name of INPUT_NAMES) inputs[name] = env[`PERFGATE_${name.replace(/-/g, '_').toUpperCase()}`]
  argv.forEach((arg, i) => {
    const flag = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    if (flag && (INPUT_NAMES as readonly string[]).includes(flag[1]!))
      inputs[flag[1]!] = flag[2] ?? argv[i + 1]
  })
  return inputSecrets(inputs, SECRET_INPUTS, env)
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv)
  } catch (error) {
    // Input errors may quote a URL with its credentials: nothing secret is printed.
    const scrubber = new SecretScrubber(argvSecrets(argv, process.env))
    process.stderr.write(`perfgate: ${scrubber.scrub(oneLine(error))}\n`)
    if (cliDebugRequested(argv, process.env) && error instanceof Error && error.stack)
      process.stderr.write(`${scrubber.scrub(error.stack)}\n`)
    // 130/143 after an interrupt stay: they say why the run ended.
    if (typeof process.exitCode !== 'number' || process.exitCode < 128) process.exitCode = 1
  }
}

await main()
