// The baseline run's profiles, for the profile diff (analysis.diff): the CPU and allocation
// profiles its record names, brought from where the baseline came from (the base branch's
// artifact, the repository, the baseline branch) into <output-dir>/baseline-profiles. The record
// and its files are untrusted (a fork's artifact, a pull request's checkout): a name is used only
// when it stays inside that folder, each file and all of them together are size-limited, and the
// bytes are only decoded later (with the decoder's inflate limit), never uploaded again.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { DIFF_KINDS } from '../analyze/profile-diff.ts'
import { oneLine } from '../errors.ts'
import { prepareOutputDir } from '../plan/output-dir.ts'
import type { ProfileKind } from '../record/collectors.ts'
import { isUnavailable } from '../record/common.ts'
import type { RunRecord } from '../record/index.ts'

/** The folder inside the output folder; the report artifact leaves it out. */
export const BASELINE_PROFILES_DIR = 'baseline-profiles'
/** Largest baseline profile kept (a CPU profile of a busy service is a few hundred KiB). */
export const MAX_BASELINE_PROFILE_BYTES = 32 * 2 ** 20
/** Largest total of the baseline profiles kept. */
export const MAX_BASELINE_PROFILES_BYTES = 48 * 2 ** 20

export interface WantedProfile {
  kind: ProfileKind
  /** The name the baseline's record gives it, relative to its folder; checked by unsafeFileName. */
  file: string
}

export interface BaselineProfiles {
  /** The folder the files were written to (absolute). */
  dir: string
  /** The files kept, names relative to `dir`. */
  files: WantedProfile[]
}

/** What a source found for one file: its bytes, why it is not there, or that it is over the limit. */
export type FetchedFile = { bytes: Buffer } | { missing: string } | { tooLarge: true }

/** Reads one file of the baseline run, stopping (tooLarge) past `maxBytes`; may throw. */
export type FetchProfile = (file: string, maxBytes: number) => Promise<FetchedFile>

/** Why `name`, a file name from a record, may not be used as a path inside a folder; undefined when it may. */
export function unsafeFileName(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'it is not a file name'
  if (name.length > 200) return 'it is longer than 200 characters'
  if (!/^[A-Za-z0-9._/-]+$/.test(name)) return 'only letters, digits, ".", "_", "-" and "/" are allowed'
  if (name.startsWith('/')) return 'it is an absolute path'
  if (name.split('/').some((p) => p === '' || p === '.' || p === '..'))
    return 'it has an empty, "." or ".." path part'
  return undefined
}

/** The profiles of `record` the diff compares, those with a safe name; what is left out adds a note. */
export function wantedProfiles(record: RunRecord, notes: string[]): WantedProfile[] {
  const part = record.profiles
  if (!part || isUnavailable(part)) {
    notes.push(`the baseline run took no profiles${part ? ` (${oneLine(part.unavailable)})` : ''}`)
    return []
  }
  const files: unknown[] = Array.isArray(part.files) ? part.files : []
  const out: WantedProfile[] = []
  for (const kind of Object.keys(DIFF_KINDS) as ProfileKind[]) {
    const entry = files.find(
      (f): f is { kind: unknown; file: unknown } => (f as { kind?: unknown })?.kind === kind,
    )
    if (!entry) continue
    const why = unsafeFileName(entry.file)
    if (why) {
      notes.push(
        `the baseline's ${kind} profile name ${JSON.stringify(String(entry.file).slice(0, 80))} was refused: ${why}`,
      )
      continue
    }
    out.push({ kind, file: entry.file as string })
  }
  if (out.length === 0 && notes.length === 0) notes.push('the baseline run has no CPU or allocation profile')
  return out
}

const mib = (bytes: number) => `${bytes / 2 ** 20} MiB`

/**
 * keepBaselineProfiles fetches the CPU and allocation profiles `record` names and writes them into
 * <outputDir>/baseline-profiles (emptied first). Returns the files kept, or undefined when none
 * was; each file left out adds one line to `notes`. Never throws.
 */
export async function keepBaselineProfiles(
  record: RunRecord,
  outputDir: string,
  fetch: FetchProfile,
  notes: string[],
  limits: { fileBytes?: number; totalBytes?: number } = {},
): Promise<BaselineProfiles | undefined> {
  const wanted = wantedProfiles(record, notes)
  if (wanted.length === 0) return undefined
  const fileLimit = limits.fileBytes ?? MAX_BASELINE_PROFILE_BYTES
  const totalLimit = limits.totalBytes ?? MAX_BASELINE_PROFILES_BYTES
  const dir = path.resolve(outputDir, BASELINE_PROFILES_DIR)
  try {
    await prepareOutputDir(outputDir)
    // A previous run's files must not stand in for this baseline's.
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir)
  } catch (error) {
    notes.push(
      `the baseline's profiles were not kept: ${BASELINE_PROFILES_DIR} could not be prepared (${oneLine(error)})`,
    )
    return undefined
  }
  const kept: WantedProfile[] = []
  let total = 0
  for (const w of wanted) {
    const what = `the baseline's ${w.kind} profile ${w.file}`
    let got: FetchedFile
    try {
      got = await fetch(w.file, Math.min(fileLimit, totalLimit - total))
    } catch (error) {
      notes.push(`${what} could not be read: ${oneLine(error)}`)
      continue
    }
    if ('missing' in got) {
      notes.push(`${what} is missing: ${got.missing}`)
      continue
    }
    if ('tooLarge' in got || got.bytes.length > fileLimit || total + got.bytes.length > totalLimit) {
      notes.push(
        'bytes' in got && got.bytes.length <= fileLimit
          ? `${what} was left out: the baseline's profiles are over ${mib(totalLimit)} together`
          : `${what} was left out: it is over ${mib(Math.min(fileLimit, totalLimit - total))}, the limit for a baseline profile`,
      )
      continue
    }
    const target = path.resolve(dir, w.file)
    const relative = path.relative(dir, target)
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      notes.push(`${what} was refused: it would be written outside ${BASELINE_PROFILES_DIR}`)
      continue
    }
    try {
      await mkdir(path.dirname(target), { recursive: true })
      // wx: never through a file or link that is already there.
      await writeFile(target, got.bytes, { flag: 'wx' })
    } catch (error) {
      notes.push(`${what} could not be written: ${oneLine(error)}`)
      continue
    }
    total += got.bytes.length
    kept.push(w)
  }
  return kept.length > 0 ? { dir, files: kept } : undefined
}
