import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { makeRecord } from '../fakes/record.ts'
import { fakeOctokit, pushContext, shaOf as sha, startPullRequestRun } from '../helpers/pull-request.ts'
import type { GitHubContext } from '../../src/github/context.ts'
import type { Plan, BaselineSource } from '../../src/plan/types.ts'
import { findBaseline, saveBranchBaseline, artifactNameFor } from '../../src/baseline/index.ts'

function planWith(baseline: Partial<BaselineSource>, reportName = 'default'): Plan {
  return {
    reportName,
    outputDir: 'perfgate-report',
    baseline: { kind: 'artifact', history: 3, ...baseline },
  } as Plan
}

describe('baseline', () => {
  let gh: FakeGitHub
  let ctx: GitHubContext
  const octokit = () => fakeOctokit(gh)
  const json = (value: unknown) => JSON.stringify(value)

  before(async () => {
    gh = await startFakeGitHub()
  })
  after(() => gh.close())
  beforeEach(() => {
    // The current run: a pull_request run of the same workflow.
    ctx = startPullRequestRun(gh)
  })

  describe('from artifacts', () => {
    test('the latest successful push run on the base branch is chosen, the older ones form the history', async () => {
      for (const id of [101, 102, 103, 104]) {
        gh.state.addRun({ id, headSha: sha(id) })
        gh.state.addArtifact(id, 'perfgate-default', {
          'result.json': json(makeRecord({ sha: sha(id), runId: id })),
        })
      }
      gh.state.addRun({ id: 105, conclusion: 'failure' })
      gh.state.addArtifact(105, 'perfgate-default', { 'result.json': json(makeRecord({ sha: sha(105) })) })
      gh.state.addRun({ id: 106, headBranch: 'other' })
      gh.state.addArtifact(106, 'perfgate-default', { 'result.json': json(makeRecord({ sha: sha(106) })) })
      gh.state.addRun({ id: 107, event: 'pull_request' })
      gh.state.addArtifact(107, 'perfgate-default', { 'result.json': json(makeRecord({ sha: sha(107) })) })
      gh.state.addRun({ id: 108, workflowId: 5, path: '.github/workflows/other.yml' })
      gh.state.addArtifact(108, 'perfgate-default', { 'result.json': json(makeRecord({ sha: sha(108) })) })

      const result = await findBaseline(planWith({}), ctx, { octokit: octokit() })
      assert.equal(result.baseline?.meta.git?.sha, sha(104))
      assert.deepEqual(
        result.history.map((r) => r.meta.git?.sha),
        [sha(104), sha(103), sha(102)],
      )
      assert.equal(result.source, 'artifact perfgate-default of run 104 on main')
      assert.deepEqual(result.notes, [])
      const list = gh.state.requestsTo('GET', /\/actions\/workflows\/\d+\/runs$/)[0]!
      assert.deepEqual(
        { branch: list.query.branch, event: list.query.event, status: list.query.status },
        { branch: 'main', event: 'push', status: 'success' },
      )
    })

    test('an expired artifact is skipped and an older run is used', async () => {
      gh.state.addRun({ id: 201 })
      gh.state.addArtifact(201, 'perfgate-default', { 'result.json': json(makeRecord({ sha: sha(201) })) })
      gh.state.addRun({ id: 202 })
      gh.state.addArtifact(
        202,
        'perfgate-default',
        { 'result.json': json(makeRecord({ sha: sha(202) })) },
        true,
      )
      const result = await findBaseline(planWith({ history: 1 }), ctx, { octokit: octokit() })
      assert.equal(result.baseline?.meta.git?.sha, sha(201))
      assert.equal(result.history.length, 1)
      assert.match(result.notes.join('\n'), /run 202: the perfgate-default artifact has expired/)
      assert.equal(gh.state.requestsTo('GET', /\/artifacts\/\d+\/zip$/).length, 1)
    })

    test('a corrupt record is skipped with a note and the next older one is tried', async () => {
      gh.state.addRun({ id: 301 })
      gh.state.addArtifact(301, 'perfgate-default', { 'result.json': json(makeRecord({ sha: sha(301) })) })
      gh.state.addRun({ id: 302 })
      gh.state.addArtifact(302, 'perfgate-default', {
        'result.json': json({ schema: 1, meta: {}, plan: {}, load: {} }),
      })
      gh.state.addRun({ id: 303 })
      gh.state.addArtifact(303, 'perfgate-default', { 'result.json': '{"schema": 1, "meta": ' })
      const result = await findBaseline(planWith({ history: 1 }), ctx, { octokit: octokit() })
      assert.equal(result.baseline?.meta.git?.sha, sha(301))
      assert.equal(result.notes.length, 2)
      assert.match(result.notes[0]!, /skipped a corrupt baseline: result.json of run 303 is not valid JSON/)
      assert.match(
        result.notes[1]!,
        /skipped a corrupt baseline: result.json of run 302 is not a valid perfgate record: meta.tool: missing/,
      )
    })

    test('a record of an older schema is read and upgraded', async () => {
      const old = makeRecord({ sha: sha(401) }) as unknown as Record<string, unknown>
      delete old.redis
      delete old.findings
      gh.state.addRun({ id: 401 })
      gh.state.addArtifact(401, 'perfgate-default', {
        'result.json': json(old),
        'k6.ndjson': 'x'.repeat(100_000),
      })
      const result = await findBaseline(planWith({}), ctx, { octokit: octokit() })
      assert.deepEqual(result.baseline?.redis, {
        unavailable: 'not collected by the perfgate version that wrote this record',
      })
      assert.deepEqual(result.baseline?.findings, [])
    })

    test('a first run without any baseline says how one will appear', async () => {
      const result = await findBaseline(planWith({}), ctx, { octokit: octokit() })
      assert.equal(result.baseline, undefined)
      assert.deepEqual(result.history, [])
      assert.match(result.notes[0]!, /^no baseline yet: .*appears after this workflow runs on a push to main/)
    })

    test('only expired artifacts are reported as expired', async () => {
      gh.state.addRun({ id: 501 })
      gh.state.addArtifact(501, 'perfgate-default', { 'result.json': json(makeRecord()) }, true)
      const result = await findBaseline(planWith({}), ctx, { octokit: octokit() })
      assert.equal(result.baseline, undefined)
      assert.match(result.notes[0]!, /^no baseline yet: the perfgate-default artifacts .* have expired/)
    })

    test('another report name has its own artifact', async () => {
      gh.state.addRun({ id: 601 })
      gh.state.addArtifact(601, 'perfgate-api', { 'result.json': json(makeRecord({ sha: sha(601) })) })
      const none = await findBaseline(planWith({}), ctx, { octokit: octokit() })
      assert.equal(none.baseline, undefined)
      const api = await findBaseline(planWith({}, 'api'), ctx, { octokit: octokit() })
      assert.equal(api.baseline?.meta.git?.sha, sha(601))
      assert.equal(artifactNameFor('a/b:c'), 'perfgate-a-b-c')
    })

    test('without a token the source says what it needs', async () => {
      const result = await findBaseline(planWith({}), ctx, {})
      assert.match(result.notes[0]!, /needs the github-token input/)
    })
  })

  describe('from a path', () => {
    test('a committed result.json is read relative to the workspace', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-baseline-'))
      await mkdir(path.join(dir, 'perf'))
      await writeFile(path.join(dir, 'perf/base.json'), json(makeRecord({ sha: sha(1) })))
      const result = await findBaseline(planWith({ kind: 'path', path: 'perf/base.json' }), {
        ...ctx,
        workspace: dir,
      })
      assert.equal(result.baseline?.meta.git?.sha, sha(1))
      assert.equal(result.source, 'file perf/base.json')
    })

    test('a missing file is a first run and a corrupt one a note', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-baseline-'))
      const missing = await findBaseline(planWith({ kind: 'path', path: 'nope.json' }), undefined, {
        cwd: dir,
      })
      assert.match(missing.notes[0]!, /^no baseline yet: nope.json does not exist/)
      await writeFile(path.join(dir, 'bad.json'), '[]')
      const bad = await findBaseline(planWith({ kind: 'path', path: 'bad.json' }), undefined, { cwd: dir })
      assert.equal(bad.baseline, undefined)
      assert.match(bad.notes[0]!, /skipped a corrupt baseline/)
    })
  })

  describe('on a branch', () => {
    const pushCtx = () => pushContext(gh, 700)

    test('a record saved on a push to the base branch is found by a pull request', async () => {
      const plan = planWith({ kind: 'branch', branch: 'perfgate-baselines' })
      const saved = await saveBranchBaseline(makeRecord({ sha: sha(700) }), plan, pushCtx(), {
        octokit: octokit(),
      })
      assert.ok('saved' in saved)
      assert.equal(saved.saved, `perfgate-baselines:perfgate/default/${sha(700).slice(0, 7)}-700.json`)
      const result = await findBaseline(plan, ctx, { octokit: octokit() })
      assert.equal(result.baseline?.meta.git?.sha, sha(700))
      assert.equal(result.source, 'branch perfgate-baselines (perfgate/default)')
    })

    test('a concurrent push to the index is met by re-reading and retrying', async () => {
      const plan = planWith({ kind: 'branch', branch: 'perfgate-baselines', history: 5 })
      const first = pushCtx()
      await saveBranchBaseline(makeRecord({ sha: sha(700) }), plan, first, { octokit: octokit() })
      // Another job's push lands between our read of index.json and our write.
      const other = {
        perfgate: 'baselines',
        version: 1,
        records: [{ file: 'bbbbbbb-800.json', savedAt: 'x' }],
      }
      gh.state.putFile(
        'perfgate-baselines',
        'perfgate/default/bbbbbbb-800.json',
        json(makeRecord({ sha: sha(800) })),
      )
      const index = JSON.parse(
        gh.state.getFile('perfgate-baselines', 'perfgate/default/index.json')!,
      ) as typeof other
      gh.state.concurrentWrites.push({
        branch: 'perfgate-baselines',
        path: 'perfgate/default/index.json',
        content: json({ ...other, records: [...other.records, ...index.records] }),
      })
      const logs: string[] = []
      const second = { ...pushCtx(), runId: 701, sha: sha(701) }
      const saved = await saveBranchBaseline(makeRecord({ sha: sha(701) }), plan, second, {
        octokit: octokit(),
        log: (l) => logs.push(l),
      })
      assert.ok('saved' in saved)
      assert.equal(saved.attempts, 2)
      assert.match(logs.join('\n'), /changed on perfgate-baselines meanwhile .*409/)
      const puts = gh.state.requestsTo('PUT', /index\.json$/).map((r) => r.status)
      assert.deepEqual(puts.slice(-2), [409, 200])
      const result = await findBaseline(plan, ctx, { octokit: octokit() })
      assert.deepEqual(
        result.history.map((r) => r.meta.git?.sha),
        [sha(701), sha(800), sha(700)],
      )
    })

    test('a pull request never writes the baseline', async () => {
      const plan = planWith({ kind: 'branch', branch: 'perfgate-baselines' })
      const result = await saveBranchBaseline(makeRecord(), plan, ctx, { octokit: octokit() })
      assert.ok('skipped' in result)
      assert.equal(gh.state.requestsTo('PUT', /contents/).length, 0)
    })

    test('a missing branch is a first run and a corrupt record is skipped', async () => {
      const plan = planWith({ kind: 'branch', branch: 'perfgate-baselines' })
      const none = await findBaseline(plan, ctx, { octokit: octokit() })
      assert.match(none.notes[0]!, /^no baseline yet: perfgate\/default\/index.json is not on branch/)
      await saveBranchBaseline(makeRecord({ sha: sha(700) }), plan, pushCtx(), { octokit: octokit() })
      await saveBranchBaseline(
        makeRecord({ sha: sha(701) }),
        plan,
        { ...pushCtx(), runId: 701, sha: sha(701) },
        {
          octokit: octokit(),
        },
      )
      gh.state.putFile(
        'perfgate-baselines',
        `perfgate/default/${sha(701).slice(0, 7)}-701.json`,
        '{"schema":1}',
      )
      const result = await findBaseline(plan, ctx, { octokit: octokit() })
      assert.equal(result.baseline?.meta.git?.sha, sha(700))
      assert.match(
        result.notes[0]!,
        /skipped a corrupt baseline: .*is not a valid perfgate record: meta: missing/,
      )
    })

    test('a record over 1 MB is read through the raw media type', async () => {
      const plan = planWith({ kind: 'branch', branch: 'perfgate-baselines' })
      const big = makeRecord({ sha: sha(700) })
      big.load = { ...big.load, k6Summary: 'x'.repeat(1_200_000) } as typeof big.load
      await saveBranchBaseline(big, plan, pushCtx(), { octokit: octokit() })
      const result = await findBaseline(plan, ctx, { octokit: octokit() })
      assert.equal(result.baseline?.meta.git?.sha, sha(700))
    })
  })
})
