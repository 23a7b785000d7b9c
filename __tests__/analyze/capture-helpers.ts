// One short real run against a testbed stack: the plan from action-like inputs, then the
// pipeline's measure() (k6 + every collector). For the analysis integration test and fixtures.
import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { measure } from '../../src/pipeline.ts'
import { loadPlan } from '../../src/plan/load.ts'
import type { RunRecord } from '../../src/record/index.ts'

export const K6_PATH = '/root/.cache/perfgate/bin/k6'

/** Clip ids, tags and search terms of the testbed's seed data, for the generated script. */
export const TESTBED_FIXTURES = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/analysis/testbed-fixtures.json',
)

/**
 * A scenario that exercises every fault in a short run: related clips and votes (several
 * concurrent voters) often enough for the CPU and contention profiles to catch them.
 */
export const FAULT_SCENARIO = `  user-types:
    - name: fault-finder
      weight: 100
      steps:
        - { endpoint: feed, think: 0.5 }
        - { endpoint: clip_detail, think: 0.5 }
        - { endpoint: related_clips, think: 0.1, repeat: 3 }
        - { endpoint: comments_list, think: 0.5 }
        - { endpoint: vote, think: 0, repeat: 4 }
        - { endpoint: search, think: 0.5 }
`

export async function captureRun(
  stack: Record<string, string>,
  outDir: string,
  options: {
    duration: string
    vus: string
    repoDir: string
    /** Default 0.2: short runs that still reach every endpoint. */
    thinkTimeScale?: string
    /** Extra YAML under `scenario:` (two-space indented), e.g. FAULT_SCENARIO. */
    scenario?: string
    log?: (line: string) => void
  },
): Promise<RunRecord> {
  const env = { ...process.env, PERFGATE_TOKEN: stack.USER_TOKEN ?? 'user-1-token' }
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'perfgate-analysis-plan-'))
  await writeFile(
    path.join(cwd, 'perfgate.yml'),
    `scenario:\n  fixtures: ${JSON.stringify(TESTBED_FIXTURES)}\n${options.scenario ?? ''}`,
  )
  const plan = await loadPlan(
    {
      'target-url': stack.TARGET_URL,
      vus: options.vus,
      duration: options.duration,
      'think-time-scale': options.thinkTimeScale ?? '0.2',
      'database-url': stack.DATABASE_URL_RO ?? stack.DATABASE_URL,
      'redis-url': stack.REDIS_URL,
      'metrics-url': stack.METRICS_URL,
      'pprof-url': stack.PPROF_URL,
      'debug-auth-header': `Authorization: Bearer ${stack.ADMIN_TOKEN}`,
      'app-stats-urls': stack.APP_STATS_URLS,
      'output-dir': outDir,
      'fail-on': 'slo',
      baseline: 'none',
      ...(existsSync(K6_PATH) ? { 'k6-path': K6_PATH } : {}),
    },
    { cwd, env },
  )
  plan.repoDir = options.repoDir
  plan.collectors.coolDownS = 3
  return measure(plan, { env, log: options.log ?? ((line) => process.stderr.write(line + '\n')) })
}
