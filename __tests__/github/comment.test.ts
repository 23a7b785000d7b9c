import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import {
  upsertStickyComment,
  commentMarker,
  CommentTooLongError,
  MAX_COMMENT_CHARS,
} from '../../src/github/comment.ts'

describe('sticky comment', () => {
  let gh: FakeGitHub
  const sleeps: number[] = []
  const client = (token = 'ghs_write') =>
    createOctokit({ token, baseUrl: gh.url, sleep: async (ms) => void sleeps.push(ms) })
  const target = (body: string, reportName = 'default') => ({
    owner: 'acme',
    repo: 'shop',
    issueNumber: 7,
    reportName,
    body,
  })

  before(async () => {
    gh = await startFakeGitHub()
  })
  after(() => gh.close())
  beforeEach(() => {
    gh.state.comments = []
    gh.state.pulls = []
    gh.state.requests = []
    gh.state.rateLimits = []
    sleeps.length = 0
    gh.state.addPull({ number: 7 })
  })

  test('a first call creates the comment and a second call updates the same one', async () => {
    const first = await upsertStickyComment(client(), target('p95 40 ms'))
    const second = await upsertStickyComment(client(), target('p95 45 ms'))
    assert.ok('action' in first && 'action' in second)
    assert.equal(first.action, 'created')
    assert.equal(second.action, 'updated')
    assert.equal(second.id, first.id)
    assert.equal(gh.state.comments.length, 1)
    assert.equal(gh.state.comments[0]!.body, `${commentMarker('default')}\np95 45 ms`)
    assert.match(first.url, /\/pull\/7#issuecomment-\d+$/)
  })

  test('the comment 66th of 70 (page 3 at 30 per page) is found in one 100-comment page and not duplicated', async () => {
    for (let i = 0; i < 65; i++) gh.state.addComment(7, `human comment ${i}`, 'octocat')
    gh.state.addComment(7, `${commentMarker('default')}\nold report`)
    for (let i = 0; i < 4; i++) gh.state.addComment(7, `later comment ${i}`, 'octocat')
    const result = await upsertStickyComment(client(), target('new report'))
    assert.ok('action' in result)
    assert.equal(result.action, 'updated')
    assert.equal(gh.state.comments.length, 70)
    assert.equal(gh.state.comments.filter((c) => c.body.includes('perfgate:report-name')).length, 1)
    assert.equal(gh.state.comments[65]!.body, `${commentMarker('default')}\nnew report`)
    const lists = gh.state.requestsTo('GET', /\/issues\/7\/comments$/)
    assert.deepEqual(
      lists.map((r) => r.query.per_page),
      ['100'],
    )
  })

  test('every page is read when the marked comment is on page 3 of 250 comments', async () => {
    // 250 comments at 100 per page: the marker sits on page 3.
    for (let i = 0; i < 240; i++) gh.state.addComment(7, `human comment ${i}`, 'octocat')
    gh.state.addComment(7, `${commentMarker('default')}\nold report`)
    for (let i = 0; i < 9; i++) gh.state.addComment(7, `later ${i}`, 'octocat')
    const result = await upsertStickyComment(client(), target('new report'))
    assert.ok('action' in result)
    assert.equal(result.action, 'updated')
    assert.equal(gh.state.requestsTo('GET', /\/issues\/7\/comments$/).length, 3)
    assert.equal(gh.state.requestsTo('POST', /\/comments$/).length, 0)
  })

  test('the fake pages comment lists by 30 with Link headers when per_page is not given', async () => {
    for (let i = 0; i < 70; i++) gh.state.addComment(7, `c${i}`, 'octocat')
    const response = await fetch(`${gh.url}/repos/acme/shop/issues/7/comments?page=3`, {
      headers: { authorization: 'token ghs_write' },
    })
    const page = (await response.json()) as unknown[]
    assert.equal(page.length, 10)
    assert.match(response.headers.get('link') ?? '', /rel="prev"/)
    const first = await fetch(`${gh.url}/repos/acme/shop/issues/7/comments`, {
      headers: { authorization: 'token ghs_write' },
    })
    assert.match(first.headers.get('link') ?? '', /page=2>; rel="next".*page=3>; rel="last"/)
  })

  test('other report names keep their own comments', async () => {
    await upsertStickyComment(client(), target('api report', 'api'))
    await upsertStickyComment(client(), target('web report', 'web'))
    await upsertStickyComment(client(), target('api report 2', 'api'))
    assert.equal(gh.state.comments.length, 2)
    assert.ok(gh.state.comments.some((c) => c.body === `${commentMarker('api')}\napi report 2`))
    assert.ok(gh.state.comments.some((c) => c.body === `${commentMarker('web')}\nweb report`))
  })

  test('a reply quoting the marker is not taken for the report', async () => {
    gh.state.addComment(7, `> ${commentMarker('default')}\n> old\n\nwhy is it slower?`, 'octocat')
    const result = await upsertStickyComment(client(), target('report'))
    assert.ok('action' in result)
    assert.equal(result.action, 'created')
    assert.equal(gh.state.comments.length, 2)
  })

  test('with several marked comments from a past bug the newest is updated and none deleted', async () => {
    const older = gh.state.addComment(7, `${commentMarker('default')}\nfirst`)
    const newer = gh.state.addComment(7, `${commentMarker('default')}\nsecond`)
    const result = await upsertStickyComment(client(), target('third'))
    assert.ok('action' in result)
    assert.equal(result.id, newer.id)
    assert.equal(result.duplicates, 1)
    assert.equal(gh.state.comments.find((c) => c.id === older.id)!.body, `${commentMarker('default')}\nfirst`)
    assert.equal(gh.state.requestsTo('DELETE', /comments/).length, 0)
  })

  test('a fork PR read-only token is skipped with a reason instead of throwing', async () => {
    const result = await upsertStickyComment(client('ghs_readonly'), target('report'))
    assert.ok('skipped' in result)
    assert.match(result.skipped, /Resource not accessible by integration/)
    assert.match(result.skipped, /job summary/)
    assert.equal(gh.state.comments.length, 0)
  })

  test('a secondary rate limit is waited out for the seconds retry-after gives', async () => {
    gh.state.rateLimits.push({ method: 'POST', path: /\/comments$/, retryAfterS: 7 })
    const result = await upsertStickyComment(client(), target('report'))
    assert.ok('action' in result)
    assert.equal(result.action, 'created')
    assert.deepEqual(sleeps, [7000])
    assert.deepEqual(
      gh.state.requestsTo('POST', /\/comments$/).map((r) => r.status),
      [403, 201],
    )
  })

  test('a 429 rate limit on the listing is retried too', async () => {
    gh.state.rateLimits.push({ method: 'GET', path: /\/comments$/, retryAfterS: 2, status: 429 })
    const result = await upsertStickyComment(client(), target('report'))
    assert.ok('action' in result)
    assert.deepEqual(sleeps, [2000])
  })

  test('a retry-after longer than the cap is not waited for', async () => {
    gh.state.rateLimits.push({ method: 'POST', path: /\/comments$/, retryAfterS: 3600 })
    await assert.rejects(upsertStickyComment(client(), target('report')), /retry after 3600s/)
    assert.deepEqual(sleeps, [])
  })

  test('a body over 65,536 characters is never sent', async () => {
    const tooLong = 'x'.repeat(MAX_COMMENT_CHARS)
    await assert.rejects(upsertStickyComment(client(), target(tooLong)), CommentTooLongError)
    assert.equal(gh.state.requests.length, 0)
  })

  test('a body that fits with its marker is accepted by the strict fake', async () => {
    const fits = 'x'.repeat(MAX_COMMENT_CHARS - commentMarker('default').length - 1)
    const result = await upsertStickyComment(client(), target(fits))
    assert.ok('action' in result)
    assert.equal(gh.state.comments[0]!.body.length, MAX_COMMENT_CHARS)
  })

  test('the fake answers 422 for a body over the limit', async () => {
    const response = await fetch(`${gh.url}/repos/acme/shop/issues/7/comments`, {
      method: 'POST',
      headers: { authorization: 'Bearer ghs_write', 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'x'.repeat(MAX_COMMENT_CHARS + 1) }),
    })
    assert.equal(response.status, 422)
  })

  test('a request without a valid token is refused', async () => {
    const response = await fetch(`${gh.url}/repos/acme/shop/issues/7/comments`)
    assert.equal(response.status, 401)
    await assert.rejects(upsertStickyComment(client('nope'), target('x')), /Bad credentials/)
  })
})
