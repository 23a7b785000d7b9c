// What the report takes from the raw files beside result.json: the CPU profile (decoded for the
// flame graph; the top tables come from record.analysis) and the EXPLAIN plans' text. The files
// are read once, by the output folder's loader (record/files.ts) that analysis uses too. Pure.
import type { RunFiles } from '../record/files.ts'
import type { ReportInput } from './model.ts'

/** The report's `profiles` and `explainPlans` from the run's loaded files. */
export function reportFiles(files: RunFiles): Required<Pick<ReportInput, 'profiles' | 'explainPlans'>> {
  const explainPlans: Record<string, string> = {}
  for (const [queryid, e] of Object.entries(files.explains))
    if (e.text !== undefined) explainPlans[queryid] = e.text
  // Only the CPU profile is drawn (the flame graph of report.html).
  return { profiles: files.profiles.cpu ? { cpu: files.profiles.cpu } : {}, explainPlans }
}
