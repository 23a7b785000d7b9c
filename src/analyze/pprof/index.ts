// pprof analysis: top tables, diffs, areas, goroutines, contention. All pure. The profile format
// itself (model, decoding, sample types) is src/pprof/.
export { topTable, formatTopText, computeTotal } from './top.ts'
export type { TopOptions, TopRow, TopTable } from './top.ts'
export { diffProfile, diffTop, DIFF_BASE_LABEL } from './diff.ts'
export type { DiffProfileOptions, DiffRow, DiffTop, DiffTopOptions } from './diff.ts'
export { areaShares, APPLICATION_AREA, OTHER_AREA } from './areas.ts'
export type { AreaShare, AreaShares, AreaOptions } from './areas.ts'
export { goroutineCount, goroutineStacks, goroutineLeak } from './goroutines.ts'
export type { GoroutineStack, GoroutineLeak } from './goroutines.ts'
export { contentionSites } from './contention.ts'
export type { Contention, ContentionSite } from './contention.ts'
export { scaledLabel, percentage, scale } from './measurement.ts'
