// Uploading the report folder (result.json, report.md/html, raw files) as one run artifact named
// from the report name. A failed upload never fails the run: it becomes a warning and a reason.
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import type { UploadArtifactOptions, UploadArtifactResponse } from '@actions/artifact'
import { artifactNameFor } from '../baseline/types.ts'
import { attemptArtifactName } from '../baseline/artifact.ts'
import { BASELINE_PROFILES_DIR } from '../baseline/profiles.ts'
import { describeError } from './octokit.ts'

export { artifactNameFor }

/** The part of @actions/artifact's client this module uses; injectable for tests. */
export interface ArtifactUploadClient {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: UploadArtifactOptions,
  ): Promise<UploadArtifactResponse>
}

export interface UploadDeps {
  client?: ArtifactUploadClient
  retentionDays?: number
  /** Called with the reason when the upload fails (pass core.warning). */
  warn?: (message: string) => void
  env?: NodeJS.ProcessEnv
}

export type UploadResult =
  { name: string; id?: number; size?: number; files: number } | { name: string; failed: string }

/**
 * Every regular file under `dir`, recursively, as absolute paths; symlinks are left out, and so is
 * the baseline's profiles folder (another run's files, only read for the profile diff).
 */
export async function listReportFiles(dir: string): Promise<string[]> {
  const root = path.resolve(dir)
  const files: string[] = []
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true })
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory() && current === root && entry.name === BASELINE_PROFILES_DIR) continue
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile()) files.push(full)
    }
  }
  await walk(root)
  return files
}

/**
 * Uploads the report folder as `perfgate-<report-name>` (`…-attempt-<N>` on a rerun, whose
 * GITHUB_RUN_ATTEMPT is N > 1); returns what happened, never throws.
 */
export async function uploadReportArtifact(
  dir: string,
  reportName: string,
  deps: UploadDeps = {},
): Promise<UploadResult> {
  const env = deps.env ?? process.env
  const name = attemptArtifactName(artifactNameFor(reportName), Number(env.GITHUB_RUN_ATTEMPT || 1))
  const fail = (reason: string): UploadResult => {
    const failed = `artifact ${name} was not uploaded: ${reason}`
    deps.warn?.(failed)
    return { name, failed }
  }
  if (!deps.client && (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL))
    return fail(
      'ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL are not set (not running as a GitHub Actions step)',
    )
  let files: string[]
  try {
    files = await listReportFiles(dir)
  } catch (error) {
    return fail(`cannot read ${dir}: ${describeError(error)}`)
  }
  if (files.length === 0) return fail(`${dir} is empty`)
  try {
    // Loaded only to upload: it costs ~1 s of CPU at start-up, which no other command needs.
    const client = deps.client ?? new (await import('@actions/artifact')).DefaultArtifactClient()
    const response = await client.uploadArtifact(name, files, path.resolve(dir), {
      ...(deps.retentionDays !== undefined ? { retentionDays: deps.retentionDays } : {}),
    })
    return {
      name,
      ...(response.id !== undefined ? { id: response.id } : {}),
      ...(response.size !== undefined ? { size: response.size } : {}),
      files: files.length,
    }
  } catch (error) {
    return fail(describeError(error))
  }
}
