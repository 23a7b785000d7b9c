// The one pipeline both front doors call: plan → run → collect → analyze → compare → report.
// Publishing (GitHub or a folder) stays with the caller.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Plan } from './plan/types.ts'
import { prepareOutputDir } from './plan/output-dir.ts'
import {
  SCHEMA_VERSION,
  type RunRecord,
  type RunMeta,
  type PlanSummary,
  type RunOutcome,
} from './record/index.ts'
import { writeRecord } from './record/io.ts'
import { loadProfileFiles, loadRunFiles, runFileProblems, type RunFiles } from './record/files.ts'
import { checkTarget, locateK6, prepareScriptRun, runLoad, runWarmUp, type RunLoadDeps } from './run/index.ts'
import { K6RunFailed } from './run/k6-process.ts'
import { defaultCollectDeps, scriptTimeline, startCollectors } from './collect/index.ts'
import { resampleFailures } from './collect/resample.ts'
import { baseCollectorParts, liveBaseProfiles, startBaseCollectors } from './collect/base-side.ts'
import { findBaseline, type BaselineDeps, type BaselineResult } from './baseline/index.ts'
import type { GitHubContext } from './github/context.ts'
import { evaluateSlos } from './analyze/slo.ts'
import { analyzeRecord, loadAnalysisInputs } from './analyze/index.ts'
import { compare, gateVerdict, refOf } from './compare/index.ts'
import { judgePaired, pairedComparison } from './compare/paired-load.ts'
import { pairedStopping } from './run/paired-looks.ts'
import type { PairedPart } from './record/paired.ts'
import type { LoadPart } from './record/load.ts'
import type { Comparison, GateVerdict, SloResult } from './record/compare.ts'
import { isUnavailable } from './record/common.ts'
import { abortReason } from './interrupt.ts'
import { fixtureTokens, SecretScrubber, secretParts } from './secrets.ts'
import { scrubOutputFiles } from './scrub-files.ts'
import { oneLine } from './errors.ts'
import { VERSION } from './version.ts'
import { StageTimeline } from './timeline.ts'
import { notCollectedSession, runsCollectors } from './shard/policy.ts'
import {
  buildReportModel,
  renderReports,
  reportFiles,
  writeReports,
  type ReportLinks,
  type WrittenReports,
} from './report/index.ts'

export interface PipelineDeps {
  env: NodeJS.ProcessEnv
  log: (line: string) => void
  onProgress?: RunLoadDeps['onProgress']
  /** Aborted on SIGINT/SIGTERM (interrupt.ts): the load stops and the record is partial. */
  signal?: AbortSignal
  now?: () => Date
  /** The run's stage timeline (timeline.ts); the pipeline starts one when none is given. */
  stages?: StageTimeline
  /** Present in the action: where baselines are looked up. */
  github?: { context?: GitHubContext; baselineDeps?: BaselineDeps }
}

export function summarisePlan(plan: Plan): PlanSummary {
  return {
    scenario: plan.scenario.name,
    vus: plan.scenario.vus,
    durationS: plan.scenario.durationS,
    stages: plan.scenario.stages,
    thinkTimeScale: plan.scenario.thinkTimeScale,
    userTypes: plan.scenario.userTypes.map(({ name, weight }) => ({ name, weight })),
    ...(plan.script ? { script: path.basename(plan.script) } : {}),
    endpoints: plan.endpoints.map(({ name, method, route }) => ({ name, method, route })),
    slos: plan.slos,
  }
}

