// `mode: comment`, the fork-safe half of publishing. A fork's pull_request run has a read-only
// token, so it only renders the report into its artifact. A workflow_run workflow (base repository
// code, write token) then runs this: it finds the PR from trusted data (the workflow_run event and
// the pulls API, never from the artifact), downloads the artifact, checks that the record inside
// belongs to that PR and commit (a fork's code controls what it uploads), then posts the sticky
// comment and sets the commit status.
import { parseRecord, RecordError } from '../record/io.ts'
import type { RunRecord } from '../record/index.ts'
import type { GitHubContext } from './context.ts'
import { downloadArtifactFiles } from './download.ts'
import { describeError, type GitHubClient } from './octokit.ts'
import { CommentTooLongError, upsertStickyComment, type StickyCommentResult } from './comment.ts'
import { setCommitStatus, type CommitState, type CommitStatusResult } from './status.ts'
import { artifactNameFor } from '../baseline/types.ts'

export const RESULT_FILE = 'result.json'
/** The rendered PR comment the pull_request run saves beside result.json. */
export const COMMENT_FILE = 'comment.md'

export interface CommentModeInput {
  reportName: string
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
      comment: StickyCommentResult
      status: CommitStatusResult
    }
  /** The artifact did not match its run: nothing was posted. */
  | { refused: string; runId?: number; pr?: number }
  /** Nothing to do (not a workflow_run of a pull_request, no artifact…). */
  | { skipped: string; runId?: number }

interface WorkflowRunPayload {
  id?: number
  event?: string
  head_sha?: string
  conclusion?: string | null
  html_url?: string
  head_repository?: { full_name?: string } | null
  repository?: { full_name?: string } | null
  pull_requests?: { number?: number; head?: { sha?: string } }[]
}

/** Runs `mode: comment` for the workflow_run event in `input.ctx`. Refusals and skips are returned, not thrown. */
export async function runCommentMode(
  input: CommentModeInput,
  deps: CommentModeDeps,
): Promise<CommentModeResult> {
  const { ctx, reportName } = input
  const { octokit } = deps
  const log = deps.log ?? (() => {})
  if (ctx.eventName !== 'workflow_run')
    return {
      skipped: `mode: comment runs in a workflow_run workflow, not on ${ctx.eventName || 'this event'}`,
    }
  const run = (ctx.event.workflow_run ?? {}) as WorkflowRunPayload
  if (typeof run.id !== 'number' || typeof run.head_sha !== 'string')
    return { skipped: 'the workflow_run event has no run id or head sha' }
  const runId = run.id
  const headSha = run.head_sha
  if (run.event !== 'pull_request' && run.event !== 'pull_request_target')
    return {
      skipped: `run ${runId} was triggered by ${run.event ?? 'an unknown event'}, not a pull request`,
      runId,
    }

  // 1. The PR, from trusted data only.
  const pr = await pullRequestOf(octokit, ctx, run)
  if (pr === undefined)
    return { skipped: `no open pull request has head ${headSha.slice(0, 7)} (run ${runId})`, runId }

  // 2. The artifact of that run.
  const name = artifactNameFor(reportName)
  const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
    owner: ctx.owner,
    repo: ctx.repo,
    run_id: runId,
    name,
    per_page: 100,
  })
  const artifact = data.artifacts.filter((a) => a.name === name && !a.expired).sort((a, b) => b.id - a.id)[0]
  if (!artifact)
    return {
      skipped: `run ${runId} has no ${name} artifact (did perfgate run there, with the same report-name?)`,
      runId,
    }
  let files: Map<string, Buffer>
  try {
    files = await downloadArtifactFiles(
      octokit,
      { owner: ctx.owner, repo: ctx.repo, artifactId: artifact.id },
      [RESULT_FILE, COMMENT_FILE],
      deps.fetch ? { fetch: deps.fetch } : {},
    )
  } catch (error) {
    return {
      refused: `could not read the ${name} artifact of run ${runId}: ${describeError(error)}`,
      runId,
      pr,
    }
  }
  const resultText = files.get(RESULT_FILE)
  const comment = files.get(COMMENT_FILE)
  if (!resultText || !comment)
    return {
      refused: `the ${name} artifact of run ${runId} lacks ${!resultText ? RESULT_FILE : COMMENT_FILE}`,
      runId,
      pr,
    }

  // 3. The record must belong to that PR and commit.
  let record: RunRecord
  try {
    record = parseRecord(resultText.toString('utf8'), `${RESULT_FILE} of run ${runId}`)
  } catch (error) {
    if (error instanceof RecordError) return { refused: error.message, runId, pr }
    throw error
  }
  const mismatch = await recordMismatch(octokit, ctx, record, { pr, headSha, runId })
  if (mismatch)
    return { refused: `the ${name} artifact of run ${runId} ${mismatch}: nothing posted`, runId, pr }

  // 4. Post and set the status.
  let posted: StickyCommentResult
  try {
    posted = await upsertStickyComment(octokit, {
      owner: ctx.owner,
      repo: ctx.repo,
      issueNumber: pr,
      reportName,
      body: comment.toString('utf8'),
    })
  } catch (error) {
    if (error instanceof CommentTooLongError) return { refused: error.message, runId, pr }
    throw error
  }
  if ('skipped' in posted) log(`perfgate comment: ${posted.skipped}`)
  else log(`perfgate comment ${posted.action}: ${posted.url}`)
  const verdict = verdictOf(run.conclusion)
  const status = await setCommitStatus(octokit, {
    owner: ctx.owner,
    repo: ctx.repo,
    sha: headSha,
    reportName,
    state: verdict.state,
    description: verdict.description,
    targetUrl: 'url' in posted ? posted.url : (run.html_url ?? ctx.runUrl ?? ''),
  })
  return { pr, headSha, runId, artifactId: artifact.id, record, comment: posted, status }
}

/** The PR whose head is the run's head commit: from the event, else from the open PRs (forks are only there). */
async function pullRequestOf(
  octokit: GitHubClient,
  ctx: GitHubContext,
  run: WorkflowRunPayload,
): Promise<number | undefined> {
  const fromEvent = (run.pull_requests ?? []).find(
    (p) => p.head?.sha === run.head_sha && typeof p.number === 'number',
  )
  if (fromEvent?.number !== undefined) return fromEvent.number
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
  return matches.length === 1 ? matches[0]!.number : undefined
}

/** Why the record does not belong to the PR and commit of the run, or undefined when it does. */
async function recordMismatch(
  octokit: GitHubClient,
  ctx: GitHubContext,
  record: RunRecord,
  expected: { pr: number; headSha: string; runId: number },
): Promise<string | undefined> {
  const git = record.meta.git ?? {}
  if (git.pr !== expected.pr)
    return `names PR ${git.pr === undefined ? '(none)' : `#${git.pr}`}, but the run is for PR #${expected.pr}`
  const runId = record.meta.workflow?.runId
  if (runId !== undefined && runId !== expected.runId)
    return `was written by run ${runId}, not run ${expected.runId}`
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

function verdictOf(conclusion: string | null | undefined): { state: CommitState; description: string } {
  if (conclusion === 'success') return { state: 'success', description: 'perfgate: within SLOs and baseline' }
  if (conclusion === 'failure')
    return {
      state: 'failure',
      description: 'perfgate: SLO broken or regression found (see the report comment)',
    }
  return {
    state: 'error',
    description: `perfgate: the pull_request run ended ${conclusion ?? 'without a conclusion'}`,
  }
}
