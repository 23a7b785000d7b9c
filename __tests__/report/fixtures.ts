// Loading the report fixtures, and the SLO rows, comparison and gate computed from them the way the
// pipeline does. Two sets:
// - testbed-run/ and testbed-baseline/: real output folders of `perfgate run` against the testbed
//   stack (result.json, the pprof profiles, the EXPLAIN plans), their findings and analysis
//   re-derived with the current rules as first runs by __tests__/fixtures/records/reanalyse.ts.
// - handwritten-*.json: hand-written records with every collector and a finding of each kind, and
//   real Go profiles from __tests__/fixtures/pprof/gen (make-handwritten-run.ts writes them).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodeProfile } from '../../src/pprof/decode.ts'
import type { Profile } from '../../src/pprof/model.ts'
import { evaluateSlos } from '../../src/analyze/slo.ts'
import { compare, gateVerdict } from '../../src/compare/index.ts'
import { DEFAULT_TOLERANCES } from '../../src/plan/defaults.ts'
import type { GatePolicy } from '../../src/plan/types.ts'
import { isUnavailable } from '../../src/record/common.ts'
import type { ProfileKind } from '../../src/record/collectors.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { parseRecord } from '../../src/record/io.ts'
import type { ReportInput } from '../../src/report/model.ts'
import { loadRunFiles, runFileProblems } from '../../src/record/files.ts'
import { reportFiles } from '../../src/report/files.ts'
import { analyzeRecord, loadAnalysisInputs } from '../../src/analyze/index.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
export const RECORDS = path.join(here, '..', 'fixtures', 'records')

export function loadRecord(name: string): RunRecord {
  const file = path.join(RECORDS, name)
  return parseRecord(readFileSync(file, 'utf8'), file)
}

const PROFILE_FILES: Partial<Record<ProfileKind, string>> = {
  cpu: 'cpu.pb.gz',
  heap: 'heap.pb.gz',
  allocs: 'allocs.pb.gz',
  goroutine_during: 'goroutine.pb.gz',
  block: 'block.pb.gz',
  mutex: 'mutex.pb.gz',
}

/** A real output folder: its record, with the profiles and plans the report reads beside it. */
export async function loadRun(
  dir: string,
): Promise<Pick<ReportInput, 'record' | 'profiles' | 'explainPlans'>> {
  const folder = path.join(RECORDS, dir)
  const record = parseRecord(readFileSync(path.join(folder, 'result.json'), 'utf8'), `${dir}/result.json`)
  const files = await loadRunFiles(record, folder)
  const problems = runFileProblems(files)
  if (problems.length > 0) throw new Error(problems.join('; '))
  return { record, ...reportFiles(files) }
}

let profilesCache: Partial<Record<ProfileKind, Profile>> | undefined

/** The decoded profiles of the handwritten records, decoded once per file (callers must not change them). */
export function loadProfiles(): Partial<Record<ProfileKind, Profile>> {
  if (profilesCache) return profilesCache
  const out: Partial<Record<ProfileKind, Profile>> = {}
  for (const [kind, file] of Object.entries(PROFILE_FILES)) {
    const decoded = decodeProfile(readFileSync(path.join(RECORDS, 'handwritten-profiles', file)))
    if (!decoded.ok) throw new Error(`${file}: ${decoded.reason}`)
    out[kind as ProfileKind] = decoded.value
  }
  profilesCache = out
  return out
}

export const POLICY: GatePolicy = { failOn: ['slo', 'regression'], tolerances: DEFAULT_TOLERANCES }

type Judged = Pick<ReportInput, 'slos' | 'comparison' | 'gate'>

/**
 * The SLO rows, comparison and gate of each record (and baseline) object, computed once: the
 * comparison of the handwritten pair takes seconds and many tests render it. Keyed by identity,
 * so a test that changes a record must load its own (loadRecord returns a fresh one).
 */
const judgedCache = new WeakMap<RunRecord, Map<RunRecord | undefined, Judged>>()

function judged(record: RunRecord, baseline: RunRecord | undefined): Judged {
  const byBaseline = judgedCache.get(record) ?? new Map<RunRecord | undefined, Judged>()
  judgedCache.set(record, byBaseline)
  const hit = byBaseline.get(baseline)
  if (hit) return hit
  const computed = judge(record, baseline)
  byBaseline.set(baseline, computed)
  return computed
}

function judge(record: RunRecord, baseline: RunRecord | undefined): Judged {
  const slos = evaluateSlos(record, record.plan.slos)
  const comparison = compare(baseline, record, POLICY)
  const load = record.load
  const gate = gateVerdict(slos, comparison, POLICY, {
    baselineFound: baseline !== undefined,
    ...(isUnavailable(load)
      ? { loadUnavailable: load.unavailable }
      : load.partial
        ? { partial: load.partial }
        : {}),
  })
  return { slos, comparison, gate }
}

/** The report input the pipeline would build for `record` (and `baseline`). */
export function inputFor(
  record: RunRecord,
  baseline?: RunRecord,
  extra: Partial<ReportInput> = {},
): ReportInput {
  return {
    record,
    ...(baseline ? { baseline } : {}),
    ...judged(record, baseline),
    reportName: 'perfgate',
    links: {
      runUrl: 'https://github.com/clipper/api/actions/runs/123456789',
      artifactUrl: 'https://github.com/clipper/api/actions/runs/123456789/artifacts/987654',
    },
    ...extra,
  }
}

/**
 * The record of the output folder `dir` with its profile diff against `baselineDir`'s profiles
 * computed as the pipeline does (the fixtures are analysed as first runs, without one); the rest of
 * its analysis stays as recorded.
 */
export async function withProfileDiff(dir: string, baselineDir: string): Promise<RunRecord> {
  const read = async (d: string) => {
    const folder = path.join(RECORDS, d)
    const r = parseRecord(readFileSync(path.join(folder, 'result.json'), 'utf8'), `${d}/result.json`)
    return { record: r, files: await loadRunFiles(r, folder) }
  }
  const [run, base] = await Promise.all([read(dir), read(baselineDir)])
  const inputs = await loadAnalysisInputs(run.files, { baselineFiles: base.files })
  const { analysis } = analyzeRecord(run.record, inputs)
  return { ...run.record, analysis: { ...run.record.analysis!, diff: analysis.diff } }
}
