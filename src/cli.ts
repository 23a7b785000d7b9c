// The CLI front door: `perfgate run|report|compare|profile`. Same pipeline as the action,
// publishing to a folder instead of GitHub.
import { Command, Option } from 'commander'
import { INPUT_NAMES } from './plan/inputs.ts'
import { loadPlan, type Inputs } from './plan/load.ts'
import { runPipeline } from './pipeline.ts'
import { oneLine } from './errors.ts'
import { VERSION } from './version.ts'
import { formatProgress } from './progress.ts'

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
  'baseline-path': 'baseline result.json',
  'baseline-branch': 'branch with committed baseline records',
  'baseline-history': 'earlier records used for run-to-run spread',
  'fail-on': 'slo, regression, slo,regression or never',
  mode: 'run, comment or merge',
  'report-name': 'report name',
  'output-dir': 'output folder (default: ./perfgate-report)',
  shards: 'number of k6 shards',
  shard: 'index of this shard (0-based)',
  debug: 'print stack traces',
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
    runCommand.addOption(new Option(`--${name} <value>`, INPUT_HELP[name] ?? name))
  }
  runCommand
    .addOption(new Option('--out <dir>', 'alias of --output-dir'))
    .addOption(new Option('--repo <dir>', 'repository checkout searched for query sources (default: cwd)'))
    .action(async (options: Record<string, string | undefined>) => {
      if (options.out && !options.outputDir) options.outputDir = options.out
      const plan = await loadPlan(inputsFrom(options, env), { cwd: process.cwd(), env })
      const result = await runPipeline(plan, {
        env,
        log: (line) => process.stderr.write(`${line}\n`),
        onProgress: (progress) => process.stderr.write(`${formatProgress(progress)}\n`),
      })
      process.stdout.write(`result: ${result.resultPath}\n`)
    })
  return program
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv)
  } catch (error) {
    process.stderr.write(`perfgate: ${oneLine(error)}\n`)
    process.exitCode = 1
  }
}

await main()
