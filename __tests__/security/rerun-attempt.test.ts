// Issue 14, rerun attempts: artifact names are unique within a run across its attempts (GitHub
// answers 409 to a second upload of a name), so a rerun's report must be versioned, and readers
// (baseline lookup, mode comment) must take the newest attempt.
import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { makeRecord } from '../fakes/record.ts'
import { addPullRequestRun, fakeOctokit, pullRequestContext } from '../helpers/pull-request.ts'
import { uploadReportArtifact } from '../../src/github/artifacts.ts'
import { findBaseline } from '../../src/baseline/index.ts'
import { runCommentMode } from '../../src/github/comment-mode.ts'
import type { Plan } from '../../src/plan/types.ts'
import { commentPlan, workflowRunContext } from './support.ts'

describe('rerun attempts', () => {
  let gh: FakeGitHub
  let plan: Plan
  const saved: Record<string, string | undefined> = {}
  const octokit = () => fakeOctokit(gh)

  before(async () => {
    gh = await startFakeGitHub()
    plan = await commentPlan('default')
    for (const key of ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL']) saved[key] = process.env[key]
  })
  after(async () => {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    await gh.close()
  })
  beforeEach(() => {
    Object.assign(gh.state, { runs: [], artifacts: [], pulls: [], comments: [], statuses: [], requests: [] })
  })

  /** Uploads a report folder holding `record` as attempt `attempt` of run `runId`, as the action does. */
  async function upload(runId: number, attempt: number, record: unknown) {
    const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-attempt-'))
    await writeFile(path.join(dir, 'result.json'), JSON.stringify(record))
    // @actions/artifact reads its runtime token from the environment.
    process.env.ACTIONS_RUNTIME_TOKEN = gh.runtimeToken(runId, `perf-${attempt}`)
    process.env.ACTIONS_RESULTS_URL = gh.resultsUrl
    return uploadReportArtifact(dir, 'default', {
      env: { ...process.env, GITHUB_RUN_ATTEMPT: String(attempt) },
      warn: () => {},
    })
  }

  test('the fake answers 409 to a second upload of the same name in a run, as GitHub does', async () => {
    const run = gh.state.addRun({ event: 'push', conclusion: 'success' })
    const first = await upload(run.id, 1, makeRecord())
    const again = await upload(run.id, 1, makeRecord())
    assert.ok(!('failed' in first), JSON.stringify(first))
    assert.ok('failed' in again)
    assert.match(again.failed, /409|already exists/)
  })

  test('a rerun attempt uploads its own artifact and the baseline lookup reads the newest attempt', async () => {
    const base = gh.state.addRun({ event: 'push', headBranch: 'main', conclusion: 'success' })
    const first = await upload(base.id, 1, makeRecord({ sha: base.headSha, runId: base.id, p95Ms: 40 }))
    const second = await upload(base.id, 2, makeRecord({ sha: base.headSha, runId: base.id, p95Ms: 55 }))
    assert.ok(!('failed' in first) && !('failed' in second), JSON.stringify([first, second]))
    assert.deepEqual([first.name, second.name], ['perfgate-default', 'perfgate-default-attempt-2'])

    const pr = addPullRequestRun(gh.state)
    const found = await findBaseline(plan, pullRequestContext(gh, pr.id), { octokit: octokit() })
    assert.ok(found.baseline, JSON.stringify(found.notes))
    assert.equal(
      found.baseline.load && 'overall' in found.baseline.load && found.baseline.load.overall.duration.p95Ms,
      55,
    )
  })

  test('mode comment reads the artifact of the attempt that completed, not an older one', async () => {
    const pull = gh.state.addPull({ number: 12, headRepo: 'mallory/shop', headRef: 'faster-feed' })
    const run = gh.state.addRun({
      event: 'pull_request',
      headBranch: pull.headRef,
      headSha: pull.headSha,
      headRepo: pull.headRepo,
      pullRequests: [12],
      runAttempt: 2,
    })
    const facts = { pr: 12, sha: pull.headSha, runId: run.id }
    await upload(run.id, 1, makeRecord({ ...facts, p95Ms: 300 }))
    const second = await upload(run.id, 2, makeRecord({ ...facts, p95Ms: 45 }))
    assert.ok(!('failed' in second), JSON.stringify(second))
    const result = await runCommentMode(
      { plan, ctx: await workflowRunContext(gh, run.id) },
      { octokit: octokit() },
    )
    assert.ok('comment' in result, JSON.stringify(result))
    assert.equal(result.artifactId, second.id)
    assert.equal(result.gate.failed, false)
    assert.equal(gh.state.statuses.at(-1)!.state, 'success')
  })
})
