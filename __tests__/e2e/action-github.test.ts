// e2e (issue 8): the bundled action, `node dist/index.js`, run exactly as the runner runs it
// (INPUT_* for every input of action.yml, GITHUB_EVENT_PATH, GITHUB_API_URL, GITHUB_STEP_SUMMARY,
// GITHUB_OUTPUT, ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) against the Go testbed and the fake
// GitHub of __tests__/fakes/github.ts (paginated comments, 65,536-character limit, read-only tokens,
// secondary rate limits, the artifact Twirp service).
//
// Three short load runs (20 s, 5 VUs, all collectors on) on one fake repository:
//   1. PR #7 (same repository, write token): the PR already holds 130 unrelated comments, so the
//      sticky lookup has to follow the Link header to page 2; one secondary rate limit (retry-after
//      1 s) is queued on the comment list. The comment is created, the artifact uploaded, the
//      summary and outputs written, and no secret leaks anywhere.
//   2. a new push to PR #7: the same comment is updated in place, not duplicated.
//   3. PR #8 from a fork with the read-only token: no comment, the summary still written, and the log
//      says the comment was not posted and the report is in the job summary.
// Then, without load, `mode: comment` as examples/perf-fork-comment.yml runs it (workflow_run, write
// token) posts run 3's report on PR #8.
//
// The database DSN uses a role of its own with a random password (the stack's roles have
// passwords like `postgres`, which also occur as ordinary words), so the secret scan means something.
// Needs `npm run build` first: it tests dist/, not the sources. Loopback traffic only.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import pg from 'pg'
import { startFakeGitHub, type FakeGitHub, type FakePull } from '../fakes/github.ts'
import { ensureStack, STACK_TIMEOUT_MS } from '../helpers/stack.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import { downloadArtifactFiles } from '../../src/github/download.ts'
import {
  DIST_INDEX,
  filesUnder,
  inputEnv,
  parseOutputFile,
  runDist,
  secretsIn,
  visibleLog,
  zipEntryNames,
  type ActionRun,
} from './runner.ts'

const K6 = process.env.PERFGATE_K6 ?? path.join(os.homedir(), '.cache', 'perfgate', 'bin', 'k6')
const MARKER = '<!-- perfgate:report-name=perfgate -->'
const ARTIFACT = 'perfgate-perfgate'
const MAX_COMMENT = 65_536
/** One run: 20 s of load, collectors before/after, a 2 s cool-down, GitHub calls; bounded well above. */
const RUN_TIMEOUT_MS = 150_000
const E2E_ROLE = 'perfgate_e2e_github'

interface RunFiles {
  cwd: string
  outputDir: string
  summary: string
  output: string
}

interface Finished extends RunFiles {
  run: ActionRun
  outputs: Record<string, string>
}

