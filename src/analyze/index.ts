// Analysis: findings and AnalysisData from a record. analyzeRecord is pure; loadAnalysisInputs
// is its I/O shell; recommend.ts has the tiers, implementation plan and success criteria.
export { analyzeRecord, EMPTY_INPUTS } from './analyze.ts'

export { loadAnalysisInputs } from './load-inputs.ts'

export { createSourceIndex } from './source.ts'

export { tierOf, implementationPlan, successCriteria } from './recommend.ts'

export { parseFilter, indexFor, seqScanFilters } from './plans.ts'
