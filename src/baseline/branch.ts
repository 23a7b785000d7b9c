// Baseline source `branch`: records committed to a branch (e.g. `perfgate-baselines`) through the
// contents API. Layout, under `<baseline-path or "perfgate">/<report-name>/`:
//   index.json            { "perfgate": "baselines", "version": 1, "records": [{ file, sha, ref, runId, savedAt }] } newest first
//   <sha7>-<runId>.json   one RunRecord per push to the base branch
//   <sha7>-<runId>/…      its CPU and allocation profiles (up to 1 MB each), for the profile diff
// Record files have unique names, so only index.json can conflict; a write that lost the race to
// a concurrent push (409, or 422 for a missing sha) re-reads the index, merges, and tries again.
import { whyNotABaseline } from './usable.ts'
import { parseRecord, RecordError } from '../record/io.ts'
import type { RunRecord } from '../record/index.ts'
import type { Plan } from '../plan/types.ts'
import type { GitHubContext } from '../github/context.ts'
import { describeError, type GitHubClient } from '../github/octokit.ts'
import type { BaselineDeps, BaselineResult } from './types.ts'
import { keepBaselineProfiles, wantedProfiles, type FetchProfile } from './profiles.ts'
import { folderFetcher } from './path.ts'

export interface IndexEntry {
  file: string
  sha?: string
  ref?: string
  runId?: number
  savedAt: string
}

interface BranchIndex {
  perfgate: 'baselines'
  version: 1
  records: IndexEntry[]
}

/** Index entries kept (older record files stay on the branch but are no longer listed). */
const MAX_INDEX_ENTRIES = 50
const MAX_WRITE_ATTEMPTS = 5
/** The contents API's JSON form carries a file's bytes only up to 1 MB. */
const MAX_BRANCH_PROFILE_BYTES = 1024 * 1024

/** The folder of a record file's profiles: `abc1234-42.json` → `abc1234-42`. */
const filesFolderOf = (recordFile: string) => recordFile.replace(/\.json$/, '')

export function branchDir(plan: Plan): string {
  const dir = (plan.baseline.path ?? 'perfgate').replace(/^\/+|\/+$/g, '')
  return `${dir}/${plan.reportName.replace(/[^A-Za-z0-9._-]/g, '-')}`
}

export async function findBranchBaseline(
  plan: Plan,
  ctx: GitHubContext,
  octokit: GitHubClient,
): Promise<BaselineResult> {
  const branch = plan.baseline.branch ?? 'perfgate-baselines'
  const dir = branchDir(plan)
  const source = `branch ${branch} (${dir})`
  const index = await readFile(octokit, ctx, branch, `${dir}/index.json`)
  if (!index)
    return {
      history: [],
      source,
      notes: [
        `no baseline yet: ${dir}/index.json is not on branch ${branch}; perfgate commits a record there after each push to the base branch`,
      ],
    }
  const notes: string[] = []
  let entries: IndexEntry[]
  try {
    entries = parseIndex(index.text)
  } catch (error) {
    return {
      history: [],
      source,
      notes: [`no baseline: ${dir}/index.json on ${branch} is corrupt: ${(error as Error).message}`],
    }
  }
  const want = Math.max(1, plan.baseline.history)
  const history: RunRecord[] = []
  let newest: IndexEntry | undefined
  for (const entry of entries) {
    if (history.length >= want) break
    const file = `${dir}/${entry.file}`
    const content = await readFile(octokit, ctx, branch, file)
    if (!content) {
      notes.push(`${file} is listed in the index but missing on ${branch}, tried an older one`)
      continue
    }
    try {
      const record = parseRecord(content.text, `${file} on ${branch}`)
      const unusable = whyNotABaseline(record)
      if (unusable) notes.push(`${file} is not usable as a baseline (${unusable}), tried an older one`)
      else {
        newest ??= entry
        history.push(record)
      }
    } catch (error) {
      if (!(error instanceof RecordError)) throw error
      notes.push(`skipped a corrupt baseline: ${error.message}`)
    }
  }
  if (history.length === 0)
    return { history, source, notes: [`no baseline yet: no usable record in ${dir} on ${branch}`, ...notes] }
  const profileNotes: string[] = []
  const folder = `${dir}/${filesFolderOf(newest!.file)}`
  const profiles = await keepBaselineProfiles(
    history[0]!,
    plan.outputDir,
    branchFetcher(octokit, ctx, branch, folder),
    profileNotes,
    { fileBytes: MAX_BRANCH_PROFILE_BYTES },
  )
  return {
    baseline: history[0]!,
    history,
    source,
    notes,
    ...(profiles ? { profiles } : {}),
    ...(profileNotes.length > 0 ? { profileNotes } : {}),
  }
}

