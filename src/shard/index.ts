// Sharding: one k6 test split across N machines with k6 execution segments, each shard uploading
// its partial record, and `mode: merge` merging them exactly into one RunRecord (docs/sharding.md).
// The pipeline imports './shard/policy.ts' directly (run.ts imports the pipeline).
export { executionSegment, executionSegmentArgs, runsCollectors, shardArtifactName } from './policy.ts'
export { mergeShardRecords } from './merge.ts'
export { collectShardRecords, collectorFiles } from './io.ts'
export { isShardRun, runShard, mergeShards } from './run.ts'
