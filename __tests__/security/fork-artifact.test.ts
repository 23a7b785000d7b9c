// Issue 14, fork mode: a fork's pull_request run decides every byte of its artifact and the
// conclusion of its own workflow. `mode: comment` must post a comment rendered from the record
// and a status from the verdict it judged itself, with the base branch's SLOs and baseline.
import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeGitHub, type FakeGitHub, type FakePull } from '../fakes/github.ts'
import { makeRecord } from '../fakes/record.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import { runCommentMode } from '../../src/github/comment-mode.ts'
import type { Plan } from '../../src/plan/types.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { commentPlan, workflowRunContext } from './support.ts'
import { judgeRecord } from '../../src/pipeline.ts'

const HOSTILE =
  'see [the fix](https://evil.example/phish) <a href="https://evil.example">here</a> www.evil.example'

describe('fork artifact in mode comment', () => {
  let gh: FakeGitHub
  let pull: FakePull
  let plan: Plan
  const octokit = () => createOctokit({ token: 'ghs_write', baseUrl: gh.url, sleep: async () => {} })

  before(async () => {
    gh = await startFakeGitHub()
    plan = await commentPlan('default')
  })
  after(() => gh.close())
  beforeEach(() => {
    Object.assign(gh.state, { runs: [], artifacts: [], pulls: [], comments: [], statuses: [], requests: [] })
    pull = gh.state.addPull({ number: 12, headRepo: 'mallory/shop', headRef: 'faster-feed' })
  })

  /** The fork's completed pull_request run (conclusion success, which its workflow file decides) and its artifact. */
  function forkRun(files: (runId: number) => Record<string, string>) {
    const run = gh.state.addRun({
      event: 'pull_request',
      headBranch: pull.headRef,
      headSha: pull.headSha,
      headRepo: pull.headRepo,
      conclusion: 'success',
      pullRequests: [pull.number],
    })
    gh.state.addArtifact(run.id, 'perfgate-default', files(run.id))
    return run
  }

  test('a forged comment.md and "pass" are not posted: the comment comes from the record, the status from the re-judged verdict', async () => {
    const forgedPlan = await commentPlan()
    // The base branch's latest push run left the baseline this workflow must find by itself.
    const baseRun = gh.state.addRun({ event: 'push', headBranch: 'main', conclusion: 'success' })
    gh.state.addArtifact(baseRun.id, 'perfgate-default', {
      'result.json': JSON.stringify(
        makeRecord({ sha: baseRun.headSha, ref: 'main', runId: baseRun.id, p95Ms: 40 }),
      ),
    })
    const run = forkRun((runId) => {
      const record: RunRecord & { outcome?: unknown } = makeRecord({
        pr: 12,
        sha: pull.headSha,
        runId,
        p95Ms: 190,
      })
      // The fork loosens its own SLOs, claims a passing verdict and plants markup in every text it can.
      record.plan.slos = {
        endpoints: [{ endpoint: 'feed', p95Ms: { text: '<10s', value: 10_000 } }],
      } as unknown as Plan['slos']
      // A well-formed outcome (it passes validation) whose verdict the fork set to pass.
      const judged = judgeRecord(record, forgedPlan, { history: [], source: 'none', notes: [] })
      record.outcome = { ...judged, gate: { verdict: 'pass', failed: false, reasons: [], regressions: [] } }
      record.meta.targetUrl = 'https://evil.example/preview'
      record.findings = [
        {
          kind: 'slow-query',
          tier: 1,
          title: `Fixed ${HOSTILE}`,
          detail: HOSTILE,
          impact: 1,
          effort: 'low',
          fix: HOSTILE,
        },
      ]
      return {
        'result.json': JSON.stringify(record),
        'comment.md': `## ✅ perfgate: pass\n\nAll good, ${HOSTILE}\n<img src=x onerror=alert(1)>`,
      }
    })
    const ctx = await workflowRunContext(gh, run.id)
    const result = await runCommentMode({ plan, ctx }, { octokit: octokit() })
    assert.ok('comment' in result, JSON.stringify(result))

    const body = gh.state.comments.find((c) => c.issueNumber === 12)!.body
    assert.doesNotMatch(body, /All good/)
    assert.match(body, /Performance report: default/)
    assert.match(body, /190 ms/)
    // No link, tag or autolinkable URL of the fork's survives; perfgate's own run link does.
    assert.doesNotMatch(body, /<a |<img|\]\(https:\/\/evil/)
    assert.doesNotMatch(body, /https:\/\/evil|www\.evil/)
    assert.match(body, new RegExp(`\\]\\(https://github\\.com/acme/shop/actions/runs/${run.id}\\)`))

    // The base branch's feed p95 < 100 ms breaks; the run's "success" and the record's "pass" do not count.
    assert.equal(result.gate.failed, true)
    assert.match(result.baselineSource, new RegExp(`run ${baseRun.id} on main`))
    assert.deepEqual(
      gh.state.statuses.map((s) => [s.sha, s.context, s.state]),
      [[pull.headSha, 'perfgate/default', 'failure']],
    )
    assert.match(gh.state.statuses[0]!.description ?? '', /feed p95/)
  })

  test('a record that breaks no SLO of the base branch passes even when the fork run failed', async () => {
    const run = forkRun((runId) => ({
      'result.json': JSON.stringify(makeRecord({ pr: 12, sha: pull.headSha, runId })),
    }))
    run.conclusion = 'failure'
    const result = await runCommentMode(
      { plan, ctx: await workflowRunContext(gh, run.id) },
      { octokit: octokit() },
    )
    assert.ok('comment' in result, JSON.stringify(result))
    assert.equal(result.gate.failed, false)
    assert.equal(gh.state.statuses.at(-1)!.state, 'success')
  })

  test('a record of the right PR but a malformed load is refused in one line naming the field, nothing posted', async () => {
    const run = forkRun((runId) => {
      const record = makeRecord({ pr: 12, sha: pull.headSha, runId })
      const load = record.load as { endpoints: unknown[] }
      load.endpoints = [null]
      return { 'result.json': JSON.stringify(record), 'comment.md': '## ✅ pass' }
    })
    const result = await runCommentMode(
      { plan, ctx: await workflowRunContext(gh, run.id) },
      { octokit: octokit() },
    )
    assert.ok('refused' in result, JSON.stringify(result))
    assert.match(
      result.refused,
      /^result\.json of run \d+ is not a valid perfgate record: load\.endpoints\[0\]: wrong type \(null, want object\)$/,
    )
    assert.equal(gh.state.comments.length, 0)
    assert.equal(gh.state.statuses.length, 0)
  })

  test('a record without the run id is refused: the artifact must say which run wrote it', async () => {
    const run = forkRun(() => ({ 'result.json': JSON.stringify(makeRecord({ pr: 12, sha: pull.headSha })) }))
    const result = await runCommentMode(
      { plan, ctx: await workflowRunContext(gh, run.id) },
      { octokit: octokit() },
    )
    assert.ok('refused' in result)
    assert.match(result.refused, /meta\.workflow\.runId must be a positive integer/)
    assert.equal(gh.state.comments.length, 0)
  })
})
