// Baseline source `path`: a result.json committed to the repository, with the profiles it names
// beside it (copied into the output folder for the profile diff).
import { open, realpath } from 'node:fs/promises'
import path from 'node:path'
import { keepBaselineProfiles, type FetchProfile } from './profiles.ts'
import { whyNotABaseline } from './usable.ts'
import { readRecord, RecordError } from '../record/io.ts'
import type { Plan } from '../plan/types.ts'
import type { BaselineResult } from './types.ts'

export async function findPathBaseline(plan: Plan, root: string): Promise<BaselineResult> {
  const relative = plan.baseline.path ?? 'perfgate-baseline.json'
  const file = path.resolve(root, relative)
  const source = `file ${relative}`
  try {
    const record = await readRecord(file)
    const unusable = whyNotABaseline(record)
    if (unusable)
      return { history: [], source, notes: [`skipped ${relative}: not usable as a baseline (${unusable})`] }
    const profileNotes: string[] = []
    const profiles = await keepBaselineProfiles(
      record,
      plan.outputDir,
      folderFetcher(path.dirname(file)),
      profileNotes,
    )
    return {
      baseline: record,
      history: [record],
      source,
      notes: [],
      ...(profiles ? { profiles } : {}),
      ...(profileNotes.length > 0 ? { profileNotes } : {}),
    }
  } catch (error) {
    if (!(error instanceof RecordError)) throw error
    if (/ENOENT/.test(error.message))
      return {
        history: [],
        source,
        notes: [
          `no baseline yet: ${relative} does not exist; commit a result.json from a run on the base branch there (perfgate writes one to ${plan.outputDir}/result.json)`,
        ],
      }
    return { history: [], source, notes: [`skipped a corrupt baseline: ${error.message}`] }
  }
}

/**
 * Reads a baseline's files from its folder. The checkout is a pull request's: a file (or a link
 * on its way) that resolves outside the folder is refused, and reading stops past `maxBytes`.
 */
export function folderFetcher(folder: string): FetchProfile {
  return async (file, maxBytes) => {
    let real: string
    let root: string
    try {
      root = await realpath(folder)
      real = await realpath(path.resolve(folder, file))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { missing: `${file} is not beside the baseline record` }
      throw error
    }
    const relative = path.relative(root, real)
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
      return { missing: `${file} resolves outside the baseline record's folder, not read` }
    const handle = await open(real, 'r')
    try {
      const info = await handle.stat()
      if (!info.isFile()) return { missing: `${file} is not a regular file` }
      if (info.size > maxBytes) return { tooLarge: true }
      const bytes = Buffer.alloc(info.size)
      const { bytesRead } = await handle.read(bytes, 0, info.size, 0)
      return { bytes: bytes.subarray(0, bytesRead) }
    } finally {
      await handle.close()
    }
  }
}