/** Facts about where the run happened, from the runner's environment when there is one. */
export function runMeta(plan: Plan, env: NodeJS.ProcessEnv, startedAt: Date, endedAt: Date): RunMeta {
  const pr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1]
  return {
    tool: 'perfgate',
    toolVersion: VERSION,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    targetUrl: plan.targetUrl,
    git: {
      ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
      ...(env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME
        ? { ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME }
        : {}),
      ...(env.GITHUB_BASE_REF ? { baseRef: env.GITHUB_BASE_REF } : {}),
      ...(pr ? { pr: Number(pr) } : {}),
      ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    },
    workflow: {
      ...(env.GITHUB_RUN_ID ? { runId: Number(env.GITHUB_RUN_ID) } : {}),
      ...(env.GITHUB_RUN_ATTEMPT ? { runAttempt: Number(env.GITHUB_RUN_ATTEMPT) } : {}),
      ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
      ...(env.GITHUB_JOB ? { job: env.GITHUB_JOB } : {}),
      ...(env.GITHUB_SERVER_URL ? { serverUrl: env.GITHUB_SERVER_URL } : {}),
    },
    ...(plan.shards > 1 ? { shard: { index: plan.shard, count: plan.shards } } : {}),
  }
}

export function secretsOf(plan: Plan, env: NodeJS.ProcessEnv): SecretScrubber {
  const c = plan.collectors
  // Credentials inside the other URLs (user:password@, ?token=), not the URLs themselves.
  const urlCredentials = [
    plan.targetUrl,
    plan.baselineUrl,
    c.metricsUrl,
    c.pprofUrl,
    ...c.appStatsUrls,
    c.base?.metricsUrl,
    c.base?.pprofUrl,
    ...(c.base?.appStatsUrls ?? []),
  ].flatMap((url) => secretParts(url).filter((part) => part !== url))
  return new SecretScrubber([
    c.databaseUrl,
    c.redisUrl,
    c.debugAuthHeader,
    c.base?.debugAuthHeader,
    env['INPUT_GITHUB-TOKEN'],
    // The load test's bearer token (the generated script reads it from the environment).
    env.PERFGATE_TOKEN,
    ...urlCredentials,
    ...fixtureTokensOf(plan),
  ])
}

/** The fixtures file's tokens (Bearer headers of the generated script); none when it is unreadable. */
function fixtureTokensOf(plan: Plan): string[] {
  if (!plan.scenario.fixtures) return []
  try {
    return fixtureTokens(readFileSync(path.resolve(plan.scenario.fixtures), 'utf8'))
  } catch {
    return []
  }
}

/** What the stages produced, for the front door to publish. */
export interface PipelineOutcome {
  record: RunRecord
  resultPath: string
  baseline: BaselineResult
  slos: SloResult[]
  comparison: Comparison
  gate: GateVerdict
  /** The raw files beside result.json, read once for the analysis and the report. */
  files: RunFiles
}

/** Runs the load with the collectors around it; returns the record (not yet written). */
export async function measure(plan: Plan, deps: PipelineDeps): Promise<RunRecord> {
  const scrubber = secretsOf(plan, deps.env)
  try {
    return await measureScrubbed(plan, deps, scrubber)
  } catch (error) {
    // k6's stderr (a setup() error quoting a token) and collector errors reach the message.
    throw new Error(scrubber.scrub(error instanceof Error ? error.message : String(error)))
  }
}

