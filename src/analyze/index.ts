// Analysis: findings and AnalysisData from a record. analyzeRecord is pure; loadAnalysisInputs
// is its I/O shell; recommend.ts has the tiers, implementation plan and success criteria.
export { analyzeRecord, EMPTY_INPUTS } from './analyze.ts'
export type { AnalysisInputs, AnalyzeOptions } from './analyze.ts'
export { loadAnalysisInputs } from './load-inputs.ts'
export type { LoadInputsOptions } from './load-inputs.ts'
export { createSourceIndex, shortFunctionName, EMPTY_SOURCE_INDEX } from './source.ts'
export type { SourceIndex, SourceFile } from './source.ts'
export {
  tierOf,
  findingsByTier,
  implementationPlan,
  successCriteria,
  percent,
  TIER_TITLES,
} from './recommend.ts'
export type { PlanPhase, PlanItem, SuccessCriterion } from './recommend.ts'
export { parseFilter, indexFor, seqScanFilters } from './plans.ts'
