import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import {
  readGitHubContext,
  writeJobSummary,
  trimToBytes,
  MAX_SUMMARY_BYTES,
  setCommitStatus,
  statusDescription,
  createOctokit,
  rateLimitWaitS,
} from '../../src/github/index.ts'

async function eventFile(payload: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-event-'))
  const file = path.join(dir, 'event.json')
  await writeFile(file, JSON.stringify(payload))
  return file
}

describe('context', () => {
  test('a pull_request event gives the PR number, head sha, base ref and run URL', async () => {
    const ctx = readGitHubContext({
      GITHUB_EVENT_PATH: await eventFile({
        number: 7,
        pull_request: {
          number: 7,
          head: { sha: 'a'.repeat(40), ref: 'feature', repo: { full_name: 'acme/shop' } },
          base: { ref: 'main', repo: { full_name: 'acme/shop' } },
        },
      }),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: 'b'.repeat(40),
      GITHUB_RUN_ID: '123',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: 'https://api.github.com',
    })
    assert.equal(ctx.prNumber, 7)
    assert.equal(ctx.headSha, 'a'.repeat(40))
    assert.equal(ctx.sha, 'b'.repeat(40))
    assert.equal(ctx.baseRef, 'main')
    assert.equal(ctx.fork, false)
    assert.equal(ctx.runUrl, 'https://github.com/acme/shop/actions/runs/123')
    assert.equal(ctx.owner, 'acme')
  })

  test('a PR from another repository, or a deleted fork, is a fork', async () => {
    const pull = (head: unknown) => ({
      pull_request: {
        number: 9,
        head: { sha: 'c'.repeat(40), repo: head },
        base: { ref: 'main', repo: { full_name: 'acme/shop' } },
      },
    })
    const fork = readGitHubContext({
      GITHUB_EVENT_PATH: await eventFile(pull({ full_name: 'mallory/shop' })),
    })
    assert.equal(fork.fork, true)
    const deleted = readGitHubContext({ GITHUB_EVENT_PATH: await eventFile(pull(null)) })
    assert.equal(deleted.fork, true)
  })

  test('a push has no PR and is not a fork; a missing event file is not an error', () => {
    const ctx = readGitHubContext({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: '/nonexistent/event.json',
      GITHUB_REF_NAME: 'main',
      GITHUB_SHA: 'd'.repeat(40),
    })
    assert.equal(ctx.prNumber, undefined)
    assert.equal(ctx.fork, false)
    assert.equal(ctx.refName, 'main')
    assert.equal(ctx.headSha, 'd'.repeat(40))
  })
})

describe('job summary', () => {
  test('the summary is appended to GITHUB_STEP_SUMMARY', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'perfgate-summary-')), 'summary.md')
    await writeFile(file, '# earlier step output\n')
    const result = await writeJobSummary('## perfgate\nall good', { GITHUB_STEP_SUMMARY: file })
    assert.ok('bytes' in result)
    assert.equal(result.trimmed, false)
    assert.equal(await readFile(file, 'utf8'), '# earlier step output\n## perfgate\nall good\n')
  })

  test('a summary over 1 MiB is trimmed at a line end with a note, counting what is already there', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'perfgate-summary-')), 'summary.md')
    await writeFile(file, 'x'.repeat(1000))
    const big = Array.from({ length: 40_000 }, (_, i) => `| row ${i} | ${'é'.repeat(20)} |`).join('\n')
    const result = await writeJobSummary(big, { GITHUB_STEP_SUMMARY: file })
    assert.ok('bytes' in result)
    assert.equal(result.trimmed, true)
    const text = await readFile(file)
    assert.ok(text.length <= MAX_SUMMARY_BYTES, `${text.length} bytes`)
    assert.match(text.toString('utf8'), /\|\n\n> \*\*Trimmed:\*\* the job summary is limited to 1 MiB/)
    assert.doesNotMatch(text.toString('utf8'), /\uFFFD/)
  })

  test('a cut never splits a character', () => {
    const { text, trimmed } = trimToBytes('ééééé', 5, '')
    assert.equal(trimmed, true)
    assert.equal(text, 'éé')
  })

  test('without GITHUB_STEP_SUMMARY the summary is skipped with a reason', async () => {
    const result = await writeJobSummary('x', {})
    assert.ok('skipped' in result)
  })
})

describe('commit status', () => {
  let gh: FakeGitHub
  before(async () => {
    gh = await startFakeGitHub()
  })
  after(() => gh.close())

  test('a status is set with the report context, a 140-character description and the run link', async () => {
    const octokit = createOctokit({ token: 'ghs_write', baseUrl: gh.url })
    const result = await setCommitStatus(octokit, {
      owner: 'acme',
      repo: 'shop',
      sha: 'e'.repeat(40),
      reportName: 'api',
      state: 'failure',
      description: `feed p95 regressed ${'and more '.repeat(30)}`,
      targetUrl: 'https://github.com/acme/shop/actions/runs/1',
    })
    assert.deepEqual(result, { context: 'perfgate/api', state: 'failure' })
    const status = gh.state.statuses[0]!
    assert.equal(status.context, 'perfgate/api')
    assert.equal([...status.description!].length, 140)
    assert.ok(status.description!.endsWith('…'))
    assert.equal(status.targetUrl, 'https://github.com/acme/shop/actions/runs/1')
  })

  test('a read-only token is skipped with a reason', async () => {
    const octokit = createOctokit({ token: 'ghs_readonly', baseUrl: gh.url })
    const result = await setCommitStatus(octokit, {
      owner: 'acme',
      repo: 'shop',
      sha: 'e'.repeat(40),
      reportName: 'api',
      state: 'success',
      description: 'ok',
    })
    assert.ok('skipped' in result)
  })

  test('short descriptions are kept and whitespace folded', () => {
    assert.equal(statusDescription('a\n  b'), 'a b')
  })
})

describe('rate limit detection', () => {
  test('retry-after, the primary limit reset, and a secondary limit without header are understood', () => {
    const err = (status: number, headers: Record<string, string>, message = '') => ({
      status,
      message,
      response: { headers },
    })
    assert.equal(rateLimitWaitS(err(403, { 'retry-after': '12' })), 12)
    assert.equal(rateLimitWaitS(err(429, { 'retry-after': '0' })), 0)
    assert.equal(
      rateLimitWaitS(err(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1030' }), 1_000_000),
      30,
    )
    assert.equal(rateLimitWaitS(err(403, {}, 'You have exceeded a secondary rate limit')), 60)
    assert.equal(rateLimitWaitS(err(403, {}, 'Resource not accessible by integration')), undefined)
    assert.equal(rateLimitWaitS(err(500, { 'retry-after': '1' })), undefined)
  })
})
