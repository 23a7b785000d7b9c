// Baseline source `path`: a result.json committed to the repository.
import path from 'node:path'
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
    return { baseline: record, history: [record], source, notes: [] }
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
