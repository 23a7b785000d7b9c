// Baseline source `artifact` (the default): the result.json inside the report artifact of the
// latest successful push run of this workflow on the base branch, falling back to older runs when
// an artifact expired, is missing or is corrupt. The last N usable records form the history.
import { whyNotABaseline } from './usable.ts'
import { parseRecord, RecordError } from '../record/io.ts'
import type { RunRecord } from '../record/index.ts'
import type { Plan } from '../plan/types.ts'
import type { GitHubContext } from '../github/context.ts'
import { downloadArtifactFiles } from '../github/download.ts'
import { describeError, type GitHubClient } from '../github/octokit.ts'
import { artifactNameFor, type BaselineDeps, type BaselineResult } from './types.ts'
import { keepBaselineProfiles, wantedProfiles, type FetchProfile } from './profiles.ts'

const RESULT_FILE = 'result.json'

/**
 * The artifact name a run attempt uploads under. Names are unique within a run across all its
 * attempts (a rerun's upload of the same name gets 409 "already exists"), so attempt 1 keeps the
 * plain name (what older runs and perfgate versions uploaded) and a rerun adds `-attempt-<N>`.
 */
export function attemptArtifactName(name: string, attempt: number | undefined): string {
  return attempt !== undefined && Number.isInteger(attempt) && attempt > 1
    ? `${name}-attempt-${attempt}`
    : name
}

/** The attempt an artifact called `artifactName` was uploaded by, when it is one of `name`'s; else undefined. */
export function artifactAttempt(artifactName: string, name: string): number | undefined {
  if (artifactName === name) return 1
  if (!artifactName.startsWith(`${name}-attempt-`)) return undefined
  const n = artifactName.slice(name.length + '-attempt-'.length)
  return /^[1-9]\d*$/.test(n) ? Number(n) : undefined
}

/**
 * The artifacts of `name` (any attempt) among `artifacts`, newest attempt first (then newest
 * upload); with `upTo`, only attempts up to that one.
 */
export function newestAttemptFirst<T extends { name: string; id: number }>(
  artifacts: T[],
  name: string,
  upTo?: number,
): T[] {
  return artifacts
    .map((a) => ({ a, attempt: artifactAttempt(a.name, name) }))
    .filter(
      (x): x is { a: T; attempt: number } =>
        x.attempt !== undefined && (upTo === undefined || x.attempt <= upTo),
    )
    .sort((x, y) => y.attempt - x.attempt || y.a.id - x.a.id)
    .map((x) => x.a)
}

export async function findArtifactBaseline(
  plan: Plan,
  ctx: GitHubContext,
  octokit: GitHubClient,
  deps: BaselineDeps,
): Promise<BaselineResult> {
  const { owner, repo } = ctx
  const name = artifactNameFor(plan.reportName)
  // The PR's base branch, else (a push run) the branch pushed to.
  const baseRef = ctx.baseRef ?? ctx.refName
  const want = Math.max(1, plan.baseline.history)
  const notes: string[] = []
  if (!baseRef)
    return {
      history: [],
      source: 'artifact',
      notes: [
        'no baseline: the base branch is unknown (GITHUB_BASE_REF and GITHUB_REF_NAME are not set: not a pull_request or push run); use baseline: path or baseline: branch here',
      ],
    }
  const workflow = await workflowOf(octokit, ctx)
  if (!workflow)
    return {
      history: [],
      source: 'artifact',
      notes: [
        'no baseline: the workflow of this run is unknown (GITHUB_RUN_ID and GITHUB_WORKFLOW_REF are not set)',
      ],
    }
  const maxRuns = deps.maxRuns ?? Math.max(30, want * 10)
  const found: { record: RunRecord; runId: number; artifactId: number }[] = []
  let searched = 0
  let expired = 0
  for (let page = 1; found.length < want && searched < maxRuns; page++) {
    const { data } = await octokit.rest.actions.listWorkflowRuns({
      owner,
      repo,
      workflow_id: workflow,
      branch: baseRef,
      event: 'push',
      status: 'success',
      per_page: Math.min(100, maxRuns),
      page,
    })
    if (data.workflow_runs.length === 0) break
    for (const run of data.workflow_runs) {
      if (found.length >= want || searched >= maxRuns) break
      if (run.id === ctx.runId) continue
      searched++
      const outcome = await recordOfRun(octokit, ctx, run.id, name, deps)
      if ('record' in outcome)
        found.push({ record: outcome.record, runId: run.id, artifactId: outcome.artifactId })
      else if (outcome.note) {
        if (outcome.expired) expired++
        notes.push(outcome.note)
      }
    }
    if (data.workflow_runs.length < Math.min(100, maxRuns)) break
  }
  if (found.length === 0) {
    const why =
      expired > 0
        ? `the ${name} artifacts of the last successful runs on ${baseRef} have expired`
        : `no successful push run of this workflow on ${baseRef} has a ${name} artifact yet`
    notes.unshift(
      `no baseline yet: ${why}; it appears after this workflow runs on a push to ${baseRef} (keep the artifact's retention longer than the time between pushes)`,
    )
    return { history: [], source: `artifact ${name} on ${baseRef}`, notes }
  }
  deps.log?.(
    `baseline: ${name} of run ${found[0]!.runId} on ${baseRef} (${found.length} record(s) of history)`,
  )
  const newest = found[0]!
  const profileNotes: string[] = []
  const profiles = await keepBaselineProfiles(
    newest.record,
    plan.outputDir,
    artifactFetcher(octokit, ctx, newest.artifactId, newest.record, deps),
    profileNotes,
  )
  return {
    baseline: newest.record,
    history: found.map((f) => f.record),
    source: `artifact ${name} of run ${newest.runId} on ${baseRef}`,
    notes,
    ...(profiles ? { profiles } : {}),
    ...(profileNotes.length > 0 ? { profileNotes } : {}),
  }
}

