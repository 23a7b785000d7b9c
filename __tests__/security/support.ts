// Shared by the security tests and the comment-mode tests: the plan a trusted `mode: comment`
// workflow loads from the base branch's perfgate.yml, and the workflow_run context of a run.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadPlan } from '../../src/plan/load.ts'
import type { Plan } from '../../src/plan/types.ts'
import type { GitHubContext } from '../../src/github/context.ts'
import type { FakeGitHub } from '../fakes/github.ts'

/** The base branch's perfgate.yml in these tests: feed p95 under 100 ms, errors under 1%. */
export const BASE_CONFIG = `endpoints:
  - { name: feed, method: GET, route: /api/v1/clips }
slos:
  error-rate: '<1%'
  endpoints:
    feed: { p95: '<100ms' }
scenario:
  user-types:
    - { name: reader, weight: 100, steps: [{ endpoint: feed, think: 1 }] }
`

/** The plan of a `mode: comment` step whose checkout holds `config` as perfgate.yml. */
export async function commentPlan(reportName = 'default', config = BASE_CONFIG): Promise<Plan> {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-comment-'))
  try {
    writeFileSync(path.join(dir, 'perfgate.yml'), config)
    return await loadPlan({ mode: 'comment', 'report-name': reportName }, { cwd: dir, env: {} })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The context of a workflow_run workflow triggered by the completion of run `runId`, as GitHub sends it. */
export async function workflowRunContext(gh: FakeGitHub, runId: number): Promise<GitHubContext> {
  const payload = (await (
    await fetch(`${gh.url}/repos/${gh.state.fullName}/actions/runs/${runId}`, {
      headers: { authorization: 'token ghs_write' },
    })
  ).json()) as Record<string, unknown>
  return {
    owner: gh.state.owner,
    repo: gh.state.repo,
    apiUrl: gh.url,
    serverUrl: 'https://github.com',
    eventName: 'workflow_run',
    event: { action: 'completed', workflow_run: payload },
    runId: 5000,
    fork: false,
  }
}