describe('the bundled action on pull requests, against the testbed and a fake GitHub', () => {
  let gh: FakeGitHub
  let stack: Record<string, string>
  let root: string
  let databaseUrl: string
  let secrets: Record<string, string>
  let pr7: FakePull
  let pr8: FakePull
  let decoys: { id: number; body: string }[]
  const runIds = { first: 9101, second: 9102, fork: 9103, comment: 9104 }
  let fork: Finished | undefined

  before(
    async () => {
      assert.ok(existsSync(DIST_INDEX), `${DIST_INDEX} is missing: run npm run build first`)
      assert.ok(existsSync(K6), `k6 not found at ${K6} (set PERFGATE_K6)`)
      stack = await ensureStack()
      databaseUrl = await e2eDatabaseUrl(stack.DATABASE_URL!)
      root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-e2e-github-'))
      gh = await startFakeGitHub()
      const { state } = gh

      pr7 = state.addPull({ number: 7, headRef: 'faster-feed' })
      pr8 = state.addPull({ number: 8, headRef: 'patch-1', headRepo: 'someone/shop' })
      // 130 unrelated comments: more than one page of 100, so the lookup must follow the Link header.
      for (let i = 0; i < 130; i++)
        state.addComment(7, `LGTM ${i}`, i % 3 === 0 ? 'octocat' : 'dependabot[bot]')
      // Look-alikes the sticky lookup must leave alone: a quote of our comment, another report's comment.
      decoys = [
        state.addComment(7, `> ${MARKER}\n> quoted from the perf report`, 'octocat'),
        state.addComment(7, '<!-- perfgate:report-name=nightly -->\n## Performance report: nightly'),
      ].map(({ id, body }) => ({ id, body }))
      // One secondary rate limit on the first comment-list request: perfgate waits 1 s and retries.
      state.rateLimits.push({ method: 'GET', path: /\/issues\/\d+\/comments$/, retryAfterS: 1 })

      secrets = {
        'database-url': databaseUrl,
        'database password': new URL(databaseUrl).password,
        'admin token': stack.ADMIN_TOKEN!,
        'write token': 'ghs_write',
        'read-only token': 'ghs_readonly',
        'load-test user token': stack.USER_TOKEN!,
      }
    },
    { timeout: STACK_TIMEOUT_MS },
  )

  after(async () => {
    await gh?.close()
    if (root && !process.env.PERFGATE_KEEP_E2E) rmSync(root, { recursive: true, force: true })
  })

  /** A pull_request run (run id `runId`) of the `perf` workflow for `pull` at its current head sha, with `token`. */
  async function runOnPull(label: string, runId: number, pull: FakePull, token: string): Promise<Finished> {
    const files: RunFiles = {
      cwd: path.join(root, label, 'workspace'),
      outputDir: path.join(root, label, 'workspace', 'perfgate-report'),
      summary: path.join(root, label, 'step_summary'),
      output: path.join(root, label, 'output'),
    }
    const runnerTemp = path.join(root, label, 'runner-temp')
    mkdirSync(files.cwd, { recursive: true })
    mkdirSync(runnerTemp, { recursive: true })
    // The runner creates both files empty for every step.
    writeFileSync(files.summary, '')
    writeFileSync(files.output, '')
    writeFileSync(path.join(files.cwd, 'perfgate.yml'), 'collectors:\n  cool-down: 2s\n')
    const eventPath = path.join(root, label, 'event.json')
    writeFileSync(eventPath, JSON.stringify(pullRequestEvent(gh, pull)))
    const mergeSha = gh.state.addMergeCommit(pull)

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      ...gh.env(runId, 'perf'),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REF: `refs/pull/${pull.number}/merge`,
      GITHUB_REF_NAME: `${pull.number}/merge`,
      GITHUB_SHA: mergeSha,
      GITHUB_HEAD_REF: pull.headRef,
      GITHUB_BASE_REF: pull.baseRef,
      GITHUB_WORKFLOW: 'perf',
      GITHUB_WORKFLOW_REF: `${gh.state.fullName}/.github/workflows/perf.yml@refs/pull/${pull.number}/merge`,
      GITHUB_JOB: 'perf',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKSPACE: files.cwd,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_OUTPUT: files.output,
      RUNNER_TEMP: runnerTemp,
      // The generated scenario's POST endpoints (vote, create comment) need a user's bearer token.
      PERFGATE_TOKEN: stack.USER_TOKEN!,
      ...inputEnv(
        {
          'target-url': stack.TARGET_URL!,
          duration: '20s',
          vus: '5',
          'think-time-scale': '0.1',
          'k6-path': K6,
          'database-url': databaseUrl,
          'redis-url': stack.REDIS_URL!,
          'metrics-url': stack.METRICS_URL!,
          'pprof-url': stack.PPROF_URL!,
          'debug-auth-header': `Authorization: Bearer ${stack.ADMIN_TOKEN!}`,
          'app-stats-urls': stack.APP_STATS_URLS!,
          baseline: 'artifact',
          // A healthy run passes whatever the testbed's SLOs say; only a regression could fail it,
          // and there is no baseline. The fork run never fails.
          'fail-on': token === 'ghs_readonly' ? 'never' : 'regression',
        },
        token,
      ),
    }
    const run = await runDist(files.cwd, env, RUN_TIMEOUT_MS)
    const outputs = parseOutputFile(readFileSync(files.output, 'utf8'))
    return { ...files, run, outputs }
  }

  const explain = (r: Finished) =>
    `exit ${r.run.code} (${r.run.signal ?? 'no signal'}) after ${r.run.ms} ms\n--- stdout (tail)\n${r.run.stdout.slice(-4000)}\n--- stderr (tail)\n${r.run.stderr.slice(-2000)}`

  const ours = (issue: number) =>
    gh.state.comments.filter((c) => c.issueNumber === issue && c.body.startsWith(MARKER))

  /** Every place a secret could leak to: the visible log, stderr, summary, outputs, comments, output folder. */
  function leaks(r: Finished): string[] {
    const found = [
      ...secretsIn('stdout', visibleLog(r.run.stdout), secrets),
      ...secretsIn('stderr', r.run.stderr, secrets),
      ...secretsIn('job summary', readFileSync(r.summary, 'utf8'), secrets),
      ...secretsIn('GITHUB_OUTPUT', readFileSync(r.output, 'utf8'), secrets),
      ...gh.state.comments.flatMap((c) => secretsIn(`comment ${c.id}`, c.body, secrets)),
      // Compressed files (k6.ndjson.gz, *.pb.gz) are scanned decompressed.
      ...filesUnder(r.outputDir).flatMap((file) =>
        secretsIn(
          path.relative(r.cwd, file),
          file.endsWith('.gz') ? gunzipSync(readFileSync(file)) : readFileSync(file),
          secrets,
        ),
      ),
    ]
    return found
  }

  async function artifactOf(runId: number) {
    const artifact = gh.state.artifacts.find((a) => a.runId === runId && a.name === ARTIFACT)
    assert.ok(artifact, `run ${runId} uploaded ${ARTIFACT}`)
    assert.ok(artifact.finalized && artifact.zip, 'the artifact was finalized with its zip')
    // Read back as a later run (baseline) or the workflow_run job would: REST zip → signed URL.
    const octokit = createOctokit({ token: 'ghs_readonly', baseUrl: gh.url })
    const files = await downloadArtifactFiles(
      octokit,
      { owner: gh.state.owner, repo: gh.state.repo, artifactId: artifact.id },
      ['result.json', 'report.md', 'comment.md'],
    )
    return { artifact, names: zipEntryNames(artifact.zip), files }
  }

  test(
    'a first pull request run posts one sticky comment, uploads the artifact and writes summary and outputs',
    { timeout: RUN_TIMEOUT_MS + 30_000 },
    async () => {
      const requestsBefore = gh.state.requests.length
      const r = await runOnPull('first', runIds.first, pr7, 'ghs_write')
      assert.equal(r.run.code, 0, explain(r))
      assert.doesNotMatch(r.run.stdout, /^::error::/m, explain(r))

      // Outputs, in the runner's `name<<delimiter` format.
      assert.deepEqual(
        Object.keys(r.outputs).sort(),
        [
          'artifact-id',
          'artifact-url',
          'comment-url',
          'regressions',
          'report-path',
          'report-url',
          'result-path',
          'verdict',
        ],
        readFileSync(r.output, 'utf8'),
      )
      // No baseline exists (no push run on main yet): never `pass`; `warn` when a non-gating SLO broke.
      // (action.yml documents pass, fail, no-baseline or partial; the gate says pass, warn, fail, no-baseline.)
      assert.match(r.outputs.verdict!, /^(warn|no-baseline)$/)
      assert.equal(r.outputs.regressions, '0')
      assert.equal(r.outputs['report-path'], path.join(r.outputDir, 'report.md'))
      assert.equal(r.outputs['result-path'], path.join(r.outputDir, 'result.json'))
      assert.ok(existsSync(r.outputs['report-path']!) && existsSync(r.outputs['result-path']!))

      // The record belongs to this PR and run, and the report says there is no baseline yet.
      const record = JSON.parse(readFileSync(r.outputs['result-path']!, 'utf8')) as {
        meta: { git: { pr?: number }; workflow: { runId?: number } }
        load: { overall?: { count: number } }
      }
      assert.equal(record.meta.git.pr, 7)
      assert.equal(record.meta.workflow.runId, runIds.first)
      assert.ok((record.load.overall?.count ?? 0) > 0, 'the load test made requests')
      const report = readFileSync(r.outputs['report-path']!, 'utf8')
      assert.match(report, /no baseline yet/)

      // The job summary holds the report.
      const summary = readFileSync(r.summary, 'utf8')
      assert.match(summary, /Performance report: perfgate/)
      assert.match(summary, /no baseline yet/)

      // Exactly one sticky comment, under GitHub's limit, found behind 130 others; decoys untouched.
      const sticky = ours(7)
      assert.equal(sticky.length, 1, `one perfgate comment on PR #7, got ${sticky.length}`)
      const comment = sticky[0]!
      assert.ok(comment.body.length < MAX_COMMENT, `comment is ${comment.body.length} characters`)
      assert.match(comment.body, /Performance report: perfgate/)
      assert.match(comment.body, /no baseline yet/)
      assert.equal(r.outputs['comment-url'], `https://github.com/acme/shop/pull/7#issuecomment-${comment.id}`)
      assert.equal(r.outputs['report-url'], r.outputs['comment-url'])
      const uploaded = gh.state.artifacts.find((a) => a.runId === runIds.first && a.name === ARTIFACT)!
      assert.equal(r.outputs['artifact-id'], String(uploaded.id))
      assert.equal(
        r.outputs['artifact-url'],
        `https://github.com/acme/shop/actions/runs/${runIds.first}/artifacts/${uploaded.id}`,
      )
      for (const decoy of decoys)
        assert.equal(gh.state.comments.find((c) => c.id === decoy.id)?.body, decoy.body)

      // The lookup paginated (page 2 through the Link header) and waited out the rate limit.
      const lists = gh.state.requests
        .slice(requestsBefore)
        .filter((q) => q.method === 'GET' && /\/issues\/7\/comments$/.test(q.path))
      assert.deepEqual(
        lists.map((q) => [q.query.page ?? '1', q.status]),
        [
          ['1', 403],
          ['1', 200],
          ['2', 200],
        ],
      )
      assert.match(r.run.stdout, /GitHub rate limit on GET .*comments.*: retrying in 1s/)
      assert.equal(gh.state.rateLimits.length, 0, 'the queued rate limit was consumed')

      // The artifact went through the Twirp service with this run's runtime token.
      const twirp = gh.state.requests
        .slice(requestsBefore)
        .filter((q) => q.path.startsWith('/twirp/'))
        .map((q) => `${q.path.split('/').pop()} ${q.status}`)
      assert.deepEqual(twirp, ['CreateArtifact 200', 'FinalizeArtifact 200'])
      const { names, files } = await artifactOf(runIds.first)
      for (const name of ['result.json', 'report.md', 'report.html', 'comment.md'])
        assert.ok(names.includes(name), `${name} in the artifact: ${names.join(', ')}`)
      assert.equal(files.get('report.md')?.toString('utf8'), report)
      assert.equal(
        (JSON.parse(files.get('result.json')!.toString('utf8')) as { meta: { git: { pr: number } } }).meta.git
          .pr,
        7,
      )

      assert.deepEqual(leaks(r), [])
    },
  )

  test(
    'a second run on the same pull request updates the same comment instead of adding one',
    { timeout: RUN_TIMEOUT_MS + 30_000 },
    async () => {
      const before = ours(7)
      assert.equal(before.length, 1, 'the first run left one comment')
      const { id, body: oldBody } = before[0]!
      const total = gh.state.comments.length
      const requestsBefore = gh.state.requests.length
      // A new push: new head commit, new workflow run.
      pr7.headSha = randomBytes(20).toString('hex')
      const r = await runOnPull('second', runIds.second, pr7, 'ghs_write')
      assert.equal(r.run.code, 0, explain(r))

      const after = ours(7)
      assert.deepEqual(
        after.map((c) => c.id),
        [id],
      )
      assert.equal(gh.state.comments.length, total, 'no comment was added')
      assert.notEqual(after[0]!.body, oldBody, 'the body was replaced')
      assert.ok(after[0]!.body.length < MAX_COMMENT)
      assert.equal(r.outputs['comment-url'], `https://github.com/acme/shop/pull/7#issuecomment-${id}`)
      const writes = gh.state.requests
        .slice(requestsBefore)
        .filter((q) => q.method !== 'GET' && /\/issues\//.test(q.path))
        .map((q) => `${q.method} ${q.path} ${q.status}`)
      assert.deepEqual(writes, [`PATCH /repos/acme/shop/issues/comments/${id} 200`])
      assert.match(r.run.stdout, /PR comment updated/)
      await artifactOf(runIds.second)
      assert.deepEqual(leaks(r), [])
    },
  )

  test(
    'a fork pull request run with a read-only token posts no comment and says the report is in the job summary',
    { timeout: RUN_TIMEOUT_MS + 30_000 },
    async () => {
      const total = gh.state.comments.length
      const requestsBefore = gh.state.requests.length
      const r = await runOnPull('fork', runIds.fork, pr8, 'ghs_readonly')
      fork = r
      assert.equal(r.run.code, 0, explain(r))
      assert.doesNotMatch(r.run.stdout, /^::error::/m, explain(r))

      assert.equal(gh.state.comments.length, total, 'no comment anywhere')
      assert.equal(ours(8).length, 0)
      const posts = gh.state.requests
        .slice(requestsBefore)
        .filter((q) => q.method === 'POST' && /\/issues\/8\/comments$/.test(q.path))
      assert.deepEqual(
        posts.map((q) => q.status),
        [403],
        'one attempt, refused as GitHub refuses a fork token',
      )
      const warning = r.run.stdout
        .split('\n')
        .find((line) => line.startsWith('::warning::PR comment not posted'))
      assert.ok(warning, `a warning about the comment in:\n${r.run.stdout.slice(-3000)}`)
      assert.match(warning, /Resource not accessible by integration/)
      assert.match(warning, /the report is in the job summary/)
      assert.match(warning, /mode: comment/)

      assert.match(readFileSync(r.summary, 'utf8'), /Performance report: perfgate/)
      assert.equal(r.outputs['comment-url'], '')
      assert.match(r.outputs.verdict!, /^(warn|no-baseline)$/, 'fail-on never: the gate cannot fail')
      // The artifact is what the workflow_run job posts later: it must be there with comment.md.
      const { names } = await artifactOf(runIds.fork)
      assert.ok(names.includes('comment.md') && names.includes('result.json'), names.join(', '))
      assert.deepEqual(leaks(r), [])
    },
  )

  test(
    'mode comment in a workflow_run workflow posts the fork run’s report on its pull request',
    { timeout: 90_000 },
    async () => {
      assert.ok(fork?.run.code === 0, 'needs the fork run')
      // The fork's pull_request run has completed; GitHub lists no pull_requests for a fork's run.
      const run = gh.state.runs.find((x) => x.id === runIds.fork)!
      Object.assign(run, {
        event: 'pull_request',
        status: 'completed',
        conclusion: 'success',
        headSha: pr8.headSha,
        headBranch: pr8.headRef,
        headRepo: pr8.headRepo,
        pullRequests: [8],
      })
      const dir = path.join(root, 'comment')
      mkdirSync(dir, { recursive: true })
      const eventPath = path.join(dir, 'event.json')
      writeFileSync(
        eventPath,
        JSON.stringify({
          action: 'completed',
          workflow_run: {
            id: run.id,
            name: run.name,
            event: run.event,
            head_sha: run.headSha,
            head_branch: run.headBranch,
            conclusion: run.conclusion,
            html_url: `https://github.com/acme/shop/actions/runs/${run.id}`,
            head_repository: { full_name: pr8.headRepo },
            repository: { full_name: gh.state.fullName },
            pull_requests: [],
          },
          repository: { full_name: gh.state.fullName },
        }),
      )
      const summary = path.join(dir, 'step_summary')
      const output = path.join(dir, 'output')
      writeFileSync(summary, '')
      writeFileSync(output, '')
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        GITHUB_ACTIONS: 'true',
        ...gh.env(runIds.comment, 'comment'),
        GITHUB_EVENT_NAME: 'workflow_run',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REF_NAME: 'main',
        GITHUB_WORKSPACE: dir,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
        // The base branch's policy as the trusted workflow sees it (the fork's perfgate.yml is not read).
        ...inputEnv({ mode: 'comment', 'fail-on': 'regression' }, 'ghs_write'),
      }
      const result = await runDist(dir, env, 60_000)
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`)
      const posted = ours(8)
      assert.equal(posted.length, 1)
      // Rendered again from the fork's result.json (its comment.md is never posted), judged with this step's plan.
      assert.ok(posted[0]!.body.startsWith(`${MARKER}\n`))
      assert.match(posted[0]!.body, /Performance report: perfgate/)
      assert.ok(posted[0]!.body.includes(`](https://github.com/acme/shop/actions/runs/${run.id})`))
      assert.match(parseOutputFile(readFileSync(output, 'utf8')).verdict ?? '', /^(pass|warn|no-baseline)$/)
      assert.equal(
        parseOutputFile(readFileSync(output, 'utf8'))['comment-url'],
        `https://github.com/acme/shop/pull/8#issuecomment-${posted[0]!.id}`,
      )
      assert.deepEqual(
        gh.state.statuses.map((s) => [s.sha, s.state]),
        [[pr8.headSha, 'success']],
      )
      assert.deepEqual(secretsIn('stdout', visibleLog(result.stdout), secrets), [])
    },
  )
})

