// The `comment` and `summary` inputs, the digest the sticky comment carries, and `comment:
// changes` against the local GitHub fake: first run posts, unchanged rerun leaves the comment,
// a changed verdict or gated row updates it.
import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import {
  digestOf,
  parseCommentPolicy,
  parseSummarySwitch,
  postReportComment,
  reportDigest,
  withDigest,
  type GatedOutcome,
} from '../../src/github/comment-policy.ts'
import type { GateOutcome, MetricVerdict, SloStatus } from '../../src/record/compare.ts'

function outcome(verdict: GateOutcome, slo: SloStatus, metric: MetricVerdict): GatedOutcome {
  return {
    gate: { verdict },
    slos: [
      { id: 'feed.p95Ms', status: 'pass' },
      { id: 'search.p95Ms', status: slo },
    ],
    comparison: { rows: [{ id: 'search.p95Ms', verdict: metric }] as GatedOutcome['comparison']['rows'] },
  }
}

describe('comment and summary inputs', () => {
  test('comment accepts always, changes and never, and is always when empty', () => {
    assert.equal(parseCommentPolicy(''), 'always')
    assert.equal(parseCommentPolicy(undefined), 'always')
    assert.equal(parseCommentPolicy('Changes'), 'changes')
    assert.equal(parseCommentPolicy('never'), 'never')
  })

  test('a bad comment or summary value fails with one line naming the input and the values allowed', () => {
    assert.throws(() => parseCommentPolicy('sometimes'), {
      message: 'comment is "sometimes": expected always, changes or never',
    })
    assert.throws(() => parseSummarySwitch('yes please'), {
      message: 'summary is "yes please": expected true or false',
    })
    assert.equal(parseSummarySwitch(''), true)
    assert.equal(parseSummarySwitch('false'), false)
  })
})

describe('the report digest', () => {
  test('the digest changes with the verdict or any gated row, and not with the numbers', () => {
    const base = reportDigest(outcome('warn', 'fail', 'unchanged'))
    assert.equal(reportDigest(outcome('warn', 'fail', 'unchanged')), base)
    assert.notEqual(reportDigest(outcome('fail', 'fail', 'unchanged')), base)
    assert.notEqual(reportDigest(outcome('warn', 'pass', 'unchanged')), base)
    assert.notEqual(reportDigest(outcome('warn', 'fail', 'regression')), base)
    assert.match(base, /^warn:[0-9a-f]{16}$/)
  })

  test('the digest line is hidden, read back, and replaced rather than repeated', () => {
    const body = withDigest('## perfgate\n', 'pass:0123456789abcdef')
    assert.equal(body, '<!-- perfgate:digest=v1 pass:0123456789abcdef -->\n## perfgate\n')
    assert.equal(digestOf(body), 'pass:0123456789abcdef')
    const again = withDigest(body, 'fail:fedcba9876543210')
    assert.equal(again, '<!-- perfgate:digest=v1 fail:fedcba9876543210 -->\n## perfgate\n')
    assert.equal(digestOf('## no digest here'), undefined)
  })
})

describe('comment: changes against the GitHub fake', () => {
  let gh: FakeGitHub
  const target = (body: string) => ({
    owner: 'acme',
    repo: 'shop',
    issueNumber: 7,
    reportName: 'perfgate',
    body,
  })
  const octokit = () => createOctokit({ token: 'ghs_write', baseUrl: gh.url })
  // Writes to the PR; the token's identity (GraphQL viewer, a read) is asked once per client.
  const writes = () =>
    gh.state.requests
      .filter((r) => r.method !== 'GET' && r.path !== '/graphql')
      .map((r) => `${r.method} ${r.path}`)

  before(async () => {
    gh = await startFakeGitHub()
  })
  after(() => gh.close())
  beforeEach(() => {
    gh.state.comments = []
    gh.state.pulls = []
    gh.state.requests = []
    gh.state.addPull({ number: 7 })
  })

  test('the first run posts, an unchanged rerun leaves the comment, a changed verdict updates it', async () => {
    const first = await postReportComment(
      octokit(),
      target('p95 40 ms'),
      'changes',
      outcome('pass', 'pass', 'unchanged'),
    )
    assert.ok('action' in first && first.action === 'created')
    assert.deepEqual(writes(), ['POST /repos/acme/shop/issues/7/comments'])

    // Other numbers, same verdict and rows: nothing is written.
    const rerun = await postReportComment(
      octokit(),
      target('p95 42 ms'),
      'changes',
      outcome('pass', 'pass', 'unchanged'),
    )
    assert.ok('action' in rerun && rerun.action === 'unchanged')
    assert.equal(rerun.url, first.url)
    assert.equal(writes().length, 1)
    assert.match(gh.state.comments[0]!.body, /p95 40 ms/)

    const changed = await postReportComment(
      octokit(),
      target('p95 140 ms'),
      'changes',
      outcome('fail', 'fail', 'regression'),
    )
    assert.ok('action' in changed && changed.action === 'updated')
    assert.equal(changed.id, first.id)
    assert.deepEqual(writes(), [
      'POST /repos/acme/shop/issues/7/comments',
      `PATCH /repos/acme/shop/issues/comments/${first.id}`,
    ])
    assert.equal(gh.state.comments.length, 1)
    assert.match(gh.state.comments[0]!.body, /p95 140 ms/)
    assert.equal(digestOf(gh.state.comments[0]!.body), reportDigest(outcome('fail', 'fail', 'regression')))
  })

  test('a comment an older perfgate wrote (no digest) is updated under changes', async () => {
    gh.state.addComment(7, '<!-- perfgate:report-name=perfgate -->\nold report')
    const result = await postReportComment(
      octokit(),
      target('new'),
      'changes',
      outcome('pass', 'pass', 'unchanged'),
    )
    assert.ok('action' in result && result.action === 'updated')
  })

  test('always rewrites an unchanged report, and never posts nothing at all', async () => {
    const same = outcome('pass', 'pass', 'unchanged')
    await postReportComment(octokit(), target('a'), 'always', same)
    const again = await postReportComment(octokit(), target('b'), 'always', same)
    assert.ok('action' in again && again.action === 'updated')
    gh.state.requests = []
    const never = await postReportComment(
      octokit(),
      target('c'),
      'never',
      outcome('fail', 'fail', 'regression'),
    )
    assert.deepEqual(never, { skipped: 'comment: never' })
    assert.deepEqual(gh.state.requests, [])
  })
})