async function measureScrubbed(plan: Plan, deps: PipelineDeps, scrubber: SecretScrubber): Promise<RunRecord> {
  const now = deps.now ?? (() => new Date())
  const log = (line: string) => deps.log(scrubber.scrub(line))
  const stages = deps.stages ?? new StageTimeline(log)
  await prepareOutputDir(plan.outputDir)
  // Before anything touches the target: a missing k6 ends the run before any collector starts, and a
  // user's script is read (and refused when the inputs cannot apply) before the target sees any request.
  const k6 = await stages.time('k6 locate', () => locateK6(plan, { env: deps.env, log }))
  const scriptRun = plan.script
    ? await stages.time('script check', () => prepareScriptRun(plan, { env: deps.env, k6 }))
    : undefined
  await stages.time('target check', () => checkTarget(plan, { env: deps.env, log }))
  // Before the collectors' first snapshot, so no delta holds warm-up traffic.
  const warmUp =
    plan.warmUpS && !plan.script
      ? await stages.time('warm-up', () => runWarmUp(plan, plan.outputDir, { env: deps.env, log, k6 }))
      : undefined
  const startedAt = now()
  // In a sharded run only shard 0 observes the target, so the target sees one set of collectors.
  // A paired run's base side has its own collectors when its URLs are given: started, ticked and
  // finished with the PR side's, so both read the same load window.
  const [session, baseSession] = runsCollectors(plan)
    ? await stages.time('before-collectors', () =>
        Promise.all([
          startCollectors(plan, plan.outputDir, defaultCollectDeps(log), {
            ...(deps.env.PERFGATE_TOKEN ? { probeToken: deps.env.PERFGATE_TOKEN } : {}),
            ...(scriptRun ? { timeline: scriptTimeline(scriptRun.run) } : {}),
            stages,
          }),
          startBaseCollectors(plan, defaultCollectDeps(log)),
        ]),
      )
    : [notCollectedSession(), undefined]
  let load: RunRecord['load'] | undefined
  /** Set when k6 failed before any request: what the collectors' log says instead of "interrupted". */
  let loadNotRun: string | undefined
  let k6Version: string | undefined
  let paired: PairedPart | undefined
  try {
    // runLoad times k6's run ("load") and the aggregation of its output after k6's exit.
    const stopping = pairedStopping(plan, log)
    const result = await runLoad(plan, plan.outputDir, {
      ...(stopping ? { looks: stopping.looks } : {}),
      env: deps.env,
      log,
      k6,
      stages,
      scrubber,
      ...(scriptRun ? { scriptRun } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      onProgress: (progress) => {
        session.tick(progress.elapsedS)
        baseSession?.tick(progress.elapsedS)
        deps.onProgress?.(progress)
      },
    })
    load = warmUp ? { ...result.load, warmUp } : result.load
    k6Version = result.k6Version
    if (result.pairedBase)
      paired = judgePaired({
        design: plan.pairedDesign ?? 'simultaneous',
        current: result.load,
        base: result.pairedBase,
        currentUrl: plan.targetUrl,
        tolerances: plan.gate.tolerances,
        ...(stopping ? { stopping: stopping.record(result.endedAtLook !== undefined) } : {}),
      })
  } catch (error) {
    // setup() threw, the script did not compile: the record keeps k6's reason and what the
    // collectors saw, and the gate fails on "no load data".
    if (!(error instanceof K6RunFailed)) throw error
    log(`perfgate: ${error.message}`)
    load = { unavailable: error.reason }
    loadNotRun = error.inSetup
      ? "the load did not run: k6's setup() failed"
      : 'the load did not run: k6 stopped before any request completed'
  } finally {
    // A load that never ran has nothing to cool down from: no probe, no cool-down wait.
    const stopped = deps.signal?.aborted
      ? (abortReason(deps.signal) ?? 'interrupted')
      : (loadNotRun ?? (load === undefined ? 'the load failed' : undefined))
    const finishing = stopped !== undefined ? { stopped } : {}
    await Promise.all([session.finish(finishing), baseSession?.finish(finishing)])
  }
  // A user's script cannot log its failing answers: each failing endpoint is requested once now,
  // after every collector's snapshots, so the request is in none of their deltas.
  if (
    load &&
    !isUnavailable(load) &&
    load.source?.kind === 'script' &&
    runsCollectors(plan) &&
    !deps.signal?.aborted
  ) {
    const current = load
    const resampled = await stages.time('re-request failing', () =>
      resampleFailures(
        plan,
        current,
        {
          fetch: (input, init) => fetch(input, init),
          log,
          scrubber,
          ...(deps.env.PERFGATE_TOKEN ? { token: deps.env.PERFGATE_TOKEN } : {}),
        },
        deps.signal,
      ),
    )
    if (resampled.samples.length > 0) load = { ...load, responseSamples: resampled.samples }
    if (resampled.skipped.length > 0) load = { ...load, responseSamplesSkipped: resampled.skipped }
  }
  const endedAt = now()
  const meta = await stages.time('record', async () => {
    await scrubOutputFiles(plan.outputDir, scrubber)
    const meta = runMeta(plan, deps.env, startedAt, endedAt)
    // Outside Actions (the CLI), the checkout itself says which commit was measured.
    if (!meta.git?.sha && plan.repoDir) meta.git = { ...meta.git, ...(await localGit(plan.repoDir)) }
    return meta
  })
  return scrubber.scrubDeep({
    schema: SCHEMA_VERSION,
    meta: { ...meta, ...(k6Version ? { k6Version } : {}) },
    plan: summarisePlan(plan),
    load,
    ...session.parts(),
    findings: [],
    ...(paired ? { paired } : {}),
    ...(baseSession ? { baseCollectors: baseCollectorParts(baseSession, plan) } : {}),
    timeline: stages.spans,
  })
}

/** The commit and branch of a local checkout; empty when it is not a git repository. */
async function localGit(dir: string): Promise<{ sha?: string; ref?: string }> {
  const git = (args: string[]) =>
    new Promise<string | undefined>((resolve) =>
      execFile('git', args, { cwd: dir, timeout: 5000 }, (error, stdout) =>
        resolve(error ? undefined : stdout.trim()),
      ),
    )
  const [sha, ref] = await Promise.all([
    git(['rev-parse', 'HEAD']),
    git(['rev-parse', '--abbrev-ref', 'HEAD']),
  ])
  return { ...(sha ? { sha } : {}), ...(ref && ref !== 'HEAD' ? { ref } : {}) }
}

/** Judges a record: SLOs, comparison with the baseline, and the gate. Pure. */
export function judgeRecord(record: RunRecord, plan: Plan, baseline: BaselineResult): RunOutcome {
  const slos = evaluateSlos(record, plan.slos)
  const load = record.load
  // A paired run (baseline-url) is judged on its own two sides, never on a stored baseline.
  const comparison =
    record.paired && !isUnavailable(load)
      ? { ...pairedComparison(rejudgePaired(record.paired, load, plan), load), current: refOf(record) }
      : compare(baseline.baseline, record, plan.gate, baseline.history)
  comparison.notes.push(...baseline.notes)
  if (record.paired && !isUnavailable(load))
    return {
      slos,
      comparison,
      gate: gateOf(record, plan, slos, comparison),
      policy: plan.gate,
      baselineSource: PAIRED_SOURCE,
    }
  return {
    slos,
    comparison,
    gate: gateOf(record, plan, slos, comparison),
    policy: plan.gate,
    ...(baseline.baseline ? { baselineSource: baseline.source } : {}),
  }
}

/**
 * Judges a record again without its baseline at hand: SLOs and gate afresh, the comparison as the
 * record carries it; a record without an outcome (schema 1) is compared with `baseline` (usually
 * none). `perfgate report` without `--baseline` judges this way. Pure.
 */
export function rejudgeRecord(record: RunRecord, plan: Plan, baseline: BaselineResult): RunOutcome {
  const recorded = record.outcome
  if (!recorded) return judgeRecord(record, plan, baseline)
  const slos = evaluateSlos(record, plan.slos)
  const comparison = structuredClone(recorded.comparison)
  return {
    slos,
    comparison,
    gate: gateOf(record, plan, slos, comparison),
    policy: plan.gate,
    ...(recorded.baselineSource ? { baselineSource: recorded.baselineSource } : {}),
  }
}

function gateOf(record: RunRecord, plan: Plan, slos: SloResult[], comparison: Comparison): GateVerdict {
  const load = record.load
  return gateVerdict(slos, comparison, plan.gate, {
    baselineFound: comparison.baselineFound,
    ...(isUnavailable(load)
      ? { loadUnavailable: load.unavailable }
      : { requests: load.overall.count, ...(load.partial ? { partial: load.partial } : {}) }),
  })
}

/**
 * Finds the baseline, validating it (record/io.ts); what is wrong with it becomes a note and the
 * run goes on without it. The pipeline calls this before the load, so a bad baseline is reported
 * before minutes of load are spent.
 */
export async function lookupBaseline(plan: Plan, deps: PipelineDeps): Promise<BaselineResult> {
  const scrubber = secretsOf(plan, deps.env)
  const log = (line: string) => deps.log(scrubber.scrub(line))
  const baseline = await findBaseline(plan, deps.github?.context, {
    ...deps.github?.baselineDeps,
    log,
  }).catch((error: unknown): BaselineResult => ({
    history: [],
    source: plan.baseline.kind,
    notes: [`no baseline: ${scrubber.scrub(oneLine(error))}`],
  }))
  if (baseline.baseline) log(`baseline: ${baseline.source}`)
  for (const note of baseline.notes) log(`baseline: ${note}`)
  return baseline
}

/**
 * The paired rows judged again from the record's two sides with this plan's tolerances: a trusted
 * workflow (`mode: comment`) applies its own policy, not the one the run was measured with.
 */
function rejudgePaired(paired: PairedPart, load: LoadPart, plan: Plan): PairedPart {
  return judgePaired({
    ...(paired.stopping ? { stopping: { ...paired.stopping, alpha: plan.gate.tolerances.alpha } } : {}),
    design: paired.design,
    current: load,
    base: paired.base,
    currentUrl: paired.currentUrl,
    tolerances: plan.gate.tolerances,
  })
}

/** Where a paired run's comparison came from, as the outcome names it. */
const PAIRED_SOURCE = 'baseline-url, loaded side by side in the same run'

/** The "baseline" of a paired run: none stored, the base side is in the record itself. */
function pairedBaseline(): BaselineResult {
  return { history: [], source: PAIRED_SOURCE, notes: [] }
}

/** The whole pipeline but publishing: measure, find the baseline, judge, write result.json. */
export async function runPipeline(plan: Plan, deps: PipelineDeps): Promise<PipelineOutcome> {
  const stages = deps.stages ?? new StageTimeline(deps.log)
  // A paired run measures its baseline itself: no stored one is looked up.
  const baseline = plan.baselineUrl
    ? pairedBaseline()
    : await stages.time('baseline', () => lookupBaseline(plan, deps))
  const record = await measure(plan, { ...deps, stages })
  return finishPipeline(record, plan, { ...deps, stages }, baseline)
}

/**
 * Everything after the measurement; `perfgate report` and `mode: merge` start here too. The
 * baseline is looked up here unless the caller did it already; `judge` replaces the judging
 * (`perfgate report` without a baseline re-judges with the recorded comparison).
 */
export async function finishPipeline(
  record: RunRecord,
  plan: Plan,
  deps: PipelineDeps,
  found?: BaselineResult,
  judge: (record: RunRecord, baseline: BaselineResult) => RunOutcome = (r, b) => judgeRecord(r, plan, b),
): Promise<PipelineOutcome> {
  const scrubber = secretsOf(plan, deps.env)
  const log = (line: string) => deps.log(scrubber.scrub(line))
  const stages = deps.stages ?? new StageTimeline(log)
  const baseline = found ?? (await stages.time('baseline', () => lookupBaseline(plan, deps)))
  // The analysis reads the raw files beside result.json (read once, kept for the report) and the
  // checkout (for FILE:LINE).
  const { files, analyzed } = await stages.time('analysis', async () => {
    const files = await loadRunFiles(record, plan.outputDir)
    // A paired run diffs its profiles with the base deployment's of the same moment, not a stored run's.
    const live = liveBaseProfiles(record, plan.outputDir)
    const baseProfiles = live ? ('missing' in live ? undefined : live) : baseline.profiles
    const baselineFiles = baseProfiles
      ? await loadProfileFiles(baseProfiles.files, baseProfiles.dir)
      : undefined
    for (const problem of [
      ...(live ? [] : (baseline.profileNotes ?? [])),
      ...(baselineFiles ? runFileProblems(baselineFiles) : []),
    ])
      log(`${live ? 'base side' : 'baseline'}: ${problem}`)
    const inputs = await loadAnalysisInputs(files, {
      ...(plan.repoDir ? { repoDir: plan.repoDir } : {}),
      ...(baselineFiles ? { baselineFiles } : {}),
      baselineProfilesMissing:
        live && 'missing' in live ? live.missing : baselineProfilesMissing(baseline, baselineFiles),
    })
    const analyzed = analyzeRecord(record, inputs, { areas: plan.collectors.areas })
    if (live) analyzed.analysis.diffBase = 'live-paired'
    return { files, analyzed }
  })
  record.findings = analyzed.findings
  record.analysis = analyzed.analysis
  log(`analysis: ${analyzed.findings.length} findings`)
  record.outcome = await stages.time('comparison', async () => judge(record, baseline))
  // The stages up to the verdict; render and publish come after result.json is written, and the
  // front door writes it again with them (recordStages). `perfgate report` (no stages given) keeps
  // the measured run's timeline.
  if (deps.stages) record.timeline = [...stages.spans]
  const { slos, comparison, gate } = record.outcome
  const resultPath = path.join(plan.outputDir, 'result.json')
  await writeRecord(resultPath, record)
  return { record, resultPath, baseline, slos, comparison, gate, files }
}

/**
 * Writes result.json again with every stage timed so far: render and publish end after the record
 * was first written, and the record keeps them too (issue 18), not only the log. Only the timeline
 * changes: the rest is the record as written. A failed write is logged, never fatal: the verdict is
 * already out.
 */
export async function recordStages(
  outcome: PipelineOutcome,
  stages: StageTimeline,
  log: (line: string) => void,
): Promise<void> {
  outcome.record.timeline = [...stages.spans]
  await writeRecord(outcome.resultPath, outcome.record).catch((error: unknown) =>
    log(`stage timeline: result.json not rewritten with the render and publish stages: ${oneLine(error)}`),
  )
}

/** Why the profile diff has no baseline profiles, in one line (the report says it once). */
function baselineProfilesMissing(baseline: BaselineResult, files: RunFiles | undefined): string {
  if (!baseline.baseline) return 'there is no baseline run'
  const problems = [...(baseline.profileNotes ?? []), ...(files ? runFileProblems(files) : [])]
  if (files && Object.keys(files.profiles).length > 0) return problems[0] ?? 'none decoded'
  return problems[0] ?? 'the baseline run has no CPU or allocation profile'
}

export interface ReportFiles {
  paths: WrittenReports
  comment: string
  summary: string
}

/** Renders the report of an outcome into the output folder (report.md, report.html, comment.md, summary.md). */
export async function writeReportFiles(
  outcome: PipelineOutcome,
  plan: Plan,
  links: ReportLinks,
  log?: (line: string) => void,
): Promise<ReportFiles> {
  // Profiles and plans sit beside result.json (the record only names them), read by finishPipeline.
  for (const problem of runFileProblems(outcome.files)) log?.(`report: ${problem}`)
  const model = buildReportModel({
    record: outcome.record,
    ...reportFiles(outcome.files),
    ...(outcome.baseline.baseline ? { baseline: outcome.baseline.baseline } : {}),
    comparison: outcome.comparison,
    slos: outcome.slos,
    gate: outcome.gate,
    links,
    reportName: plan.reportName,
  })
  const rendered = renderReports(model)
  const paths = await writeReports(plan.outputDir, rendered)
  return { paths, comment: rendered.comment, summary: rendered.summary }
}
