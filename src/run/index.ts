// The run stage: find k6, check the target answers, run the scenario, aggregate k6's output
// into the record's `load` part. Runtime outcomes (thresholds crossed, k6 dying mid-run)
// become data; only a run that produced nothing at all throws.
import { copyFile, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import type { Plan } from '../plan/types.ts'
import { prepareOutputDir } from '../plan/output-dir.ts'
import type { LoadPart } from '../record/load.ts'
import { ALTERNATING_SLICE_S, followLoad, type LoadLooks } from './live-load.ts'
import { generatePairedScript } from './paired-script.ts'
import { pairedSideOf } from './paired-looks.ts'
import type { PairedSide } from '../record/paired.ts'
import type { StageTimeline } from '../timeline.ts'
import { findK6, type LocatedK6 } from './k6-locate.ts'
import { K6RunFailed, runK6Process, type K6Progress } from './k6-process.ts'
import { K6_EXTERNAL_ABORT, K6_STOPPED_FROM_API, K6_THRESHOLDS_CROSSED } from '../record/k6-exit-codes.ts'
import { generateScript, SUMMARY_TREND_STATS } from './script-gen.ts'
import { assertTargetAnswers, type TargetAnswer, type TargetCheckOptions } from './target.ts'
import { SecretScrubber } from '../secrets.ts'
import { abortReason } from '../interrupt.ts'
import { executionSegment, executionSegmentArgs } from '../shard/policy.ts'
import { applyOverrides, inspectScript, type ScriptRun } from './inspect.ts'
import { ResponseSampleCollector, SAMPLE_MARKER } from './response-samples.ts'

export { aggregateK6File } from './aggregate-file.ts'

export const FILES = {
  script: 'k6-script.js',
  ndjson: 'k6.ndjson.gz',
  summaryText: 'k6-summary.txt',
  summaryJson: 'k6-summary.json',
  warmUpScript: 'k6-warm-up-script.js',
  warmUpSummary: 'k6-warm-up-summary.json',
} as const

export interface RunLoadDeps {
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
  onProgress?: (p: K6Progress) => void
  signal?: AbortSignal
  /** Tests shorten these. */
  progressIntervalMs?: number
  targetCheck?: TargetCheckOptions
  /** What prepareScriptRun read from a user's script (else runLoad reads it itself). */
  scriptRun?: PreparedScriptRun
  /** k6 as located before anything touched the target (the pipeline fails fast on a missing k6). */
  k6?: { path: string; version: string }
  /** Every secret of the run: response samples are scrubbed with it before they are kept. */
  scrubber?: SecretScrubber
  /** The run's stage timeline: k6's own run is the "load" stage, reading its output "aggregation". */
  stages?: StageTimeline
  /** The paired stopping rule: the load judged at these looks, and ended at the first that resolves it. */
  looks?: LoadLooks
  /** How often k6's output is read during the load (tests shorten it). */
  followIntervalMs?: number
}

/** A user's script as it will run: k6's inspect result after the overrides, and their k6 flags. */
export interface PreparedScriptRun {
  run: ScriptRun
  args: string[]
}

/**
 * Reads a user's script with `k6 inspect` and applies the `vus`/`duration` inputs; throws one line
 * (before any load) when they cannot apply. Undefined for generated scenarios.
 */
export async function prepareScriptRun(
  plan: Plan,
  deps: RunLoadDeps = {},
): Promise<PreparedScriptRun | undefined> {
  if (!plan.script) return undefined
  const path = resolve(plan.script)
  if (!(await exists(path))) throw new Error(`script ${plan.script} does not exist (looked at ${path})`)
  const k6 = deps.k6 ?? (await findK6({ k6Path: plan.k6Path, env: deps.env }))
  const inspected = await inspectScript(k6.path, path, { env: deps.env ?? process.env })
  return applyOverrides(plan.script, inspected, plan.scenario.overrides ?? {})
}

export async function locateK6(
  plan: Plan,
  deps: RunLoadDeps = {},
): Promise<{ path: string; version: string }> {
  const found: LocatedK6 = await findK6({ k6Path: plan.k6Path, env: deps.env, log: deps.log })
  deps.log?.(`k6 v${found.version} (${found.source}: ${found.path})`)
  return { path: found.path, version: found.version }
}

/** Waits up to the plan's `target-wait` for the target to answer; throws one line when it never does. */
export async function checkTarget(plan: Plan, deps: RunLoadDeps = {}): Promise<TargetAnswer> {
  const options = {
    ...(plan.targetWaitS !== undefined ? { waitS: plan.targetWaitS } : {}),
    ...(deps.log ? { log: deps.log } : {}),
    ...deps.targetCheck,
  }
  // A paired run loads both: the base deployment must answer too, before any load.
  const [answer] = await Promise.all([
    assertTargetAnswers(plan.targetUrl, options),
    ...(plan.baselineUrl
      ? [assertTargetAnswers(plan.baselineUrl, { ...options, input: 'baseline-url' })]
      : []),
  ])
  return answer!
}

/** Runs k6 against the target; the caller checks first that the target answers (checkTarget). */
export async function runLoad(
  plan: Plan,
  outDir: string,
  deps: RunLoadDeps = {},
): Promise<{
  load: LoadPart
  k6Version: string
  pairedBase?: PairedSide
  endedAtLook?: number
}> {
  const env = deps.env ?? process.env
  await prepareOutputDir(outDir)
  const script = await prepareScript(plan, outDir)
  const k6 = deps.k6 ?? (await locateK6(plan, deps))
  const scriptRun = script.generated
    ? undefined
    : (deps.scriptRun ?? (await prepareScriptRun(plan, { ...deps, k6 })))

  const ndjson = join(outDir, FILES.ndjson)
  const summaryJson = join(outDir, FILES.summaryJson)
  const args = [
    'run',
    '--no-color',
    '--quiet', // no progress bars or banner in stdout: stdout is then exactly the end-of-test summary
    '--no-usage-report',
    '--out',
    `json=${ndjson}`, // k6 gzips when the name ends in .gz
    '--summary-export',
    summaryJson,
    '--summary-trend-stats',
    SUMMARY_TREND_STATS.join(','),
    // A shard runs its execution segment of the same scenario (none when unsharded).
    ...executionSegmentArgs(plan),
    // The `vus`/`duration` inputs as k6's own overrides of the user's script.
    ...(scriptRun?.args ?? []),
    script.path,
  ]
  deps.log?.(
    (script.generated
      ? `running the "${plan.scenario.name}" scenario: up to ${plan.scenario.vus} VUs for ${plan.scenario.durationS} s against ${plan.targetUrl}` +
        (plan.baselineUrl
          ? plan.pairedDesign === 'alternating'
            ? `, alternating with ${plan.baselineUrl} in A B B A slices of ${ALTERNATING_SLICE_S} s (paired run, alternating design)`
            : `, and the same on a pool of its own against ${plan.baselineUrl} (paired run, simultaneous design)`
          : '') +
        (plan.pairedMaxDurationS
          ? `; then on at the last stage's VUs for up to ${plan.pairedMaxDurationS} s in all, until every gated row resolves (stopping rule)`
          : '')
      : `running ${plan.script} against ${plan.targetUrl}: ${describeScriptRun(scriptRun!.run)}`) +
      (plan.shards > 1
        ? ` as shard ${plan.shard} of ${plan.shards} (execution segment ${executionSegment(plan.shard, plan.shards).segment})`
        : ''),
  )
  // The generated script logs its first failing answers; a user's script is re-requested after the load.
  const samples = script.generated
    ? new ResponseSampleCollector(deps.scrubber ?? runScrubber(plan, env))
    : undefined
  const time = <T>(stage: string, work: () => Promise<T>) =>
    deps.stages ? deps.stages.time(stage, work) : work()
  // k6's output is read while k6 writes it: after its exit only the last seconds are left.
  const followed = followLoad(plan, ndjson, {
    ...(deps.looks ? { looks: deps.looks } : {}),
    ...(deps.followIntervalMs ? { intervalMs: deps.followIntervalMs } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  })
  const outcome = await time('load', () =>
    runK6Process({
      finish: followed.finish,
      k6Path: k6.path,
      args,
      cwd: script.cwd,
      env: {
        ...env,
        PERFGATE_TARGET_URL: plan.targetUrl,
        // A script may scale its sleeps by this (the generated scenario does).
        PERFGATE_THINK_TIME_SCALE: String(plan.scenario.thinkTimeScale),
        K6_NO_USAGE_REPORT: 'true',
        K6_WEB_DASHBOARD: 'false',
      },
      totalS: scriptRun ? scriptRun.run.durationS : (plan.pairedMaxDurationS ?? plan.scenario.durationS),
      onProgress: deps.onProgress,
      progressIntervalMs: deps.progressIntervalMs,
      signal: deps.signal,
      ...(samples ? { onStderrLine: (line: string) => samples.line(line) } : {}),
    }),
  )
  // After k6's exit: part of the overhead beyond the load (timeline.ts).
  const aggregate = await time('aggregation', async () => {
    await writeFile(join(outDir, FILES.summaryText), outcome.stdout)
    await dropSetupData(summaryJson)
    return followed.end().catch((error: Error) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    })
  })
  const requests = aggregate?.result.overall.count ?? 0
  const exit = outcome.exitCode
  // Ended by the stopping rule: k6 exits as stopped over its API (or as SIGINT'd), as planned.
  const finishedEarly =
    outcome.finished && !outcome.aborted && (exit === K6_STOPPED_FROM_API || exit === K6_EXTERNAL_ABORT)
  const failed = outcome.aborted || (exit !== 0 && exit !== K6_THRESHOLDS_CROSSED && !finishedEarly)
  if (failed && requests === 0) {
    const how = outcome.aborted
      ? `was stopped (${abortReason(deps.signal) ?? 'aborted'})`
      : exit === null
        ? `was killed (${outcome.signal})`
        : `exited with code ${exit}`
    // The first line is what a one-line error shows: k6's own last error message belongs there.
    const scrubber = deps.scrubber ?? runScrubber(plan, env)
    const inSetup = thrownInSetup(outcome.stderrTail)
    const reason = scrubber.scrub(
      inSetup
        ? `the script's setup() failed, so the load did not run (k6 ${how}): ${lastK6Error(outcome.stderrTail)}`
        : `k6 ${how} before any request completed: ${lastK6Error(outcome.stderrTail)}`,
    )
    throw new K6RunFailed(`${reason}\n${scrubber.scrub(outcome.stderrTail.join('\n'))}`, reason, inSetup)
  }
  if (!aggregate) throw new Error(`k6 finished but wrote no ${FILES.ndjson}`)

  let partial: string | undefined
  if (outcome.aborted)
    partial = `${abortReason(deps.signal) ?? 'the run was stopped'} after ${Math.round(outcome.elapsedS)} s`
  else if (failed) {
    const how = exit === null ? `was killed (${outcome.signal})` : `exited with code ${exit}`
    partial = `k6 ${how} after ${Math.round(outcome.elapsedS)} s: ${lastK6Error(outcome.stderrTail)}`
  } else if (aggregate.truncated) partial = aggregate.truncated

  if (aggregate.result.foldedEndpoints) deps.log?.(`k6 output: ${aggregate.result.foldedEndpoints}`)
  const unusableAsBaseline =
    requests === 0
      ? 'it completed no request'
      : outcome.aborted
        ? `the load was stopped early (${partial})`
        : undefined

  const files: string[] = [FILES.ndjson, FILES.summaryText]
  if (await exists(summaryJson)) files.push(FILES.summaryJson)
  files.unshift(script.file)
  const { result } = aggregate
  const load: LoadPart = {
    startedAt: new Date(result.startMs).toISOString(),
    endedAt: new Date(result.endMs).toISOString(),
    durationS: round3(result.durationS),
    windowS: result.windowS,
    vusMax: result.vusMax,
    ...(result.vusCurve.length > 0 ? { vusCurve: result.vusCurve } : {}),
    overall: result.overall,
    endpoints: result.endpoints,
    k6Summary:
      outcome.stdout.trim() || '(the script replaced k6’s end-of-test summary with its own handleSummary)',
    k6ExitCode: exit ?? -1,
    thresholdsCrossed: exit === K6_THRESHOLDS_CROSSED,
    ...(partial ? { partial } : {}),
    ...(unusableAsBaseline ? { unusableAsBaseline } : {}),
    files,
    source: { kind: script.generated ? 'generated' : 'script', script: script.file },
    ...(scriptRun ? { scriptRun: scriptRun.run } : {}),
    ...(aggregate.malformed ? { malformedLines: aggregate.malformed } : {}),
    ...(samples && samples.samples().length > 0 ? { responseSamples: samples.samples() } : {}),
  }
  // k6's own count (and the progress line, read from k6) includes setup()/teardown() requests,
  // which are not part of the load: name them apart so the two counts visibly agree.
  const k6Requests = await summaryRequestCount(summaryJson)
  const baseRequests = aggregate.base?.overall.count ?? 0
  const outsideLoad = k6Requests === undefined ? 0 : k6Requests - load.overall.count - baseRequests
  deps.log?.(
    `k6 done: ${load.overall.count} requests` +
      (outsideLoad > 0 ? ` (+${outsideLoad} in setup()/teardown(), not part of the load)` : '') +
      `, ${(load.overall.errorRate * 100).toFixed(2)} % errors, p95 ${load.overall.duration.p95Ms} ms` +
      (load.thresholdsCrossed ? ' (the script’s thresholds were crossed)' : '') +
      (partial ? ` — partial: ${partial}` : '') +
      (aggregate.base
        ? `; base side: ${baseRequests} requests, p95 ${aggregate.base.overall.duration.p95Ms} ms`
        : ''),
  )
  const pairedBase =
    aggregate.base && plan.baselineUrl ? pairedSideOf(aggregate.base, plan.baselineUrl) : undefined
  const endedAtLook = followed.endedAtLook()
  return {
    load,
    k6Version: k6.version,
    ...(pairedBase ? { pairedBase } : {}),
    ...(finishedEarly && endedAtLook !== undefined ? { endedAtLook } : {}),
  }
}

/**
 * The warm-up: `warm-up` seconds of the scenario (ramping to its first stage's VUs) in a k6 run of
 * its own, so that none of its requests can reach the measured load's numbers; run it before the
 * collectors' first snapshot so their deltas leave it out too. Only its totals are kept (put them
 * in `load.warmUp`). A failing warm-up is noted and the measured run goes on. Undefined when off.
 */
export async function runWarmUp(
  plan: Plan,
  outDir: string,
  deps: RunLoadDeps = {},
): Promise<LoadPart['warmUp']> {
  if (!plan.warmUpS || plan.script) return undefined
  const env = deps.env ?? process.env
  const durationS = plan.warmUpS
  await prepareOutputDir(outDir)
  const k6Path = deps.k6?.path ?? (await findK6({ k6Path: plan.k6Path, env })).path
  const target = plan.scenario.stages[0]?.target || plan.scenario.vus
  const scenario = { ...plan.scenario, durationS, stages: [{ duration: `${durationS}s`, target }] }
  const path = join(resolve(outDir), FILES.warmUpScript)
  await writeFile(path, generateScript({ ...(await scriptInputs(plan)), scenario }))
  const summary = join(outDir, FILES.warmUpSummary)
  deps.log?.(`warm-up: ${durationS} s ramping to ${target} VUs (not part of the results)`)
  const outcome = await runK6Process({
    k6Path,
    args: ['run', '--no-color', '--quiet', '--no-usage-report', '--summary-export', summary, path],
    cwd: resolve(outDir),
    env: {
      ...env,
      PERFGATE_TARGET_URL: plan.targetUrl,
      K6_NO_USAGE_REPORT: 'true',
      K6_WEB_DASHBOARD: 'false',
    },
    totalS: durationS,
    signal: deps.signal,
    // Its failing answers are not reported: their marker lines must not end up in a note.
    onStderrLine: (line) => line.includes(SAMPLE_MARKER),
  })
  await dropSetupData(summary)
  const totals = await summaryTotals(summary)
  const failed = outcome.exitCode !== 0 && outcome.exitCode !== K6_THRESHOLDS_CROSSED
  const note = failed
    ? `k6 ${outcome.aborted ? 'was stopped' : `exited with code ${outcome.exitCode}`}: ${lastK6Error(outcome.stderrTail)}`
    : undefined
  deps.log?.(`warm-up done: ${totals.requestsCount} requests${note ? ` (${note})` : ''}`)
  return { durationS, ...totals, ...(note ? { note } : {}), files: [FILES.warmUpScript, FILES.warmUpSummary] }
}

/** The secrets runLoad knows of when the pipeline gave none (the pipeline's secretsOf knows more). */
function runScrubber(plan: Plan, env: NodeJS.ProcessEnv): SecretScrubber {
  return new SecretScrubber([
    env.PERFGATE_TOKEN,
    env['INPUT_GITHUB-TOKEN'],
    plan.collectors.databaseUrl,
    plan.collectors.redisUrl,
    plan.collectors.debugAuthHeader,
  ])
}

/** `default: constant-vus, 2 VUs for 5 s (the duration and vus inputs)`. */
export function describeScriptRun(run: ScriptRun): string {
  const scenarios = run.scenarios.map((s) => `${s.name}: ${s.executor}`).join(', ')
  const given = [
    run.overrides?.durationS !== undefined ? 'duration' : '',
    run.overrides?.vus !== undefined ? 'vus' : '',
  ]
    .filter(Boolean)
    .join(' and ')
  return `${scenarios}, up to ${run.maxVUs} VUs for ${Math.round(run.durationS)} s${given ? ` (the ${given} input${given.includes(' and ') ? 's' : ''})` : ''}`
}

interface PreparedScript {
  /** Path k6 runs. */
  path: string
  /** Name of the copy in the output folder. */
  file: string
  cwd: string
  generated: boolean
}

/** The user's script runs in place (its relative imports keep working); a copy goes beside the results. */
async function prepareScript(plan: Plan, outDir: string): Promise<PreparedScript> {
  if (plan.script) {
    const path = resolve(plan.script)
    if (!(await exists(path))) throw new Error(`script ${plan.script} does not exist (looked at ${path})`)
    const file = basename(path) === FILES.summaryText ? `user-${basename(path)}` : basename(path)
    await copyFile(path, join(outDir, file))
    return { path, file, cwd: process.cwd(), generated: false }
  }
  const inputs = await scriptInputs(plan)
  const text = plan.baselineUrl
    ? generatePairedScript({
        ...inputs,
        baselineUrl: plan.baselineUrl,
        design: plan.pairedDesign ?? 'simultaneous',
        sliceS: ALTERNATING_SLICE_S,
        ...(plan.pairedMaxDurationS ? { maxDurationS: plan.pairedMaxDurationS } : {}),
      })
    : generateScript(inputs)
  const path = join(resolve(outDir), FILES.script)
  await writeFile(path, text)
  return { path, file: FILES.script, cwd: resolve(outDir), generated: true }
}

/** What the generated script is built from; the fixtures file must exist. */
async function scriptInputs(plan: Plan): Promise<Parameters<typeof generateScript>[0]> {
  let fixturesPath: string | undefined
  if (plan.scenario.fixtures) {
    fixturesPath = resolve(plan.scenario.fixtures)
    if (!(await exists(fixturesPath))) {
      throw new Error(
        `scenario fixtures file ${plan.scenario.fixtures} does not exist (looked at ${fixturesPath})`,
      )
    }
  }
  return { targetUrl: plan.targetUrl, scenario: plan.scenario, endpoints: plan.endpoints, fixturesPath }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** Lines of k6's error kept in the one-line cause: enough for its list of configuration problems. */
const K6_ERROR_LINES = 5

/**
 * k6's last error log line (`level=error msg="…"`), else its last line of stderr, as one line.
 * A message spans lines when k6 lists problems under a heading ("There were problems with the
 * specified script configuration:\n\t- …"): those lines are kept, a JS stack (`\tat …`) is not.
 */
/**
 * Whether k6's error is an exception thrown in the script's setup(): k6 logs its JS stack with
 * newlines and tabs escaped, `msg="Error: …\n\tat setup (file:///…)"`.
 */
export function thrownInSetup(stderrTail: string[]): boolean {
  return stderrTail.some((line) => /(?:\\t|\s)at setup \(/.test(line))
}

export function lastK6Error(stderrTail: string[]): string {
  for (const line of [...stderrTail].reverse()) {
    const match = /level=error msg="((?:[^"\\]|\\.)*)"/.exec(line)
    if (!match) continue
    const lines = match[1]!
      .replace(/\\"/g, '"')
      .split(/\\n/)
      .map((part) => part.replace(/\\t/g, ' ').trim())
      .filter((part) => part !== '' && !/^at /.test(part))
    const [heading = '', ...details] = lines
    const kept = details.slice(0, K6_ERROR_LINES - 1).map((part) => part.replace(/^- /, ''))
    const more = details.length > kept.length ? `; and ${details.length - kept.length} more` : ''
    return kept.length ? `${heading} ${kept.join('; ')}${more}` : heading
  }
  return stderrTail.at(-1)?.trim() || '(no output)'
}

/** Requests and failure rate of a k6 summary export (zeros when k6 wrote none). */
async function summaryTotals(summaryJson: string): Promise<{ requestsCount: number; errorRate: number }> {
  try {
    const summary = JSON.parse(await readFile(summaryJson, 'utf8')) as {
      metrics?: { http_reqs?: { count?: unknown }; http_req_failed?: { value?: unknown } }
    }
    const count = Number(summary.metrics?.http_reqs?.count ?? 0)
    const rate = Number(summary.metrics?.http_req_failed?.value ?? 0)
    return {
      requestsCount: Number.isFinite(count) ? count : 0,
      errorRate: Number.isFinite(rate) ? Math.round(rate * 1e4) / 1e4 : 0,
    }
  } catch {
    return { requestsCount: 0, errorRate: 0 }
  }
}

/** `http_reqs` of k6's summary export: every request k6 made, setup() and teardown() included. */
export async function summaryRequestCount(summaryJson: string): Promise<number | undefined> {
  try {
    const summary = JSON.parse(await readFile(summaryJson, 'utf8')) as {
      metrics?: { http_reqs?: { count?: unknown } }
    }
    const count = summary.metrics?.http_reqs?.count
    return typeof count === 'number' && Number.isFinite(count) ? count : undefined
  } catch {
    return undefined
  }
}

/**
 * k6's --summary-export writes what setup() returned as `setup_data`: for generated scripts that
 * holds the bearer tokens, so it must never reach the artifact. Nothing else reads it.
 */
export async function dropSetupData(summaryJson: string): Promise<void> {
  let summary: Record<string, unknown>
  try {
    summary = JSON.parse(await readFile(summaryJson, 'utf8')) as Record<string, unknown>
  } catch {
    return // no summary (k6 died early) or not JSON: nothing to clean
  }
  if (!('setup_data' in summary)) return
  delete summary.setup_data
  await writeFile(summaryJson, `${JSON.stringify(summary, null, 2)}\n`)
}
