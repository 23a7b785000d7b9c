// The action's front door (src/main.ts) with a recording toolkit in place of @actions/core: what it
// sets as outputs, what it masks, and when it fails the job. The load itself is replaced by the
// testbed fixture run; everything after it (analysis, judging, reports, comment) is the real code.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { run } from '../../src/main.ts'
import { parseRecord } from '../../src/record/io.ts'
import type { StageSpan } from '../../src/record/stages.ts'
import type { runCommentMode } from '../../src/github/index.ts'
import type { FakeGitHub } from '../fakes/github.ts'
import {
  fixtureRun,
  recordingToolkit as toolkit,
  startActionSuite,
  stopActionSuite,
} from '../helpers/action.ts'
import { writePullRequestEvent } from '../helpers/pull-request.ts'
import { RECORDS } from '../report/fixtures.ts'

const mustNotRun = async (): Promise<never> => {
  throw new Error('this stage must not run here')
}

describe('the action', () => {
  let dir: string
  let gh: FakeGitHub

  before(async () => ({ dir, gh } = await startActionSuite('perfgate-main-')))
  after(() => stopActionSuite({ dir, gh }))

  const inputs = (name: string, extra: Record<string, string> = {}) => ({
    'target-url': 'http://127.0.0.1:9',
    baseline: 'none',
    'output-dir': path.join(dir, name),
    ...extra,
  })

  test('a bad input fails the job with one line and sets no output', async () => {
    const { core, seen } = toolkit({ 'target-url': 'nope' })
    await run({ core, env: {}, cwd: dir, runPipeline: mustNotRun })
    assert.deepEqual(seen.failed, [
      'target-url is "nope": expected an absolute http(s) URL such as https://pr-42.example.com',
    ])
    assert.deepEqual(seen.outputs, {})
  })

  test('secret inputs are masked before anything runs', async () => {
    const { core, seen } = toolkit({
      ...inputs('masked'),
      'database-url': 'postgres://reader:s3cr3t-pw@127.0.0.1:5432/app',
    })
    await run({ core, env: {}, cwd: dir, runPipeline: mustNotRun })
    assert.ok(seen.secrets.includes('s3cr3t-pw'), `masked: ${seen.secrets.join(', ')}`)
    assert.deepEqual(seen.failed, ['this stage must not run here'])
  })

  test('a run that breaks its SLOs sets every output and fails the job with the first reason', async () => {
    const summaryFile = path.join(dir, 'step-summary.md')
    await writeFile(summaryFile, '')
    const { core, seen } = toolkit(inputs('failing'))
    await run({ core, env: { GITHUB_STEP_SUMMARY: summaryFile }, cwd: dir, runPipeline: fixtureRun })
    assert.equal(seen.outputs.verdict, 'fail')
    assert.equal(seen.outputs['report-path'], path.join(dir, 'failing', 'report.md'))
    assert.equal(seen.outputs['result-path'], path.join(dir, 'failing', 'result.json'))
    assert.equal(seen.outputs['comment-url'], '')
    assert.equal(seen.outputs.regressions, '0')
    assert.equal(seen.failed.length, 1)
    assert.match(seen.failed[0]!, /^SLO failed: search p95 \d+ ms, target <100ms: fail$/)
    // The job summary is the rendered summary; the artifact could not be uploaded outside a runner.
    assert.equal(
      await readFile(summaryFile, 'utf8'),
      await readFile(path.join(dir, 'failing', 'summary.md'), 'utf8'),
    )
    assert.match(
      seen.warnings.join('\n'),
      /artifact perfgate-perfgate was not uploaded: ACTIONS_RUNTIME_TOKEN/,
    )
    const record = parseRecord(await readFile(seen.outputs['result-path'], 'utf8'), 'result.json')
    assert.equal(record.outcome?.gate.verdict, 'fail')
  })

  test('result.json is written again with the render and publish stages, which the log also times', async () => {
    const { core, seen } = toolkit(inputs('stages', { 'fail-on': 'never' }))
    await run({ core, env: {}, cwd: dir, runPipeline: fixtureRun })
    assert.deepEqual(seen.failed, [])
    const record = parseRecord(await readFile(seen.outputs['result-path']!, 'utf8'), 'result.json')
    const stages = (record.timeline ?? []).map((s) => s.stage)
    // The fixture's own measured stages are replaced by this run's: plan first, publish last.
    assert.deepEqual(stages, ['plan', 'baseline', 'analysis', 'comparison', 'render', 'publish'])
    const [comparison, render, publish] = record.timeline!.slice(-3) as [StageSpan, StageSpan, StageSpan]
    assert.ok(render.startMs >= comparison.endMs && publish.startMs >= render.endMs)
    for (const stage of ['render', 'publish'])
      assert.ok(
        seen.info.some((line) => line.startsWith(`perfgate: stage ${stage} took `)),
        `no ${stage} line in: ${seen.info.join(' | ')}`,
      )
    // Everything but the timeline is the record as first written: the verdict and the findings.
    assert.equal(record.outcome?.gate.verdict, seen.outputs.verdict)
    assert.ok(record.findings.length > 0)
    assert.deepEqual(
      (await readdir(path.join(dir, 'stages'))).filter((f) => f.endsWith('.tmp')),
      [],
    )
  })

  test('with fail-on never the same run does not fail the job', async () => {
    const { core, seen } = toolkit(inputs('never', { 'fail-on': 'never' }))
    await run({ core, env: {}, cwd: dir, runPipeline: fixtureRun })
    assert.deepEqual(seen.failed, [])
    assert.notEqual(seen.outputs.verdict, 'fail')
    assert.ok(seen.outputs.verdict)
  })

  test('a pull request run posts the sticky comment and sets comment-url', async () => {
    gh.state.addPull({ number: 7 })
    const event = path.join(dir, 'event.json')
    await writePullRequestEvent(event)
    const { core, seen } = toolkit(inputs('pr', { 'github-token': 'ghs_write', 'fail-on': 'never' }))
    await run({
      core,
      env: {
        GITHUB_EVENT_PATH: event,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_API_URL: gh.url,
      },
      cwd: dir,
      runPipeline: fixtureRun,
    })
    assert.deepEqual(seen.failed, [])
    assert.equal(gh.state.comments.length, 1)
    assert.match(seen.outputs['comment-url']!, /\/pull\/7#issuecomment-\d+$/)
    const posted = gh.state.comments[0]!.body
    // The posted body is the rendered comment under the marker and the hidden digest line.
    const rendered = await readFile(path.join(dir, 'pr', 'comment.md'), 'utf8')
    assert.ok(posted.endsWith(rendered.replace(/^<!-- perfgate:report-name=[^\n]*-->\n/, '')))
    assert.match(posted, /^<!-- perfgate:report-name=perfgate -->\n<!-- perfgate:digest=v1 /)
  })

  test('a pipeline error fails the job with its one line', async () => {
    const { core, seen } = toolkit(inputs('broken'))
    await run({
      core,
      env: {},
      cwd: dir,
      runPipeline: async () => {
        throw new Error('target-url http://127.0.0.1:9 does not answer:\n  connection refused')
      },
    })
    assert.equal(seen.failed.length, 1)
    assert.doesNotMatch(seen.failed[0]!, /\n/)
    assert.match(seen.failed[0]!, /^target-url http:\/\/127\.0\.0\.1:9 does not answer/)
    assert.equal(seen.outputs.verdict, undefined)
  })

  describe('mode comment', () => {
    const commentMode = (result: Awaited<ReturnType<typeof runCommentMode>>) => async () => result

    test('without a token it fails saying so', async () => {
      const { core, seen } = toolkit(inputs('comment-no-token', { mode: 'comment' }))
      await run({ core, env: {}, cwd: dir, runCommentMode: mustNotRun, runPipeline: mustNotRun })
      assert.deepEqual(seen.failed, ['mode comment needs the github-token input'])
    })

    test('a refused report sets verdict refused and fails the job with the reason', async () => {
      const { core, seen } = toolkit(
        inputs('comment-refused', { mode: 'comment', 'github-token': 'ghs_write' }),
      )
      await run({
        core,
        env: { GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: gh.url },
        cwd: dir,
        runPipeline: mustNotRun,
        runCommentMode: commentMode({ refused: 'head sha differs from the PR', runId: 5, pr: 7 }),
      })
      assert.equal(seen.outputs.verdict, 'refused')
      assert.deepEqual(seen.failed, ['mode comment refused the report: head sha differs from the PR'])
    })

    test('a posted report sets comment-url and does not fail the job', async () => {
      const { core, seen } = toolkit(
        inputs('comment-posted', { mode: 'comment', 'github-token': 'ghs_write' }),
      )
      const url = 'https://github.com/acme/shop/pull/7#issuecomment-99'
      await run({
        core,
        env: { GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: gh.url },
        cwd: dir,
        runPipeline: mustNotRun,
        runCommentMode: commentMode({
          pr: 7,
          headSha: 'a'.repeat(40),
          runId: 5,
          artifactId: 11,
          record: parseRecord(await readFile(path.join(RECORDS, 'testbed-run', 'result.json'), 'utf8'), 'r'),
          gate: { verdict: 'fail', failed: true, reasons: ['search p95 216 ms > 100 ms'], regressions: [] },
          baselineSource: 'none',
          comment: { url, id: 99, action: 'created', duplicates: 0 },
          status: { context: 'perfgate/perfgate', state: 'failure' },
        }),
      })
      assert.equal(seen.outputs['comment-url'], url)
      assert.deepEqual(seen.failed, [])
      assert.match(seen.info.join('\n'), /posted the report of run 5 on PR #7/)
    })

    test('nothing to post is not a failure', async () => {
      const { core, seen } = toolkit(
        inputs('comment-skipped', { mode: 'comment', 'github-token': 'ghs_write' }),
      )
      await run({
        core,
        env: { GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: gh.url },
        cwd: dir,
        runPipeline: mustNotRun,
        runCommentMode: commentMode({ skipped: 'the run was not a pull request' }),
      })
      assert.equal(seen.outputs.verdict, 'skipped')
      assert.deepEqual(seen.failed, [])
    })
  })
})
