// Sharding: one k6 test split across N machines with k6 execution segments, each shard uploading
// its partial record, and `mode: merge` merging them exactly into one RunRecord (docs/sharding.md).
// The pipeline imports './shard/policy.ts' directly (run.ts imports the pipeline).
export {
  COLLECTOR_SHARD,
  executionSegment,
  executionSegmentArgs,
  runsCollectors,
  shardArtifactName,
  notCollectedReason,
  notCollectedSession,
} from './policy.ts'
export { mergeShardRecords, shardLabel, type MergeOptions } from './merge.ts'
export {
  collectShardRecords,
  downloadShardRecords,
  collectorFiles,
  copyCollectorFiles,
  RESULT_FILE,
  type ShardRecords,
  type DownloadShardOptions,
} from './io.ts'
export {
  isShardRun,
  runShard,
  mergeShards,
  shardReportName,
  type ShardRunResult,
  type MergeSource,
} from './run.ts'
