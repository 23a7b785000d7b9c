// The two shard jobs the front doors call: a shard run (measure its segment, write and upload its
// record, no gate) and the merge (collect the shards' records into one, for finishPipeline).
import path from 'node:path'
import type { Plan } from '../plan/types.ts'
import { SCHEMA_VERSION, type RunRecord } from '../record/index.ts'
import { writeRecord } from '../record/io.ts'
import { measure, runMeta, secretsOf, summarisePlan, type PipelineDeps } from '../pipeline.ts'
import { uploadReportArtifact, type UploadDeps, type UploadResult } from '../github/artifacts.ts'
import type { GitHubClient } from '../github/octokit.ts'
import type { GitHubContext } from '../github/context.ts'
import { oneLine } from '../errors.ts'
import { mergeShardRecords } from './merge.ts'
import {
  collectShardRecords,
  copyCollectorFiles,
  downloadShardRecords,
  RESULT_FILE,
  type ShardRecords,
} from './io.ts'
import { COLLECTOR_SHARD, shardArtifactName } from './policy.ts'

/** A run that measures one shard: `shards` > 1 and mode `run`. */
export function isShardRun(plan: Pick<Plan, 'shards' | 'mode'>): boolean {
  return plan.shards > 1 && plan.mode === 'run'
}

export interface ShardRunResult {
  record: RunRecord
  resultPath: string
  /** Absent when not uploading (the CLI). */
  artifact?: UploadResult
}

/**
 * Measures this shard's execution segment (collectors only in the owning shard, see
 * runsCollectors), writes its result.json and, with `upload`, uploads the output folder as
 * `perfgate-<report>-shard-<i>`. No baseline, SLOs or gate: a shard's numbers are a fraction of the
 * test. When the measurement throws, a record with the load unavailable is still written and
 * uploaded, so the merge names the failure, and the error is thrown again.
 */
export async function runShard(
  plan: Plan,
  deps: PipelineDeps,
  upload?: Omit<UploadDeps, 'env'> & { env?: NodeJS.ProcessEnv },
): Promise<ShardRunResult> {
  const resultPath = path.join(plan.outputDir, RESULT_FILE)
  const startedAt = (deps.now ?? (() => new Date()))()
  let record: RunRecord
  let failure: unknown
  try {
    record = await measure(plan, deps)
  } catch (error) {
    failure = error
    record = failedShardRecord(plan, deps, startedAt, error)
  }
  await writeRecord(resultPath, record)
  let artifact: UploadResult | undefined
  if (upload) {
    artifact = await uploadReportArtifact(plan.outputDir, shardReportName(plan.reportName, plan.shard), {
      env: deps.env,
      ...upload,
    })
    deps.log(
      'failed' in artifact
        ? `artifact: ${artifact.failed}`
        : `artifact ${artifact.name}: ${artifact.files} files`,
    )
  }
  if (failure !== undefined) throw failure
  return { record, resultPath, ...(artifact ? { artifact } : {}) }
}

/** uploadReportArtifact names artifacts `perfgate-<name>`: this name gives shardArtifactName. */
export function shardReportName(reportName: string, index: number): string {
  return shardArtifactName(reportName, index).replace(/^perfgate-/, '')
}

function failedShardRecord(plan: Plan, deps: PipelineDeps, startedAt: Date, error: unknown): RunRecord {
  const endedAt = (deps.now ?? (() => new Date()))()
  return unavailableRecord(
    plan,
    deps.env,
    startedAt,
    endedAt,
    secretsOf(plan, deps.env).scrub(oneLine(error)),
  )
}

function unavailableRecord(
  plan: Plan,
  env: NodeJS.ProcessEnv,
  startedAt: Date,
  endedAt: Date,
  reason: string,
): RunRecord {
  const unavailable = { unavailable: reason }
  return {
    schema: SCHEMA_VERSION,
    meta: runMeta(plan, env, startedAt, endedAt),
    plan: summarisePlan(plan),
    load: unavailable,
    prometheus: unavailable,
    postgres: unavailable,
    redis: unavailable,
    appStats: unavailable,
    profiles: unavailable,
    findings: [],
  }
}

export type MergeSource =
  | { from: string | string[] }
  | { octokit: GitHubClient; context: Pick<GitHubContext, 'owner' | 'repo' | 'runId'>; fetch?: typeof fetch }

/**
 * `mode: merge`: the shards' records (from folders, or this run's artifacts), merged into one
 * RunRecord with the owning shard's collector files copied into `plan.outputDir`. Missing shards
 * make the record partial; the caller then runs finishPipeline and publishes as for a single run.
 */
export async function mergeShards(
  plan: Plan,
  source: MergeSource,
  log: (line: string) => void = () => undefined,
): Promise<RunRecord> {
  let found: ShardRecords
  if ('from' in source) {
    found = await collectShardRecords(source.from)
  } else {
    const shards = plan.shards > 1 ? plan.shards : 0
    if (shards === 0)
      throw new Error('mode merge in the action needs the shards input (the number of shards)')
    found = await downloadShardRecords(source.octokit, source.context, plan.reportName, shards, {
      outDir: plan.outputDir,
      log,
      ...(source.fetch ? { fetch: source.fetch } : {}),
    })
  }
  for (const note of found.notes) log(`merge: ${note}`)
  const expected =
    plan.shards > 1
      ? plan.shards
      : Math.max(
          0,
          ...found.records.map((r) => r.meta.shard?.count ?? 0),
          ...Object.keys(found.missing).map((i) => Number(i) + 1),
        )
  if (expected < 1)
    throw new Error('mode merge found no shard records and was not told how many shards ran (shards input)')
  if (found.records.length === 0) {
    // Nothing to merge is still a record: the gate reports every shard as missing.
    const reasons = Array.from(
      { length: expected },
      (_, i) => `shard ${i} of ${expected} missing${found.missing[i] ? `: ${found.missing[i]}` : ''}`,
    )
    const now = new Date()
    const record = unavailableRecord(
      plan,
      process.env,
      now,
      now,
      `no shard produced load data: ${reasons.join('; ')}`,
    )
    record.meta.shard = { index: -1, count: expected }
    log(`merge: ${record.load && 'unavailable' in record.load ? record.load.unavailable : ''}`)
    return record
  }
  const merged = mergeShardRecords(found.records, expected, { missing: found.missing })
  const ownerDir = found.dirs.get(COLLECTOR_SHARD)
  if ('from' in source && ownerDir) {
    for (const problem of await copyCollectorFiles(merged, ownerDir, plan.outputDir))
      log(`merge: collector file not copied: ${problem}`)
  }
  const load = merged.load
  log(
    'unavailable' in load
      ? `merge: no load data (${load.unavailable})`
      : `merged ${expected} shards: ${load.overall.count} requests, p95 ${load.overall.duration.p95Ms} ms${load.partial ? ` — partial: ${load.partial}` : ''}`,
  )
  return merged
}
