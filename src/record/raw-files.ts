// The raw files a record names beside it (k6 output, scrapes, statistics, profiles, plans), and
// copying them to another output folder (`perfgate report --out`), so the copy can be rebuilt alone.
import { copyFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { isUnavailable, type Part } from './common.ts'
import type { RunRecord } from './index.ts'
import { BASE_SIDE_DIR } from './paired.ts'

/** Relative paths of the raw files the record names, each once, in record order. */
export function rawFilesOf(record: RunRecord): string[] {
  const files = (part: Part<{ files: string[] }>): string[] => (isUnavailable(part) ? [] : part.files)
  const profiles = isUnavailable(record.profiles) ? [] : record.profiles.files.map((f) => f.file)
  const explains = isUnavailable(record.postgres)
    ? []
    : record.postgres.explains.flatMap((e) => (e.file ? [e.file] : []))
  return [
    ...new Set([
      ...files(record.load),
      ...files(record.prometheus),
      ...files(record.postgres),
      ...explains,
      ...files(record.redis),
      ...files(record.appStats),
      ...profiles,
      ...baseSideFiles(record),
    ]),
  ]
}

/** A paired run's base-side files, as paths from the record's folder (they sit in BASE_SIDE_DIR). */
function baseSideFiles(record: RunRecord): string[] {
  const base = record.baseCollectors
  if (!base) return []
  const files = (part: Part<{ files: string[] }>): string[] => (isUnavailable(part) ? [] : part.files)
  const profiles = isUnavailable(base.profiles) ? [] : base.profiles.files.map((f) => f.file)
  return [...files(base.prometheus), ...files(base.appStats), ...profiles].map((f) => `${BASE_SIDE_DIR}/${f}`)
}

/**
 * Copies the record's raw files from `from` to `to`. Names that would leave the folder are skipped
 * (a record is input, and `../x` must not write outside `to`); so are files that are not there.
 * Returns one line per problem (the missing files in one).
 */
export async function copyRawFiles(record: RunRecord, from: string, to: string): Promise<string[]> {
  const problems: string[] = []
  const missing: string[] = []
  for (const file of rawFilesOf(record)) {
    const source = path.resolve(from, file)
    const target = path.resolve(to, file)
    if (!isInside(from, source) || !isInside(to, target)) {
      problems.push(`${file}: not inside the record's folder, not copied`)
      continue
    }
    try {
      await mkdir(path.dirname(target), { recursive: true })
      await copyFile(source, target)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') missing.push(file)
      else problems.push(`${file}: not copied (${code ?? String(error)})`)
    }
  }
  if (missing.length > 0)
    problems.unshift(
      `${missing.length} raw file(s) the record names are not beside it (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}): what is built from them is left out`,
    )
  return problems
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(path.resolve(dir), file)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}
