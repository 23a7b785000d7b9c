// pprof analysis: top tables, diffs, areas, goroutines, contention. All pure. The profile format
// itself (model, decoding, sample types) is src/pprof/.
export { topTable, formatTopText } from './top.ts'

export { diffProfile, diffTop } from './diff.ts'

export { areaShares, APPLICATION_AREA, OTHER_AREA } from './areas.ts'

export { goroutineCount, goroutineStacks, goroutineLeak } from './goroutines.ts'

export { contentionSites } from './contention.ts'
export { withoutSamples, withoutPerfgateFrames, PERFGATE_OWN_FRAMES } from './filter.ts'
export { applicationCosts } from './appcost.ts'
export type { ApplicationCost } from './appcost.ts'
