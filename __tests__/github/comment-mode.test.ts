import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeGitHub, type FakeGitHub, type FakePull } from '../fakes/github.ts'
import { makeRecord, type RecordFacts } from '../fakes/record.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import type { GitHubContext } from '../../src/github/context.ts'
import { runCommentMode } from '../../src/github/comment-mode.ts'
import { commentMarker } from '../../src/github/comment.ts'
import type { Plan } from '../../src/plan/types.ts'
import { commentPlan } from '../security/support.ts'

describe('comment mode', () => {
  let gh: FakeGitHub
  let pull: FakePull
  let plan: Plan
  let apiPlan: Plan
  const octokit = () => createOctokit({ token: 'ghs_write', baseUrl: gh.url, sleep: async () => {} })

  before(async () => {
    gh = await startFakeGitHub()
    plan = await commentPlan('default')
    apiPlan = await commentPlan('api')
  })
  after(() => gh.close())
  beforeEach(() => {
    Object.assign(gh.state, { runs: [], artifacts: [], pulls: [], comments: [], statuses: [], requests: [] })
    gh.state.addPull({ number: 3, headRef: 'other' })
    pull = gh.state.addPull({ number: 12, headRepo: 'mallory/shop', headRef: 'faster-feed' })
  })

  /** A fork's pull_request run that uploaded `record` and `comment`; returns the workflow_run context. */
  async function forkRun(
    facts: RecordFacts | 'merge',
    comment = '## perfgate\np95 41 ms',
    conclusion = 'success',
  ) {
    const run = gh.state.addRun({
      event: 'pull_request',
      headBranch: pull.headRef,
      headSha: pull.headSha,
      headRepo: pull.headRepo,
      conclusion,
      pullRequests: [pull.number],
    })
    const record =
      facts === 'merge'
        ? makeRecord({ pr: pull.number, sha: gh.state.addMergeCommit(pull), runId: run.id })
        : makeRecord({ runId: run.id, ...facts })
    gh.state.addArtifact(run.id, 'perfgate-default', {
      'result.json': JSON.stringify(record),
      'comment.md': comment,
    })
    const payload = (await (
      await fetch(`${gh.url}/repos/acme/shop/actions/runs/${run.id}`, {
        headers: { authorization: 'token ghs_write' },
      })
    ).json()) as Record<string, unknown>
    const ctx: GitHubContext = {
      owner: 'acme',
      repo: 'shop',
      apiUrl: gh.url,
      serverUrl: 'https://github.com',
      eventName: 'workflow_run',
      event: { action: 'completed', workflow_run: payload },
      runId: 5000,
      fork: false,
    }
    return { run, ctx }
  }

  test('a fork run whose record matches its PR and merge commit gets the comment and the status', async () => {
    const { run, ctx } = await forkRun('merge')
    const result = await runCommentMode({ plan, ctx }, { octokit: octokit() })
    assert.ok('comment' in result, JSON.stringify(result))
    assert.equal(result.pr, 12)
    assert.equal(result.runId, run.id)
    assert.ok('action' in result.comment)
    assert.equal(result.comment.action, 'created')
    // The comment is rendered here from the record, not the artifact's comment.md.
    assert.deepEqual(
      gh.state.comments.map((c) => c.issueNumber),
      [12],
    )
    const body = gh.state.comments[0]!.body
    assert.ok(body.startsWith(`${commentMarker('default')}\n`))
    assert.match(body, /Performance report: default/)
    assert.doesNotMatch(body, /p95 41 ms/)
    assert.equal(result.gate.failed, false)
    assert.deepEqual(
      gh.state.statuses.map((s) => [s.sha, s.state, s.context, s.targetUrl]),
      [[pull.headSha, 'success', 'perfgate/default', result.comment.url]],
    )
    // GitHub leaves pull_requests empty for forks: the PR was found among the open ones.
    assert.equal(gh.state.requestsTo('GET', /\/pulls$/).length, 1)
  })

  test('a record naming the head sha itself is accepted and a second run updates the same comment', async () => {
    const first = await forkRun({ pr: 12, sha: pull.headSha })
    await runCommentMode({ plan, ctx: first.ctx }, { octokit: octokit() })
    const second = await forkRun(
      { pr: 12, sha: pull.headSha, p95Ms: 190 },
      '## perfgate\np95 90 ms',
      'success',
    )
    const result = await runCommentMode({ plan, ctx: second.ctx }, { octokit: octokit() })
    assert.ok('comment' in result && 'action' in result.comment)
    assert.equal(result.comment.action, 'updated')
    assert.equal(gh.state.comments.length, 1)
    assert.match(gh.state.comments[0]!.body, /190 ms/)
    // The run said success; the record breaks the base branch's feed p95 SLO.
    assert.equal(gh.state.statuses.at(-1)!.state, 'failure')
  })

  test('an artifact whose record names another PR is refused and nothing is posted', async () => {
    const { ctx } = await forkRun({ pr: 3, sha: pull.headSha })
    const result = await runCommentMode({ plan, ctx }, { octokit: octokit() })
    assert.ok('refused' in result)
    assert.match(result.refused, /names PR #3, but the run is for PR #12/)
    assert.equal(gh.state.comments.length, 0)
    assert.equal(gh.state.statuses.length, 0)
  })

  test('an artifact whose record names an unrelated commit is refused', async () => {
    const { ctx } = await forkRun({ pr: 12, sha: 'f'.repeat(40) })
    const result = await runCommentMode({ plan, ctx }, { octokit: octokit() })
    assert.ok('refused' in result)
    assert.match(result.refused, /names commit fffffff, which is neither head/)
    assert.equal(gh.state.comments.length, 0)
  })

  test('an artifact written by another run is refused', async () => {
    const { ctx } = await forkRun({ pr: 12, sha: pull.headSha, runId: 1 })
    const result = await runCommentMode({ plan, ctx }, { octokit: octokit() })
    assert.ok('refused' in result)
    assert.match(result.refused, /was written by run 1/)
  })

  test('a corrupt record is refused', async () => {
    const { run, ctx } = await forkRun({ pr: 12, sha: pull.headSha })
    gh.state.artifacts = []
    gh.state.addArtifact(run.id, 'perfgate-default', { 'result.json': '{"schema":1}', 'comment.md': 'x' })
    const result = await runCommentMode({ plan, ctx }, { octokit: octokit() })
    assert.ok('refused' in result)
    assert.match(result.refused, /is not a valid perfgate record: meta: missing/)
  })

  test('a run without the artifact, or another event, is skipped', async () => {
    const { run, ctx } = await forkRun({ pr: 12, sha: pull.headSha })
    const other = await runCommentMode({ plan: apiPlan, ctx }, { octokit: octokit() })
    assert.ok('skipped' in other)
    assert.match(other.skipped, new RegExp(`run ${run.id} has no perfgate-api artifact`))
    const push = await runCommentMode({ plan, ctx: { ...ctx, eventName: 'push' } }, { octokit: octokit() })
    assert.ok('skipped' in push)
    assert.match(push.skipped, /workflow_run/)
  })

  test('a same-repository PR is taken from the event without listing PRs', async () => {
    pull = gh.state.addPull({ number: 20 })
    const { ctx } = await forkRun({ pr: 20, sha: pull.headSha })
    const result = await runCommentMode({ plan, ctx }, { octokit: octokit() })
    assert.ok('comment' in result)
    assert.equal(result.pr, 20)
    assert.equal(gh.state.requestsTo('GET', /\/pulls$/).length, 0)
  })
})
