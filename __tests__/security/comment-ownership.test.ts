// Issue 14, comment ownership: the sticky comment is perfgate's only when it carries the marker
// *and* the token's identity wrote it. Anyone can type the marker into a comment.
import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import { upsertStickyComment, commentMarker, tokenLogin } from '../../src/github/comment.ts'

describe('comment ownership', () => {
  let gh: FakeGitHub
  const marker = commentMarker('default')
  const client = (token = 'ghs_write') => createOctokit({ token, baseUrl: gh.url, sleep: async () => {} })
  const target = (body: string) => ({
    owner: 'acme',
    repo: 'shop',
    issueNumber: 7,
    reportName: 'default',
    body,
  })

  before(async () => {
    gh = await startFakeGitHub({
      tokens: {
        ghs_write: {},
        ghp_personal: { kind: 'user', login: 'perf-bot' },
        ghs_app: { login: 'perfgate-app[bot]' },
      },
    })
  })
  after(() => gh.close())
  beforeEach(() => {
    Object.assign(gh.state, { comments: [], pulls: [], requests: [] })
    gh.state.addPull({ number: 7 })
  })

  test("a hostile commenter's marked comment is ignored, never edited, and ours is created", async () => {
    const planted = gh.state.addComment(7, `${marker}\n## ✅ perfgate: pass, nothing to see`, 'mallory')
    const result = await upsertStickyComment(client(), target('p95 40 ms'))
    assert.ok('action' in result, JSON.stringify(result))
    assert.equal(result.action, 'created')
    assert.notEqual(result.id, planted.id)
    assert.equal(gh.state.comments.find((c) => c.id === planted.id)!.body, planted.body)
    assert.equal(gh.state.requestsTo('PATCH', /\/issues\/comments\//).length, 0)
    assert.equal(gh.state.requestsTo('DELETE', /\/issues\/comments\//).length, 0)
    const ours = gh.state.comments.find((c) => c.id === result.id)!
    assert.equal(ours.login, 'github-actions[bot]')
    assert.equal(ours.body, `${marker}\np95 40 ms`)
  })

  test('a marked comment planted after ours does not take the update: ours is edited in place', async () => {
    const ours = gh.state.addComment(7, `${marker}\nold report`)
    const planted = gh.state.addComment(7, `${marker}\nnewer and fake`, 'mallory')
    const result = await upsertStickyComment(client(), target('new report'))
    assert.ok('action' in result)
    assert.equal(result.action, 'updated')
    assert.equal(result.id, ours.id)
    assert.equal(result.duplicates, 0)
    assert.equal(gh.state.comments.find((c) => c.id === planted.id)!.body, `${marker}\nnewer and fake`)
  })

  test('a personal access token is known by GET /user and leaves the Actions bot’s marked comment alone', async () => {
    const bots = gh.state.addComment(7, `${marker}\nwritten by another workflow`)
    const mine = gh.state.addComment(7, `${marker}\nmine`, 'perf-bot')
    const result = await upsertStickyComment(client('ghp_personal'), target('mine again'))
    assert.ok('action' in result)
    assert.equal(result.id, mine.id)
    assert.equal(
      gh.state.comments.find((c) => c.id === bots.id)!.body,
      `${marker}\nwritten by another workflow`,
    )
  })

  test('a GitHub App installation token (GET /user is 403) is known by its bot login from GraphQL viewer', async () => {
    assert.equal(await tokenLogin(client('ghs_app')), 'perfgate-app[bot]')
    const response = await fetch(`${gh.url}/user`, { headers: { authorization: 'token ghs_app' } })
    assert.equal(response.status, 403)
    gh.state.addComment(7, `${marker}\nthe Actions bot's`)
    const first = await upsertStickyComment(client('ghs_app'), target('app report'))
    const second = await upsertStickyComment(client('ghs_app'), target('app report 2'))
    assert.ok('action' in first && 'action' in second)
    assert.deepEqual([first.action, second.action], ['created', 'updated'])
    assert.equal(gh.state.comments.find((c) => c.id === first.id)!.login, 'perfgate-app[bot]')
    assert.equal(gh.state.comments.length, 2)
  })

  test('the fake GitHub refuses to edit or delete a comment the token did not write, as perfgate must never do', async () => {
    const planted = gh.state.addComment(7, `${marker}\nplanted`, 'mallory')
    for (const method of ['PATCH', 'DELETE']) {
      const response = await fetch(`${gh.url}/repos/acme/shop/issues/comments/${planted.id}`, {
        method,
        headers: { authorization: 'token ghs_write', 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'hijacked' }),
      })
      assert.equal(response.status, 403, method)
    }
    assert.equal(gh.state.comments.find((c) => c.id === planted.id)!.body, `${marker}\nplanted`)
  })
})
