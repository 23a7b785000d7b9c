// The one pipeline both front doors call: plan → run → collect → analyze → compare → report.
// Publishing (GitHub or a folder) stays with the caller.
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Plan } from './plan/types.ts'
import { SCHEMA_VERSION, type RunRecord, type RunMeta, type PlanSummary } from './record/index.ts'
import { writeRecord } from './record/io.ts'
import { checkTarget, runLoad, type RunLoadDeps } from './run/index.ts'
import { SecretScrubber } from './secrets.ts'
import { VERSION } from './version.ts'

export interface PipelineDeps {
  env: NodeJS.ProcessEnv
  log: (line: string) => void
  onProgress?: RunLoadDeps['onProgress']
  now?: () => Date
}

export interface PipelineResult {
  record: RunRecord
  resultPath: string
}

export function summarisePlan(plan: Plan): PlanSummary {
  return {
    scenario: plan.scenario.name,
    vus: plan.scenario.vus,
    durationS: plan.scenario.durationS,
    stages: plan.scenario.stages,
    thinkTimeScale: plan.scenario.thinkTimeScale,
    userTypes: plan.scenario.userTypes.map(({ name, weight }) => ({ name, weight })),
    ...(plan.script ? { script: path.basename(plan.script) } : {}),
    endpoints: plan.endpoints.map(({ name, method, route }) => ({ name, method, route })),
    slos: plan.slos,
  }
}

/** Facts about where the run happened, from the runner's environment when there is one. */
export function runMeta(plan: Plan, env: NodeJS.ProcessEnv, startedAt: Date, endedAt: Date): RunMeta {
  const pr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1]
  return {
    tool: 'perfgate',
    toolVersion: VERSION,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    targetUrl: plan.targetUrl,
    git: {
      ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
      ...(env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME
        ? { ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME }
        : {}),
      ...(env.GITHUB_BASE_REF ? { baseRef: env.GITHUB_BASE_REF } : {}),
      ...(pr ? { pr: Number(pr) } : {}),
      ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    },
    workflow: {
      ...(env.GITHUB_RUN_ID ? { runId: Number(env.GITHUB_RUN_ID) } : {}),
      ...(env.GITHUB_RUN_ATTEMPT ? { runAttempt: Number(env.GITHUB_RUN_ATTEMPT) } : {}),
      ...(env.GITHUB_WORKFLOW ? { workflow: env.GITHUB_WORKFLOW } : {}),
      ...(env.GITHUB_JOB ? { job: env.GITHUB_JOB } : {}),
      ...(env.GITHUB_SERVER_URL ? { serverUrl: env.GITHUB_SERVER_URL } : {}),
    },
    ...(plan.shards > 1 ? { shard: { index: plan.shard, count: plan.shards } } : {}),
  }
}

export function secretsOf(plan: Plan, env: NodeJS.ProcessEnv): SecretScrubber {
  return new SecretScrubber([
    plan.collectors.databaseUrl,
    plan.collectors.redisUrl,
    plan.collectors.debugAuthHeader,
    env.INPUT_GITHUB_TOKEN ?? env['INPUT_GITHUB-TOKEN'],
  ])
}

/** Runs the load and everything around it; writes result.json and returns the record. */
export async function runPipeline(plan: Plan, deps: PipelineDeps): Promise<PipelineResult> {
  const now = deps.now ?? (() => new Date())
  const scrubber = secretsOf(plan, deps.env)
  const log = (line: string) => deps.log(scrubber.scrub(line))
  await mkdir(plan.outputDir, { recursive: true })
  await checkTarget(plan, { env: deps.env, log })
  const startedAt = now()
  log(
    `perfgate: ${plan.scenario.name}, ${plan.scenario.vus} VUs for ${plan.scenario.durationS}s against ${plan.targetUrl}`,
  )
  const { load, k6Version } = await runLoad(plan, plan.outputDir, {
    env: deps.env,
    log,
    onProgress: deps.onProgress,
  })
  const endedAt = now()
  const unavailable = (reason: string) => ({ unavailable: reason })
  const record: RunRecord = scrubber.scrubDeep({
    schema: SCHEMA_VERSION,
    meta: { ...runMeta(plan, deps.env, startedAt, endedAt), k6Version },
    plan: summarisePlan(plan),
    load,
    prometheus: plan.collectors.metricsUrl
      ? unavailable('collector not run')
      : unavailable('metrics-url not set'),
    postgres: plan.collectors.databaseUrl
      ? unavailable('collector not run')
      : unavailable('database-url not set'),
    redis: plan.collectors.redisUrl ? unavailable('collector not run') : unavailable('redis-url not set'),
    appStats: plan.collectors.appStatsUrls.length
      ? unavailable('collector not run')
      : unavailable('app-stats-urls not set'),
    profiles: plan.collectors.pprofUrl ? unavailable('collector not run') : unavailable('pprof-url not set'),
    findings: [],
  })
  const resultPath = path.join(plan.outputDir, 'result.json')
  await writeRecord(resultPath, record)
  return { record, resultPath }
}
