// `mode: comment`, the fork-safe half of publishing. A fork's pull_request run has a read-only
// token, so it only writes its record into its artifact. A workflow_run workflow (base repository
// code, write token) then runs this, trusting nothing the fork wrote: it finds the PR from trusted
// data (the workflow_run event and the pulls API, never from the artifact), downloads only the
// record, checks its shape and that it belongs to that PR, commit and run, finds the baseline
// itself, judges the record again with this workflow's plan, renders the comment from the record
// (the fork's comment.md is never read) and sets the commit status from that verdict, not from
// the run's conclusion (a fork's workflow file decides that).
import type { RunRecord } from '../record/index.ts'
import type { GateVerdict } from '../record/compare.ts'
import type { Plan } from '../plan/types.ts'
import { findBaseline, type BaselineResult } from '../baseline/index.ts'
import { artifactNameFor } from '../baseline/types.ts'
import { newestAttemptFirst } from '../baseline/artifact.ts'
import { oneLine } from '../errors.ts'
import type { GitHubContext } from './context.ts'
import { downloadArtifactFiles } from './download.ts'
import { describeError, type GitHubClient } from './octokit.ts'
import { CommentTooLongError, upsertStickyComment, type StickyCommentResult } from './comment.ts'
import { setCommitStatus, type CommitState, type CommitStatusResult } from './status.ts'
import { readForkRecord, RecordError } from './fork-record.ts'
import { judgeForkRecord, type ForkReport } from './fork-report.ts'

export const RESULT_FILE = 'result.json'
// The fork's own comment.md (the rendered PR comment beside result.json) is never read here.

export interface CommentModeInput {
  /** This workflow's plan (the base branch's perfgate.yml and inputs): its SLOs, gate and baseline judge the record. */
  plan: Plan
  /** The workflow_run workflow's context (event = the workflow_run payload). */
  ctx: GitHubContext
}

export interface CommentModeDeps {
  octokit: GitHubClient
  fetch?: typeof fetch
  log?: (line: string) => void
}

export type CommentModeResult =
  | {
      pr: number
      headSha: string
      runId: number
      artifactId: number
      record: RunRecord
      /** The verdict judged here; the status says this one. */
      gate: GateVerdict
      baselineSource: string
      comment: StickyCommentResult
      status: CommitStatusResult
    }
  /** The artifact did not match its run or is malformed: nothing was posted. */
  | { refused: string; runId?: number; pr?: number }
  /** Nothing to do (not a workflow_run of a pull_request, no artifact…). */
  | { skipped: string; runId?: number }

interface WorkflowRunPayload {
  id?: number
  event?: string
  head_sha?: string
  run_attempt?: number
  conclusion?: string | null
  html_url?: string
  head_repository?: { full_name?: string } | null
  repository?: { full_name?: string } | null
  pull_requests?: { number?: number; head?: { sha?: string }; base?: { ref?: string } }[]
}

interface TrustedRun {
  runId: number
  headSha: string
  attempt: number
  pr: number
  baseRef?: string
  runUrl?: string
}

/** Runs `mode: comment` for the workflow_run event in `input.ctx`. Refusals and skips are returned, not thrown. */
export async function runCommentMode(
  input: CommentModeInput,
  deps: CommentModeDeps,
): Promise<CommentModeResult> {
  const { ctx, plan } = input
  const { octokit } = deps
  const log = deps.log ?? (() => {})
  const trusted = await trustedRunOf(octokit, ctx)
  if ('skipped' in trusted) return trusted
  const { runId, pr, headSha } = trusted

  const artifact = await readForkArtifact(octokit, ctx, plan.reportName, trusted, deps)
  if (!('record' in artifact)) return artifact
  const { record } = artifact
  const mismatch = await recordMismatch(octokit, ctx, record, trusted)
  if (mismatch)
    return { refused: `the ${artifact.name} artifact of run ${runId} ${mismatch}: nothing posted`, runId, pr }

  const baseline = await baselineFor(plan, ctx, trusted, deps)
  let report: ForkReport
  try {
    const runUrl = trusted.runUrl ?? `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${runId}`
    report = judgeForkRecord(record, plan, baseline, { runUrl, artifactUrl: `${runUrl}#artifacts` })
  } catch (error) {
    // A record that passed the checks but still breaks the judge or renderer is refused, not posted.
    return {
      refused: `the ${artifact.name} artifact of run ${runId} could not be judged: ${oneLine(error)}`,
      runId,
      pr,
    }
  }
  log(`perfgate comment: re-judged run ${runId}: ${report.gate.verdict} (baseline: ${baseline.source})`)

  let posted: StickyCommentResult
  try {
    posted = await upsertStickyComment(octokit, {
      owner: ctx.owner,
      repo: ctx.repo,
      issueNumber: pr,
      reportName: plan.reportName,
      body: report.comment,
    })
  } catch (error) {
    if (error instanceof CommentTooLongError) return { refused: error.message, runId, pr }
    throw error
  }
  if ('skipped' in posted) log(`perfgate comment: ${posted.skipped}`)
  else log(`perfgate comment ${posted.action}: ${posted.url}`)
  const verdict = statusOf(report.gate)
  const status = await setCommitStatus(octokit, {
    owner: ctx.owner,
    repo: ctx.repo,
    sha: headSha,
    reportName: plan.reportName,
    state: verdict.state,
    description: verdict.description,
    targetUrl: 'url' in posted ? posted.url : (trusted.runUrl ?? ctx.runUrl ?? ''),
  })
  return {
    pr,
    headSha,
    runId,
    artifactId: artifact.artifactId,
    record,
    gate: report.gate,
    baselineSource: baseline.source,
    comment: posted,
    status,
  }
}

