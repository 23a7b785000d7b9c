// The bundled action behind a proxy, as a self-hosted runner in a locked-down network runs it:
// HTTPS_PROXY and HTTP_PROXY name a local proxy, and the GitHub API is at a `.test` host only that
// proxy resolves, so the sticky comment can reach the fake GitHub through the proxy and no other way.
// `mode: comment` needs no load test: it downloads a pull-request run's artifact and posts it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { startFakeProxy, type FakeProxy } from '../fakes/proxy.ts'
import { makeRecord } from '../fakes/record.ts'
import { DIST_INDEX, inputEnv, parseOutputFile, runDist } from './runner.ts'

const MARKER = '<!-- perfgate:report-name=perfgate -->'
let gh: FakeGitHub
let proxy: FakeProxy
let dir: string

before(async () => {
  assert.ok(existsSync(DIST_INDEX), `${DIST_INDEX} is missing: run npm run build first`)
  gh = await startFakeGitHub()
  proxy = await startFakeProxy()
  dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-e2e-proxy-'))
})
after(async () => {
  await gh?.close()
  await proxy?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('mode comment posts the sticky comment through the proxy HTTPS_PROXY names, never directly', async () => {
  const pull = gh.state.addPull({ number: 12, headRef: 'patch-1', headRepo: 'someone/shop' })
  const run = gh.state.addRun({
    id: 7301,
    event: 'pull_request',
    headSha: pull.headSha,
    headBranch: pull.headRef,
    headRepo: pull.headRepo,
    pullRequests: [12],
  })
  const comment = '## perfgate: pass\n\nfeed p95 40 ms\n'
  const record = makeRecord({ pr: 12, sha: pull.headSha, runId: run.id })
  gh.state.addArtifact(run.id, 'perfgate-perfgate', {
    'result.json': JSON.stringify(record),
    'comment.md': comment,
  })
  const eventPath = path.join(dir, 'event.json')
  writeFileSync(
    eventPath,
    JSON.stringify({
      action: 'completed',
      workflow_run: {
        id: run.id,
        name: run.name,
        event: 'pull_request',
        head_sha: pull.headSha,
        head_branch: pull.headRef,
        conclusion: 'success',
        html_url: `https://github.com/acme/shop/actions/runs/${run.id}`,
        head_repository: { full_name: pull.headRepo },
        repository: { full_name: gh.state.fullName },
        pull_requests: [],
      },
      repository: { full_name: gh.state.fullName },
    }),
  )
  const output = path.join(dir, 'output')
  const summary = path.join(dir, 'summary')
  writeFileSync(output, '')
  writeFileSync(summary, '')
  const apiUrl = gh.url.replace('127.0.0.1', 'api.github.test')
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    GITHUB_ACTIONS: 'true',
    ...gh.env(7302, 'comment'),
    GITHUB_API_URL: apiUrl,
    GITHUB_EVENT_NAME: 'workflow_run',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_WORKSPACE: dir,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    HTTPS_PROXY: proxy.url,
    HTTP_PROXY: proxy.url,
    ...inputEnv({ mode: 'comment' }, 'ghs_write'),
  }
  const result = await runDist(dir, env, 60_000)
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`)
  const posted = gh.state.comments.filter((c) => c.issueNumber === 12 && c.body.startsWith(MARKER))
  assert.equal(posted.length, 1)
  // mode comment re-renders from the record; the fork's comment.md is never posted.
  assert.ok(!posted[0]!.body.includes(comment), 'the artifact comment.md is not posted')
  assert.match(posted[0]!.body, /## Performance report: perfgate/)
  assert.equal(
    parseOutputFile(readFileSync(output, 'utf8'))['comment-url'],
    `https://github.com/acme/shop/pull/12#issuecomment-${posted[0]!.id}`,
  )
  const apiHost = new URL(apiUrl).host
  const tunnels = proxy.requests.filter((r) => r.kind === 'connect' && r.target === apiHost)
  assert.ok(tunnels.length > 0, `the API was reached through the proxy: ${JSON.stringify(proxy.requests)}`)
  // The signed blob URL (on the fake's own 127.0.0.1 address) went through the proxy as well.
  assert.ok(proxy.requests.some((r) => r.target.includes(new URL(gh.url).host)))
  assert.match(result.stdout, new RegExp(`GitHub requests: https via ${proxy.url.replace(/\./g, '\\.')}`))
})
