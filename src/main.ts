// The action's front door: only this module touches @actions/core. It reads the inputs, runs the
// pipeline, publishes (artifact, job summary, sticky comment), sets outputs and turns the gate or
// any error into setFailed with one line. The toolkit and the stages are passed in (ActionDeps),
// so tests drive it with a recording toolkit instead of a runner.
import * as core from '@actions/core'
import { INPUT_NAMES } from './plan/inputs.ts'
import { loadPlan, SECRET_INPUTS, type Inputs } from './plan/load.ts'
import type { Plan } from './plan/types.ts'
import {
  finishPipeline,
  recordStages,
  runPipeline,
  secretsOf,
  writeReportFiles,
  type PipelineDeps,
  type PipelineOutcome,
  type ReportFiles,
} from './pipeline.ts'
import { isShardRun, mergeShards, runShard } from './shard/index.ts'
import { formatProgress } from './progress.ts'
import { inputSecrets, SecretScrubber } from './secrets.ts'
import { oneLine } from './errors.ts'
import { handleInterrupts } from './interrupt.ts'
import {
  createOctokit,
  readGitHubContext,
  runCommentMode,
  uploadReportArtifact,
  writeJobSummary,
  type GitHubClient,
  type GitHubContext,
} from './github/index.ts'
import type { UploadDeps } from './github/artifacts.ts'
import { saveBranchBaseline } from './baseline/index.ts'
import {
  parseCommentPolicy,
  parseSummarySwitch,
  postReportComment,
  type CommentPolicy,
} from './github/comment-policy.ts'
import { collectorLines, debugRequested } from './debug-log.ts'
import { StageTimeline } from './timeline.ts'

interface Publishing {
  comment: CommentPolicy
  summary: boolean
  debug: boolean
}

/** The @actions/core functions the action uses. */
export type Toolkit = Pick<
  typeof core,
  'getInput' | 'setSecret' | 'setOutput' | 'setFailed' | 'info' | 'warning' | 'debug'
>

export interface ActionDeps {
  core: Toolkit
  env: NodeJS.ProcessEnv
  cwd: string
  runPipeline: typeof runPipeline
  finishPipeline: typeof finishPipeline
  runShard: typeof runShard
  mergeShards: typeof mergeShards
  runCommentMode: typeof runCommentMode
  /** The artifact service client (the runner's by default). */
  artifactClient?: UploadDeps['client']
}

function defaultDeps(): ActionDeps {
  return {
    core,
    env: process.env,
    cwd: process.cwd(),
    runPipeline,
    finishPipeline,
    runShard,
    mergeShards,
    runCommentMode,
  }
}

export function readInputs(toolkit: Toolkit = core): Inputs {
  const inputs: Inputs = {}
  for (const name of INPUT_NAMES) inputs[name] = toolkit.getInput(name)
  // Mask before anything can print them: secret inputs, credentials inside URL inputs, PERFGATE_TOKEN.
  for (const part of inputSecrets(inputs, SECRET_INPUTS, process.env)) toolkit.setSecret(part)
  return inputs
}