/** Reads a baseline record's profiles from its folder on the branch. */
function branchFetcher(
  octokit: GitHubClient,
  ctx: GitHubContext,
  branch: string,
  folder: string,
): FetchProfile {
  return async (file, maxBytes) => {
    const found = await readBytes(octokit, ctx, branch, `${folder}/${file}`)
    if (!found) return { missing: `${folder}/${file} is not on ${branch}` }
    if (found.bytes === undefined || found.bytes.length > maxBytes) return { tooLarge: true }
    return { bytes: found.bytes }
  }
}

export type SaveResult = { saved: string; attempts: number } | { skipped: string }

/**
 * Commits `record` to the baseline branch and lists it first in the index. Only on a push to the
 * base branch (pull requests must not move the baseline); creates the branch when it is missing.
 */
export async function saveBranchBaseline(
  record: RunRecord,
  plan: Plan,
  ctx: GitHubContext,
  deps: BaselineDeps,
): Promise<SaveResult> {
  if (plan.baseline.kind !== 'branch')
    return { skipped: `baseline source is ${plan.baseline.kind}, not branch` }
  const unusable = whyNotABaseline(record)
  if (unusable) return { skipped: `this run is not usable as a baseline: ${unusable}` }
  const octokit = deps.octokit
  if (!octokit) return { skipped: 'no GitHub token to write the baseline branch' }
  const baseRef = defaultBranchOf(ctx)
  if (ctx.eventName !== 'push' || !ctx.refName || ctx.refName !== baseRef)
    return { skipped: `the baseline is only saved on a push to ${baseRef ?? 'the base branch'}` }
  const branch = plan.baseline.branch ?? 'perfgate-baselines'
  const dir = branchDir(plan)
  await ensureBranch(octokit, ctx, branch, ctx.refName)
  const sha = record.meta.git?.sha ?? ctx.sha
  const entry: IndexEntry = {
    file: `${(sha ?? 'nosha').slice(0, 7)}-${ctx.runId ?? Date.now()}.json`,
    ...(sha ? { sha } : {}),
    ref: ctx.refName,
    ...(ctx.runId !== undefined ? { runId: ctx.runId } : {}),
    savedAt: new Date().toISOString(),
  }
  const recordPath = `${dir}/${entry.file}`
  const existing = await readFile(octokit, ctx, branch, recordPath)
  await commitFile(octokit, ctx, branch, recordPath, {
    message: `perfgate: baseline ${plan.reportName} for ${sha?.slice(0, 7) ?? ctx.refName}`,
    bytes: Buffer.from(`${JSON.stringify(record)}\n`),
    replaces: existing?.sha,
  })
  await saveProfiles(record, plan, ctx, octokit, branch, `${dir}/${filesFolderOf(entry.file)}`, deps)
  for (let attempt = 1; ; attempt++) {
    const current = await readFile(octokit, ctx, branch, `${dir}/index.json`)
    let entries: IndexEntry[] = []
    if (current) {
      try {
        entries = parseIndex(current.text)
      } catch {
        deps.log?.(`baseline: ${dir}/index.json on ${branch} was corrupt; starting a new index`)
      }
    }
    const index: BranchIndex = {
      perfgate: 'baselines',
      version: 1,
      records: [entry, ...entries.filter((e) => e.file !== entry.file)].slice(0, MAX_INDEX_ENTRIES),
    }
    try {
      await commitFile(octokit, ctx, branch, `${dir}/index.json`, {
        message: `perfgate: index ${plan.reportName} baselines`,
        bytes: Buffer.from(`${JSON.stringify(index, null, 2)}\n`),
        replaces: current?.sha,
      })
      return { saved: `${branch}:${recordPath}`, attempts: attempt }
    } catch (error) {
      const status = (error as { status?: number }).status
      if ((status === 409 || status === 422) && attempt < MAX_WRITE_ATTEMPTS) {
        deps.log?.(
          `baseline: ${dir}/index.json changed on ${branch} meanwhile (${describeError(error)}); retrying`,
        )
        continue
      }
      throw error
    }
  }
}

/**
 * Commits the record's CPU and allocation profiles (from the output folder) beside it, so a pull
 * request's run can diff its profiles against them. One over 1 MB is left out with a log line.
 */