/** The run, its attempt and its PR, from the workflow_run event and the API only. */
async function trustedRunOf(
  octokit: GitHubClient,
  ctx: GitHubContext,
): Promise<TrustedRun | { skipped: string; runId?: number }> {
  if (ctx.eventName !== 'workflow_run')
    return {
      skipped: `mode: comment runs in a workflow_run workflow, not on ${ctx.eventName || 'this event'}`,
    }
  const run = (ctx.event.workflow_run ?? {}) as WorkflowRunPayload
  if (typeof run.id !== 'number' || typeof run.head_sha !== 'string')
    return { skipped: 'the workflow_run event has no run id or head sha' }
  const runId = run.id
  if (run.event !== 'pull_request' && run.event !== 'pull_request_target')
    return {
      skipped: `run ${runId} was triggered by ${run.event ?? 'an unknown event'}, not a pull request`,
      runId,
    }
  const pull = await pullRequestOf(octokit, ctx, run)
  if (pull === undefined)
    return { skipped: `no open pull request has head ${run.head_sha.slice(0, 7)} (run ${runId})`, runId }
  return {
    runId,
    headSha: run.head_sha,
    attempt: typeof run.run_attempt === 'number' && run.run_attempt > 0 ? run.run_attempt : 1,
    pr: pull.number,
    ...(pull.baseRef ? { baseRef: pull.baseRef } : {}),
    ...(typeof run.html_url === 'string' ? { runUrl: run.html_url } : {}),
  }
}

type ArtifactRead =
  | { record: RunRecord; name: string; artifactId: number }
  | { refused: string; runId: number; pr: number }
  | { skipped: string; runId: number }

/** The newest attempt's report artifact of the run, and the record in it, checked. */
async function readForkArtifact(
  octokit: GitHubClient,
  ctx: GitHubContext,
  reportName: string,
  run: TrustedRun,
  deps: CommentModeDeps,
): Promise<ArtifactRead> {
  const { runId, pr } = run
  const base = artifactNameFor(reportName)
  const all = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
    owner: ctx.owner,
    repo: ctx.repo,
    run_id: runId,
    per_page: 100,
  })
  const artifact = newestAttemptFirst(
    all.filter((a) => !a.expired),
    base,
    run.attempt,
  )[0]
  if (!artifact)
    return {
      skipped: `run ${runId} has no ${base} artifact (did perfgate run there, with the same report-name?)`,
      runId,
    }
  const name = artifact.name
  let text: Buffer | undefined
  try {
    const files = await downloadArtifactFiles(
      octokit,
      { owner: ctx.owner, repo: ctx.repo, artifactId: artifact.id },
      [RESULT_FILE],
      deps.fetch ? { fetch: deps.fetch } : {},
    )
    text = files.get(RESULT_FILE)
  } catch (error) {
    return {
      refused: `could not read the ${name} artifact of run ${runId}: ${describeError(error)}`,
      runId,
      pr,
    }
  }
  if (!text) return { refused: `the ${name} artifact of run ${runId} lacks ${RESULT_FILE}`, runId, pr }
  try {
    return {
      record: readForkRecord(text.toString('utf8'), `${RESULT_FILE} of run ${runId}`),
      name,
      artifactId: artifact.id,
    }
  } catch (error) {
    if (error instanceof RecordError) return { refused: error.message, runId, pr }
    throw error
  }
}

