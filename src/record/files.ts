// The raw files beside result.json that the record names (pprof profiles, EXPLAIN plans), read and
// parsed once per run: analysis (analyze/load-inputs.ts) and the report (report/files.ts) both take
// the one RunFiles this returns. I/O; a missing or bad file never throws: it becomes a one-line
// reason.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { oneLine } from '../errors.ts'
import { decodeProfile } from '../pprof/decode.ts'
import type { Profile } from '../pprof/model.ts'
import type { ProfileKind } from './collectors.ts'
import { isUnavailable } from './common.ts'
import type { RunRecord } from './index.ts'

/** One EXPLAIN file: its text and parsed JSON, or why it could not be read (text kept if it was). */
export type ExplainFile =
  { file: string; text: string; plan: unknown } | { file: string; text?: string; reason: string }

export interface RunFiles {
  /** The profiles that decoded, by kind (a profile without samples included). */
  profiles: Partial<Record<ProfileKind, Profile>>
  /** The file of each decoded profile, relative to the folder. */
  profileFiles: Partial<Record<ProfileKind, string>>
  /** Profiles the record names that could not be read or decoded: `<file>: <reason>`. */
  profileErrors: { kind: ProfileKind; reason: string }[]
  /** EXPLAIN (FORMAT JSON) files by queryid. */
  explains: Record<string, ExplainFile>
}

/** loadRunFiles reads and decodes each profile and EXPLAIN file `record` names, from `dir`. */
export async function loadRunFiles(record: RunRecord, dir: string): Promise<RunFiles> {
  const profiles = record.profiles
  const out = await loadProfileFiles(profiles && !isUnavailable(profiles) ? (profiles.files ?? []) : [], dir)
  const postgres = record.postgres
  if (postgres && !isUnavailable(postgres)) {
    for (const e of postgres.explains ?? []) {
      if (e.file) out.explains[e.queryid] = await readExplain(dir, e.file)
    }
  }
  return out
}

/**
 * loadProfileFiles reads and decodes `files` (names relative to `dir`) into a RunFiles without
 * EXPLAIN plans: the baseline run's profiles are read this way.
 */
export async function loadProfileFiles(
  files: { kind: ProfileKind; file: string }[],
  dir: string,
): Promise<RunFiles> {
  const out: RunFiles = { profiles: {}, profileFiles: {}, profileErrors: [], explains: {} }
  for (const f of files) {
    let bytes: Uint8Array
    try {
      bytes = await readFile(path.resolve(dir, f.file))
    } catch (error) {
      out.profileErrors.push({
        kind: f.kind,
        reason: `${f.file}: cannot read the file (${oneLine(error)})`,
      })
      continue
    }
    const decoded = decodeProfile(bytes)
    if (decoded.ok) {
      out.profiles[f.kind] = decoded.value
      out.profileFiles[f.kind] = f.file
    } else out.profileErrors.push({ kind: f.kind, reason: `${f.file}: ${decoded.reason}` })
  }
  return out
}

async function readExplain(dir: string, file: string): Promise<ExplainFile> {
  let text: string
  try {
    text = await readFile(path.resolve(dir, file), 'utf8')
  } catch (error) {
    return { file, reason: oneLine(error) }
  }
  try {
    return { file, text, plan: JSON.parse(text) as unknown }
  } catch (error) {
    return { file, text, reason: oneLine(error) }
  }
}

/** One line per file of `files` that could not be read or parsed, for the run log. */
export function runFileProblems(files: RunFiles): string[] {
  return [
    ...files.profileErrors.map((e) => e.reason),
    ...Object.values(files.explains).flatMap((e) => ('reason' in e ? [`${e.file}: ${e.reason}`] : [])),
  ]
}