async function saveProfiles(
  record: RunRecord,
  plan: Plan,
  ctx: GitHubContext,
  octokit: GitHubClient,
  branch: string,
  folder: string,
  deps: BaselineDeps,
): Promise<void> {
  const read = folderFetcher(plan.outputDir)
  for (const w of wantedProfiles(record, [])) {
    const got = await read(w.file, MAX_BRANCH_PROFILE_BYTES).catch((error: unknown) => ({
      missing: describeError(error),
    }))
    if (!('bytes' in got)) {
      deps.log?.(
        `baseline: the ${w.kind} profile ${w.file} is not saved to ${branch}: ${'missing' in got ? got.missing : 'it is over 1 MB'}`,
      )
      continue
    }
    const target = `${folder}/${w.file}`
    const existing = await readBytes(octokit, ctx, branch, target)
    await commitFile(octokit, ctx, branch, target, {
      message: `perfgate: ${w.kind} profile of baseline ${plan.reportName}`,
      bytes: got.bytes,
      replaces: existing?.sha,
    })
  }
}

/**
 * Commits `bytes` to `path` on `branch`. `replaces` is the blob sha of the file it overwrites (none:
 * a new file); when the file changed meanwhile, GitHub answers 409 (or 422) and nothing is written.
 */
async function commitFile(
  octokit: GitHubClient,
  ctx: GitHubContext,
  branch: string,
  path: string,
  file: { message: string; bytes: Buffer; replaces: string | undefined },
): Promise<void> {
  await octokit.rest.repos.createOrUpdateFileContents({
    owner: ctx.owner,
    repo: ctx.repo,
    path,
    branch,
    message: file.message,
    content: file.bytes.toString('base64'),
    ...(file.replaces ? { sha: file.replaces } : {}),
  })
}

/** A file's bytes (undefined when over 1 MB) and blob sha on a branch; undefined when it does not exist. */
async function readBytes(
  octokit: GitHubClient,
  ctx: GitHubContext,
  ref: string,
  path: string,
): Promise<{ bytes?: Buffer; sha: string } | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: ctx.owner, repo: ctx.repo, path, ref })
    if (Array.isArray(data) || data.type !== 'file') throw new Error(`${path} on ${ref} is not a file`)
    return data.content && data.encoding === 'base64'
      ? { bytes: Buffer.from(data.content, 'base64'), sha: data.sha }
      : { sha: data.sha }
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined
    throw error
  }
}

function defaultBranchOf(ctx: GitHubContext): string | undefined {
  const repository = ctx.event.repository as { default_branch?: unknown } | undefined
  return typeof repository?.default_branch === 'string' ? repository.default_branch : undefined
}

function parseIndex(text: string): IndexEntry[] {
  const data = JSON.parse(text) as Partial<BranchIndex>
  if (data?.perfgate !== 'baselines' || !Array.isArray(data.records))
    throw new Error('not a perfgate baseline index')
  return data.records.filter((e): e is IndexEntry => typeof e?.file === 'string' && !e.file.includes('/'))
}

/** A file's text and blob sha on a branch, or undefined when the file or branch does not exist. */
async function readFile(
  octokit: GitHubClient,
  ctx: GitHubContext,
  ref: string,
  path: string,
): Promise<{ text: string; sha: string } | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: ctx.owner, repo: ctx.repo, path, ref })
    if (Array.isArray(data) || data.type !== 'file') throw new Error(`${path} on ${ref} is not a file`)
    // Over 1 MB the JSON form carries no content: ask for the raw bytes.
    if (data.content && data.encoding === 'base64')
      return { text: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha }
    const raw = await octokit.rest.repos.getContent({
      owner: ctx.owner,
      repo: ctx.repo,
      path,
      ref,
      mediaType: { format: 'raw' },
    })
    return { text: String(raw.data as unknown), sha: data.sha }
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined
    throw error
  }
}

async function ensureBranch(
  octokit: GitHubClient,
  ctx: GitHubContext,
  branch: string,
  from: string,
): Promise<void> {
  try {
    await octokit.rest.git.getRef({ owner: ctx.owner, repo: ctx.repo, ref: `heads/${branch}` })
    return
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error
  }
  const { data } = await octokit.rest.git.getRef({ owner: ctx.owner, repo: ctx.repo, ref: `heads/${from}` })
  try {
    await octokit.rest.git.createRef({
      owner: ctx.owner,
      repo: ctx.repo,
      ref: `refs/heads/${branch}`,
      sha: data.object.sha,
    })
  } catch (error) {
    // Another job created it first: fine.
    if ((error as { status?: number }).status !== 422) throw error
  }
}
