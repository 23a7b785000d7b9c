// Which records may become a baseline. A run that measured nothing (no requests) or was
// interrupted would make every later run look like a regression or an improvement.
import type { RunRecord } from '../record/index.ts'
import { isUnavailable } from '../record/common.ts'

/** Why `record` cannot be a baseline, or undefined when it can. Older records are judged by their counts. */
export function whyNotABaseline(record: RunRecord): string | undefined {
  const load = record.load
  if (!load || isUnavailable(load)) return `it has no load data${load ? ` (${load.unavailable})` : ''}`
  if (load.unusableAsBaseline) return load.unusableAsBaseline
  if (!(load.overall.count > 0)) return 'it completed no request'
  return undefined
}