/**
 * The baseline of the PR's base branch, looked up as the PR run would have: the run's own
 * workflow, its base branch. Whatever fails becomes a note, as in the pipeline.
 */
async function baselineFor(
  plan: Plan,
  ctx: GitHubContext,
  run: TrustedRun,
  deps: CommentModeDeps,
): Promise<BaselineResult> {
  const { workflowRef: _ownWorkflow, ...rest } = ctx
  const prCtx: GitHubContext = {
    ...rest,
    eventName: 'pull_request',
    runId: run.runId,
    runAttempt: run.attempt,
    prNumber: run.pr,
    headSha: run.headSha,
    ...(run.baseRef ? { baseRef: run.baseRef } : {}),
  }
  return findBaseline(plan, prCtx, {
    octokit: deps.octokit,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  }).catch((error: unknown): BaselineResult => ({
    history: [],
    source: plan.baseline.kind,
    notes: [`no baseline: ${oneLine(error)}`],
  }))
}

/** The PR whose head is the run's head commit: from the event, else from the open PRs (forks are only there). */
async function pullRequestOf(
  octokit: GitHubClient,
  ctx: GitHubContext,
  run: WorkflowRunPayload,
): Promise<{ number: number; baseRef?: string } | undefined> {
  const fromEvent = (run.pull_requests ?? []).find(
    (p) => p.head?.sha === run.head_sha && typeof p.number === 'number',
  )
  if (fromEvent?.number !== undefined)
    return { number: fromEvent.number, ...(fromEvent.base?.ref ? { baseRef: fromEvent.base.ref } : {}) }
  const open = await octokit.paginate(octokit.rest.pulls.list, {
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'open',
    per_page: 100,
  })
  const headRepo = run.head_repository?.full_name
  const matches = open.filter(
    (p) => p.head.sha === run.head_sha && (!headRepo || p.head.repo?.full_name === headRepo),
  )
  // Two open PRs with the same head (one branch into two bases) are ambiguous: post to none.
  const only = matches.length === 1 ? matches[0]! : undefined
  return only ? { number: only.number, baseRef: only.base.ref } : undefined
}

/** Why the record does not belong to the PR and commit of the run, or undefined when it does. */
async function recordMismatch(
  octokit: GitHubClient,
  ctx: GitHubContext,
  record: RunRecord,
  expected: TrustedRun,
): Promise<string | undefined> {
  const git = record.meta.git ?? {}
  if (git.pr !== expected.pr)
    return `names PR ${git.pr === undefined ? '(none)' : `#${git.pr}`}, but the run is for PR #${expected.pr}`
  const runId = record.meta.workflow?.runId
  if (runId !== expected.runId) return `was written by run ${runId ?? '(none)'}, not run ${expected.runId}`
  const attempt = record.meta.workflow?.runAttempt
  if (attempt !== undefined && attempt > expected.attempt)
    return `names attempt ${attempt} of the run, which has had ${expected.attempt}`
  if (!git.sha) return 'names no commit'
  if (git.sha === expected.headSha) return undefined
  // A pull_request run's GITHUB_SHA is the PR's test merge commit: accept it when one of its parents is the head.
  try {
    const { data } = await octokit.rest.repos.getCommit({ owner: ctx.owner, repo: ctx.repo, ref: git.sha })
    if (data.parents.some((p) => p.sha === expected.headSha)) return undefined
  } catch {
    // An unknown commit is a mismatch.
  }
  return `names commit ${git.sha.slice(0, 7)}, which is neither head ${expected.headSha.slice(0, 7)} nor its merge commit`
}

/** The commit status of the verdict judged here (the PR run's conclusion is the fork's to decide). */
function statusOf(gate: GateVerdict): { state: CommitState; description: string } {
  const why = gate.reasons[0]
  if (gate.failed)
    return { state: 'failure', description: `perfgate: ${why ?? 'SLO broken or regression found'}` }
  if (gate.verdict === 'pass' && !why)
    return { state: 'success', description: 'perfgate: within SLOs and baseline' }
  return { state: 'success', description: `perfgate: ${gate.verdict}${why ? `, ${why}` : ''}` }
}