export async function run(overrides: Partial<ActionDeps> = {}): Promise<void> {
  const deps: ActionDeps = { ...defaultDeps(), ...overrides }
  const { core } = deps
  let debug = false
  let scrubber = new SecretScrubber([])
  const interrupt = handleInterrupts((line) => core.info(line))
  // From the entry on, so the plan's own time is a stage too.
  const stages = new StageTimeline((line) => core.info(line))
  try {
    const inputs = readInputs(core)
    // The runner's own debug mode (re-run with debug logging) turns perfgate's on too.
    debug = debugRequested(inputs.debug, deps.env)
    scrubber = new SecretScrubber(inputSecrets(inputs, SECRET_INPUTS, deps.env))
    const publishing: Publishing = {
      comment: parseCommentPolicy(inputs.comment),
      summary: parseSummarySwitch(inputs.summary),
      debug,
    }
    const plan = await loadPlan(inputs, { cwd: deps.cwd, env: deps.env })
    stages.ended('plan')
    // Everything the plan knows as secret (fixture tokens too) is masked in the log from here on.
    scrubber = secretsOf(plan, deps.env)
    for (const part of scrubber.values) core.setSecret(part)
    const context = readGitHubContext(deps.env)
    const token = inputs['github-token']?.trim()
    const octokit = token
      ? createOctokit({ token, baseUrl: context.apiUrl, log: (line) => core.info(line) })
      : undefined
    if (plan.mode === 'comment') return await commentMode(deps, plan, context, octokit)
    const pipelineDeps: PipelineDeps = {
      env: deps.env,
      signal: interrupt.signal,
      log: (line) => core.info(line),
      onProgress: (p) => core.info(formatProgress(p)),
      stages,
      github: { context, baselineDeps: { ...(octokit ? { octokit } : {}) } },
    }
    if (isShardRun(plan)) {
      // A shard's numbers are a fraction of the test: it uploads its record for the merge job, no gate.
      const shard = await deps.runShard(plan, pipelineDeps, { warn: (line) => core.warning(line) })
      core.setOutput('verdict', 'shard')
      core.setOutput('result-path', shard.resultPath)
      return
    }
    let outcome: PipelineOutcome
    if (plan.mode === 'merge') {
      if (!octokit) throw new Error('mode merge needs the github-token input to download the shard artifacts')
      const merged = await deps.mergeShards(plan, { octokit, context }, (line) => core.info(line))
      outcome = await deps.finishPipeline(merged, plan, pipelineDeps)
    } else {
      outcome = await deps.runPipeline(plan, pipelineDeps)
    }
    await publish(deps, plan, outcome, context, octokit, publishing, stages)
    stages.logOverhead()
  } catch (error) {
    // In the normal log: core.debug would hide it unless the runner's step debugging is on.
    if (debug && error instanceof Error && error.stack) core.info(scrubber.scrub(error.stack))
    core.setFailed(scrubber.scrub(oneLine(error)))
  } finally {
    // Interrupted: what was measured is published (partial), and the step ends with 130/143.
    const code = interrupt.exitCode()
    interrupt.dispose()
    if (code !== undefined) {
      core.setFailed(`perfgate was interrupted by ${interrupt.received()}: the record and report are partial`)
      process.exitCode = code
    }
  }
}

async function publish(
  { core, env, artifactClient }: ActionDeps,
  plan: Plan,
  outcome: PipelineOutcome,
  context: GitHubContext,
  octokit: GitHubClient | undefined,
  publishing: Publishing,
  stages: StageTimeline,
) {
  if (publishing.debug) for (const line of collectorLines(outcome.record)) core.info(line)
  // The reports go into the artifact, so they are written first; they link to the run's artifacts.
  const reports = await stages.time('render', () =>
    writeReportFiles(
      outcome,
      plan,
      { ...(context.runUrl ? { runUrl: context.runUrl, artifactUrl: `${context.runUrl}#artifacts` } : {}) },
      (line) => core.info(line),
    ),
  )
  // result.json goes into the artifact with the render stage; publish's own span (the upload is in
  // it) can only be added after it, to the runner's copy that result-path names.
  await recordStages(outcome, stages, (line) => core.info(line))
  try {
    await stages.time('publish', () =>
      publishReports({ core, env, artifactClient }, plan, outcome, context, octokit, publishing, reports),
    )
  } finally {
    await recordStages(outcome, stages, (line) => core.info(line))
  }
}

