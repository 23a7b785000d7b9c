// Where `mode: merge` finds the shards' records: folders on disk (the CLI, or any scheduler that
// copies the shards' output folders to one place) or the current run's artifacts (the action).
// A shard that cannot be found or read becomes a reason, never an exception.
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { RunRecord } from '../record/index.ts'
import { isUnavailable } from '../record/common.ts'
import { parseRecord, readRecord } from '../record/io.ts'
import type { GitHubClient } from '../github/octokit.ts'
import type { GitHubContext } from '../github/context.ts'
import { downloadArtifactFiles } from '../github/download.ts'
import { describeError } from '../github/octokit.ts'
import { COLLECTOR_SHARD, shardArtifactName } from './policy.ts'
import { newestAttemptFirst } from '../baseline/artifact.ts'

export const RESULT_FILE = 'result.json'

export interface ShardRecords {
  records: RunRecord[]
  /** Why a shard has no record, by index (for mergeShardRecords' `missing`). */
  missing: Record<number, string>
  /** Folder of each record's files, by shard index (folders only). */
  dirs: Map<number, string>
  /** Records that could not be read and could not be tied to a shard. */
  notes: string[]
}

/** The shard index a folder or file name suggests: `shard-2`, `perfgate-x-shard-2`, `2`. */
function indexFromName(name: string): number | undefined {
  const m = /(?:^|[^0-9])(\d+)$/.exec(name)
  return m ? Number(m[1]) : undefined
}

/**
 * Reads shard records from `<dir>/*\/result.json` (one sub-folder per shard, any names, e.g. the
 * shards' downloaded artifacts), from `<dir>/result.json` files given as a list, or from a list of
 * result.json paths. Unreadable records are reported under the index their folder name suggests.
 */
export async function collectShardRecords(input: string | string[]): Promise<ShardRecords> {
  const out: ShardRecords = { records: [], missing: {}, dirs: new Map(), notes: [] }
  let files: string[]
  if (typeof input === 'string') {
    const entries = await readdir(input, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the shards folder ${input}: ${error.code ?? error.message}`)
    })
    files = entries
      .filter((e) => e.isDirectory())
      .map((e) => path.join(input, e.name, RESULT_FILE))
      .sort()
  } else {
    files = await Promise.all(
      input.map(async (p) =>
        (await stat(p).catch(() => undefined))?.isDirectory() ? path.join(p, RESULT_FILE) : p,
      ),
    )
  }
  for (const file of files) {
    const dir = path.dirname(file)
    try {
      const record = await readRecord(file)
      out.records.push(record)
      const index = record.meta.shard?.index
      if (index !== undefined) out.dirs.set(index, dir)
    } catch (error) {
      const guess = indexFromName(path.basename(dir))
      const reason = `${file}: ${describeError(error)}`
      if (guess !== undefined) out.missing[guess] = reason
      else out.notes.push(reason)
    }
  }
  return out
}

/** Files beside result.json that the collector parts name (scrapes, EXPLAIN plans, profiles). */
export function collectorFiles(record: RunRecord): string[] {
  const files = new Set<string>()
  const add = (f: string | undefined) => f && files.add(f)
  for (const part of [record.prometheus, record.redis, record.appStats, record.postgres]) {
    if (part && !isUnavailable(part)) part.files.forEach(add)
  }
  if (record.postgres && !isUnavailable(record.postgres))
    (record.postgres.explains ?? []).forEach((e) => add(e.file))
  if (record.profiles && !isUnavailable(record.profiles)) record.profiles.files.forEach((f) => add(f.file))
  return [...files].filter(isInside)
}

/** Only plain relative paths are copied: a record must not make us write outside the output folder. */
function isInside(file: string): boolean {
  const normal = path.posix.normalize(file.replace(/\\/g, '/'))
  return !path.posix.isAbsolute(normal) && !normal.startsWith('../') && normal !== '..'
}

/** Copies the owning shard's collector files into the merged output folder; returns the problems. */
export async function copyCollectorFiles(
  record: RunRecord,
  fromDir: string,
  toDir: string,
): Promise<string[]> {
  const problems: string[] = []
  if (path.resolve(fromDir) === path.resolve(toDir)) return problems
  for (const file of collectorFiles(record)) {
    const to = path.join(toDir, file)
    try {
      await mkdir(path.dirname(to), { recursive: true })
      await copyFile(path.join(fromDir, file), to)
    } catch (error) {
      problems.push(`${file}: ${describeError(error)}`)
    }
  }
  return problems
}

export interface DownloadShardOptions {
  /** Where the owning shard's collector files are written (the merged output folder). */
  outDir?: string
  collectorShard?: number
  fetch?: typeof fetch
  log?: (line: string) => void
}

/**
 * Downloads the shards' records from the artifacts of the current run (`perfgate-<report>-shard-<i>`),
 * and the owning shard's collector files into `outDir`. A missing artifact is a `missing` reason.
 */
export async function downloadShardRecords(
  octokit: GitHubClient,
  ctx: Pick<GitHubContext, 'owner' | 'repo' | 'runId'>,
  reportName: string,
  shards: number,
  options: DownloadShardOptions = {},
): Promise<ShardRecords> {
  const out: ShardRecords = { records: [], missing: {}, dirs: new Map(), notes: [] }
  if (ctx.runId === undefined)
    throw new Error('mode merge needs GITHUB_RUN_ID: it merges the shards of this run')
  const artifacts = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
    owner: ctx.owner,
    repo: ctx.repo,
    run_id: ctx.runId,
    per_page: 100,
  })
  const owner = options.collectorShard ?? COLLECTOR_SHARD
  for (let i = 0; i < shards; i++) {
    const name = shardArtifactName(reportName, i)
    const artifact = newestAttemptFirst(
      artifacts.filter((a) => !a.expired),
      name,
    )[0]
    if (!artifact) {
      out.missing[i] =
        `run ${ctx.runId} has no ${name} artifact (the shard job failed before uploading, or did not run)`
      continue
    }
    const ref = { owner: ctx.owner, repo: ctx.repo, artifactId: artifact.id }
    const dl = options.fetch ? { fetch: options.fetch } : {}
    let record: RunRecord
    try {
      const files = await downloadArtifactFiles(octokit, ref, [RESULT_FILE], dl)
      const text = files.get(RESULT_FILE)
      if (!text) {
        out.missing[i] = `the ${name} artifact has no ${RESULT_FILE}`
        continue
      }
      record = parseRecord(text.toString('utf8'), `${RESULT_FILE} of ${name}`)
    } catch (error) {
      out.missing[i] = `could not read the ${name} artifact: ${describeError(error)}`
      continue
    }
    out.records.push(record)
    options.log?.(`merge: ${name} (${record.meta.shard ? `shard ${record.meta.shard.index}` : 'unsharded'})`)
    if (i !== owner || !options.outDir) continue
    const wanted = collectorFiles(record)
    if (wanted.length === 0) continue
    try {
      const files = await downloadArtifactFiles(octokit, ref, wanted, dl)
      for (const [file, content] of files) {
        const to = path.join(options.outDir, file)
        await mkdir(path.dirname(to), { recursive: true })
        await writeFile(to, content)
      }
      out.dirs.set(i, options.outDir)
    } catch (error) {
      out.notes.push(`the collector files of ${name} were not downloaded: ${describeError(error)}`)
    }
  }
  return out
}