/** The pull_request event payload the runner writes to GITHUB_EVENT_PATH (the parts perfgate reads and a few more). */
function pullRequestEvent(gh: FakeGitHub, pull: FakePull) {
  const repo = (fullName: string) => ({
    full_name: fullName,
    name: fullName.split('/')[1],
    owner: { login: fullName.split('/')[0] },
    fork: fullName !== gh.state.fullName,
  })
  return {
    action: 'synchronize',
    number: pull.number,
    pull_request: {
      number: pull.number,
      state: 'open',
      html_url: `https://github.com/${gh.state.fullName}/pull/${pull.number}`,
      head: {
        sha: pull.headSha,
        ref: pull.headRef,
        label: `${pull.headRepo.split('/')[0]}:${pull.headRef}`,
        repo: repo(pull.headRepo),
      },
      base: {
        sha: gh.state.branches.get(pull.baseRef)!.commit,
        ref: pull.baseRef,
        repo: repo(gh.state.fullName),
      },
    },
    repository: repo(gh.state.fullName),
    sender: { login: 'octocat' },
  }
}

/**
 * A DSN for the testbed database with a password that occurs nowhere else: a login role of this
 * test's own, given a fresh random password each time, with the read-only grants of the stack's
 * perfgate_ro role (statistics and data).
 */
async function e2eDatabaseUrl(adminUrl: string): Promise<string> {
  const password = `e2e-${randomBytes(12).toString('hex')}`
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${E2E_ROLE}') THEN CREATE ROLE ${E2E_ROLE} LOGIN; END IF;
       END $$`,
    )
    await client.query(`ALTER ROLE ${E2E_ROLE} LOGIN PASSWORD '${password}'`)
    await client.query(`GRANT CONNECT ON DATABASE ${new URL(adminUrl).pathname.slice(1)} TO ${E2E_ROLE}`)
    await client.query(`GRANT pg_read_all_stats, pg_read_all_data TO ${E2E_ROLE}`)
  } finally {
    await client.end()
  }
  const url = new URL(adminUrl)
  url.username = E2E_ROLE
  url.password = password
  return url.toString()
}
