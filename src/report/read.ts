// The files beside result.json the report reads: the CPU profile (decoded for the flame graph; the
// top tables come from record.analysis) and the EXPLAIN plans. I/O; everything else in report/ is pure.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { decodeProfile } from '../analyze/pprof/decode.ts'
import type { Profile } from '../analyze/pprof/model.ts'
import { isUnavailable } from '../record/common.ts'
import type { ProfileKind } from '../record/collectors.ts'
import type { RunRecord } from '../record/index.ts'

export interface ReportFilesInput {
  profiles: Partial<Record<ProfileKind, Profile>>
  explainPlans: Record<string, string>
  /** Files that could not be read or decoded, one line each. */
  problems: string[]
}

/** The profiles the report decodes: only the CPU one, for the flame graph of report.html. */
const DECODED: ReadonlySet<ProfileKind> = new Set(['cpu'])

/**
 * Reads the CPU profile and EXPLAIN plans `record` names from `outDir` (its output folder), for
 * buildReportModel's `profiles` and `explainPlans`. A missing or corrupt file becomes a problem
 * line, never an error.
 */
export async function readReportFiles(outDir: string, record: RunRecord): Promise<ReportFilesInput> {
  const out: ReportFilesInput = { profiles: {}, explainPlans: {}, problems: [] }
  const profiles = record.profiles
  if (profiles && !isUnavailable(profiles)) {
    for (const f of profiles.files ?? []) {
      if (!DECODED.has(f.kind)) continue
      try {
        const decoded = decodeProfile(await readFile(path.resolve(outDir, f.file)))
        if (decoded.ok) out.profiles[f.kind] = decoded.value
        else out.problems.push(`${f.file}: ${decoded.reason}`)
      } catch (error) {
        out.problems.push(`${f.file}: ${(error as Error).message}`)
      }
    }
  }
  const postgres = record.postgres
  if (postgres && !isUnavailable(postgres)) {
    for (const e of postgres.explains ?? []) {
      if (!e.file) continue
      try {
        out.explainPlans[e.queryid] = await readFile(path.resolve(outDir, e.file), 'utf8')
      } catch (error) {
        out.problems.push(`${e.file}: ${(error as Error).message}`)
      }
    }
  }
  return out
}