/**
 * Reads the baseline's profiles out of its artifact: one download for all of them, on the first
 * file asked for; an entry over the limit is left out, not kept in memory.
 */
function artifactFetcher(
  octokit: GitHubClient,
  ctx: GitHubContext,
  artifactId: number,
  record: RunRecord,
  deps: BaselineDeps,
): FetchProfile {
  let files: Promise<{ found: Map<string, Buffer>; oversized: Set<string> }> | undefined
  return async (file, maxBytes) => {
    files ??= (async () => {
      const oversized = new Set<string>()
      const wanted = wantedProfiles(record, []).map((w) => w.file)
      const found = await downloadArtifactFiles(
        octokit,
        { owner: ctx.owner, repo: ctx.repo, artifactId },
        wanted,
        { ...(deps.fetch ? { fetch: deps.fetch } : {}), maxEntryBytes: maxBytes, oversized },
      )
      return { found, oversized }
    })()
    const { found, oversized } = await files
    if (oversized.has(file)) return { tooLarge: true }
    const bytes = found.get(file)
    return bytes ? { bytes } : { missing: `the artifact ${artifactId} has no ${file}` }
  }
}

/** The workflow to search: this run's workflow id, or the file named by GITHUB_WORKFLOW_REF. */
async function workflowOf(octokit: GitHubClient, ctx: GitHubContext): Promise<number | string | undefined> {
  if (ctx.runId !== undefined) {
    try {
      const { data } = await octokit.rest.actions.getWorkflowRun({
        owner: ctx.owner,
        repo: ctx.repo,
        run_id: ctx.runId,
      })
      return data.workflow_id
    } catch {
      // Fall back to the workflow file below.
    }
  }
  const file = /\/\.github\/workflows\/([^@/]+)@/.exec(ctx.workflowRef ?? '')?.[1]
  return file
}

type RunOutcome = { record: RunRecord; artifactId: number } | { note?: string; expired?: boolean }

async function recordOfRun(
  octokit: GitHubClient,
  ctx: GitHubContext,
  runId: number,
  name: string,
  deps: BaselineDeps,
): Promise<RunOutcome> {
  // Every artifact of the run: a rerun's report is `<name>-attempt-<N>`, and the newest attempt wins.
  const all = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
    owner: ctx.owner,
    repo: ctx.repo,
    run_id: runId,
    per_page: 100,
  })
  const artifacts = newestAttemptFirst(all, name)
  if (artifacts.length === 0) return {}
  const artifact = artifacts.find((a) => !a.expired)
  if (!artifact)
    return { note: `run ${runId}: the ${name} artifact has expired, tried an older run`, expired: true }
  let files: Map<string, Buffer>
  try {
    files = await downloadArtifactFiles(
      octokit,
      { owner: ctx.owner, repo: ctx.repo, artifactId: artifact.id },
      [RESULT_FILE],
      deps.fetch ? { fetch: deps.fetch } : {},
    )
  } catch (error) {
    return { note: `run ${runId}: could not download ${name} (${describeError(error)}), tried an older run` }
  }
  const text = files.get(RESULT_FILE)
  if (!text) return { note: `run ${runId}: ${name} has no ${RESULT_FILE}, tried an older run` }
  try {
    const record = parseRecord(text.toString('utf8'), `${RESULT_FILE} of run ${runId}`)
    const unusable = whyNotABaseline(record)
    if (unusable) return { note: `run ${runId}: not usable as a baseline (${unusable}), tried an older run` }
    return { record, artifactId: artifact.id }
  } catch (error) {
    if (error instanceof RecordError) return { note: `skipped a corrupt baseline: ${error.message}` }
    throw error
  }
}
