// GitHub clients behind a proxy: the API host is a `.test` name only the local proxy can resolve,
// so a comment that lands on the fake GitHub went through the proxy and nowhere else.
import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { startFakeProxy, type FakeProxy } from '../fakes/proxy.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import { upsertStickyComment } from '../../src/github/comment.ts'
import { downloadArtifactFiles } from '../../src/github/download.ts'
import { describeProxy, proxyAwareFetch } from '../../src/github/http.ts'

describe('GitHub requests through HTTPS_PROXY / HTTP_PROXY', () => {
  let gh: FakeGitHub
  let proxy: FakeProxy
  let apiUrl: string
  const target = { owner: 'acme', repo: 'shop', issueNumber: 7, reportName: 'perfgate', body: 'p95 40 ms' }

  before(async () => {
    gh = await startFakeGitHub()
    proxy = await startFakeProxy()
    apiUrl = gh.url.replace('127.0.0.1', 'api.github.test')
  })
  after(async () => {
    await gh.close()
    await proxy.close()
  })
  beforeEach(() => {
    gh.state.comments = []
    gh.state.pulls = []
    gh.state.requests = []
    proxy.requests.length = 0
    gh.state.addPull({ number: 7 })
  })

  test('the sticky comment is posted through the proxy the environment names', async () => {
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }
    const lines: string[] = []
    const octokit = createOctokit({ token: 'ghs_write', baseUrl: apiUrl, env, log: (l) => lines.push(l) })
    const result = await upsertStickyComment(octokit, target)
    assert.ok('url' in result && result.action === 'created')
    assert.equal(gh.state.comments.length, 1)
    const port = new URL(apiUrl).port
    assert.ok(proxy.requests.length > 0)
    assert.deepEqual(
      new Set(proxy.requests.map((r) => `${r.kind} ${r.target}`)),
      new Set([`connect api.github.test:${port}`]),
      'tunnels to the API host only',
    )
    assert.deepEqual(
      gh.state.requests.map((r) => `${r.method} ${r.path}`),
      // The token's login (GET /user, then GraphQL viewer for an installation token) decides which
      // marked comments are ours.
      [
        'GET /repos/acme/shop/issues/7/comments',
        'GET /user',
        'POST /graphql',
        'POST /repos/acme/shop/issues/7/comments',
      ],
    )
    assert.deepEqual(lines, [`GitHub requests: https via ${proxy.url}, http via ${proxy.url}`])
  })

  test('without a proxy in the environment the .test host cannot be reached, so the path above was the proxy', async () => {
    const octokit = createOctokit({ token: 'ghs_write', baseUrl: apiUrl, env: {} })
    await assert.rejects(upsertStickyComment(octokit, target), /fetch failed|ENOTFOUND|EAI_AGAIN/)
    assert.equal(gh.state.comments.length, 0)
    assert.equal(proxy.requests.length, 0)
  })

  test('a host listed in NO_PROXY is reached directly, not through the proxy', async () => {
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' }
    const octokit = createOctokit({ token: 'ghs_write', baseUrl: gh.url, env })
    const result = await upsertStickyComment(octokit, target)
    assert.ok('url' in result)
    assert.equal(proxy.requests.length, 0)
  })

  test('an artifact download follows the signed URL through the proxy too', async () => {
    const run = gh.state.addRun({ id: 5150 })
    const artifact = gh.state.addArtifact(run.id, 'perfgate-perfgate', { 'result.json': '{"schema":1}\n' })
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }
    const octokit = createOctokit({ token: 'ghs_write', baseUrl: apiUrl, env })
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, HTTP_PROXY: process.env.HTTP_PROXY }
    Object.assign(process.env, env)
    try {
      const files = await downloadArtifactFiles(
        octokit,
        { owner: 'acme', repo: 'shop', artifactId: artifact.id },
        ['result.json'],
      )
      assert.equal(files.get('result.json')?.toString('utf8'), '{"schema":1}\n')
    } finally {
      for (const [key, value] of Object.entries(saved))
        if (value === undefined) delete process.env[key]
        else process.env[key] = value
    }
    const blobPort = new URL(gh.url).port
    assert.ok(
      proxy.requests.some((r) => r.target === `127.0.0.1:${blobPort}`),
      `the blob download went through the proxy: ${JSON.stringify(proxy.requests)}`,
    )
  })

  test('the proxy description names hosts only, never credentials', () => {
    assert.equal(describeProxy({}), 'direct')
    assert.equal(
      describeProxy({ https_proxy: 'http://user:s3cret@proxy.corp:3128', NO_PROXY: '.internal' }),
      'https via http://proxy.corp:3128, except .internal',
    )
    assert.equal(proxyAwareFetch({}), globalThis.fetch)
  })
})