async function publishReports(
  { core, env, artifactClient }: Pick<ActionDeps, 'core' | 'env' | 'artifactClient'>,
  plan: Plan,
  outcome: PipelineOutcome,
  context: GitHubContext,
  octokit: GitHubClient | undefined,
  publishing: Publishing,
  reports: ReportFiles,
) {
  const artifact = await uploadReportArtifact(plan.outputDir, plan.reportName, {
    env,
    warn: (line) => core.warning(line),
    ...(artifactClient ? { client: artifactClient } : {}),
  }).catch((error: unknown) => ({ failed: oneLine(error) }))
  if ('failed' in artifact) core.info(`artifact: ${artifact.failed}`)
  const artifactId = 'id' in artifact && artifact.id !== undefined ? String(artifact.id) : ''
  const artifactUrl = artifactId && context.runUrl ? `${context.runUrl}/artifacts/${artifactId}` : ''

  if (publishing.summary) {
    const summary = await writeJobSummary(reports.summary, env)
    if ('skipped' in summary) core.info(`job summary: ${summary.skipped}`)
  } else core.info('job summary: not written (summary: false)')

  let commentUrl = ''
  if (publishing.comment === 'never') {
    core.info('PR comment: not posted (comment: never)')
  } else if (context.prNumber !== undefined && octokit) {
    try {
      const target = {
        owner: context.owner,
        repo: context.repo,
        issueNumber: context.prNumber,
        reportName: plan.reportName,
        body: reports.comment,
      }
      const comment = await postReportComment(octokit, target, publishing.comment, outcome)
      if ('skipped' in comment) {
        core.warning(
          `PR comment not posted (${comment.skipped}); the report is in the job summary. For fork pull requests use mode: comment (examples/perf-fork-comment.yml).`,
        )
      } else {
        commentUrl = comment.url
        core.info(
          comment.action === 'unchanged'
            ? `PR comment unchanged (comment: changes; the verdict and every gated row are as before): ${comment.url}`
            : `PR comment ${comment.action}: ${comment.url}`,
        )
      }
    } catch (error) {
      core.warning(`PR comment not posted: ${oneLine(error)}; the report is in the job summary`)
    }
  } else if (context.prNumber === undefined) {
    core.info('not a pull request run: the report is in the job summary and the artifact')
  }

  if (plan.baseline.kind === 'branch' && context.eventName === 'push') {
    const saved = await saveBranchBaseline(outcome.record, plan, context, {
      ...(octokit ? { octokit } : {}),
    }).catch((error: unknown) => ({ skipped: oneLine(error) }))
    core.info(
      'skipped' in saved ? `baseline branch: not saved (${saved.skipped})` : 'baseline branch: record saved',
    )
  }

  const { gate } = outcome
  core.setOutput('verdict', gate.verdict)
  core.setOutput('report-path', reports.paths.markdown)
  core.setOutput('result-path', outcome.resultPath)
  core.setOutput('comment-url', commentUrl)
  core.setOutput('regressions', String(gate.regressions.length))
  core.setOutput('artifact-id', artifactId)
  core.setOutput('artifact-url', artifactUrl)
  core.setOutput('report-url', commentUrl || artifactUrl || context.runUrl || '')
  core.info(`perfgate verdict: ${gate.verdict}${gate.reasons.length ? ` — ${gate.reasons.join('; ')}` : ''}`)
  if (gate.failed) core.setFailed(gate.reasons[0] ?? 'perfgate gate failed')
}

async function commentMode(
  { core, runCommentMode }: ActionDeps,
  plan: Plan,
  context: GitHubContext,
  octokit?: GitHubClient,
) {
  if (!octokit) throw new Error('mode comment needs the github-token input')
  const result = await runCommentMode({ plan, ctx: context }, { octokit, log: (l) => core.info(l) })
  if ('refused' in result) {
    core.setOutput('verdict', 'refused')
    throw new Error(`mode comment refused the report: ${result.refused}`)
  }
  if ('skipped' in result) {
    core.info(`mode comment: nothing to post (${result.skipped})`)
    core.setOutput('verdict', 'skipped')
    return
  }
  core.setOutput('comment-url', 'url' in result.comment ? result.comment.url : '')
  core.setOutput('verdict', result.gate.verdict)
  core.info(
    `mode comment: posted the report of run ${result.runId} on PR #${result.pr}, re-judged ${result.gate.verdict}`,
  )
}
