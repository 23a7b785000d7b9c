// End to end through the action's front door (src/main.ts) against the fake GitHub: a pull request
// run whose baseline is the artifact of the base branch's last push run, profiles included. The
// load is replaced by the recorded testbed run; the baseline lookup (REST listing, zip through the
// signed URL), the profile diff, the report and the posted comment are the real code.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { run } from '../../src/main.ts'
import { parseRecord } from '../../src/record/io.ts'
import { isUnavailable } from '../../src/record/common.ts'
import type { FakeGitHub } from '../fakes/github.ts'
import { fixtureRun, recordingToolkit, startActionSuite, stopActionSuite } from '../helpers/action.ts'
import { addPullRequestRun, writePullRequestEvent } from '../helpers/pull-request.ts'
import { RECORDS } from '../report/fixtures.ts'

describe('a pull request run against a baseline artifact with profiles', () => {
  let dir: string
  let gh: FakeGitHub

  before(async () => ({ dir, gh } = await startActionSuite('perfgate-bdiff-')))
  after(() => stopActionSuite({ dir, gh }))

  async function pullRequestRun(name: string, baselineFiles: Record<string, string | Buffer>) {
    gh.state.runs = []
    gh.state.artifacts = []
    gh.state.comments = []
    gh.state.addPull({ number: 7 })
    addPullRequestRun(gh.state, 900)
    gh.state.addRun({ id: 101 })
    gh.state.addArtifact(101, 'perfgate-perfgate', baselineFiles)
    const event = path.join(dir, `${name}-event.json`)
    await writePullRequestEvent(event)
    const out = path.join(dir, name)
    const { core, seen } = recordingToolkit({
      'target-url': 'http://127.0.0.1:9',
      'output-dir': out,
      'github-token': 'ghs_write',
      'fail-on': 'never',
    })
    await run({
      core,
      env: {
        GITHUB_EVENT_PATH: event,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_BASE_REF: 'main',
        GITHUB_HEAD_REF: 'feature',
        GITHUB_RUN_ID: '900',
        GITHUB_API_URL: gh.url,
      },
      cwd: dir,
      runPipeline: fixtureRun,
    })
    assert.deepEqual(seen.failed, [])
    assert.equal(gh.state.comments.length, 1)
    const record = parseRecord(await readFile(path.join(out, 'result.json'), 'utf8'), 'result.json')
    return {
      out,
      info: seen.info,
      record,
      comment: gh.state.comments[0]!.body,
      report: await readFile(path.join(out, 'report.md'), 'utf8'),
    }
  }

  const baselineFolder = path.join(RECORDS, 'testbed-baseline')
  const file = (name: string) => readFile(path.join(baselineFolder, name))

  test('the comment shows what changed in the profiles since the baseline', async () => {
    const r = await pullRequestRun('with-profiles', {
      'result.json': await file('result.json'),
      'cpu.pb.gz': await file('cpu.pb.gz'),
      'allocs.pb.gz': await file('allocs.pb.gz'),
      'heap.pb.gz': await file('heap.pb.gz'),
      '../outside.pb.gz': 'an entry that climbs out of the folder',
    })
    // Only the two profiles the diff reads were brought, into the folder beside the output.
    assert.deepEqual((await readdir(path.join(r.out, 'baseline-profiles'))).sort(), [
      'allocs.pb.gz',
      'cpu.pb.gz',
    ])
    assert.deepEqual(await readdir(dir).then((e) => e.filter((n) => n.endsWith('.pb.gz'))), [])

    const diff = r.record.analysis?.diff
    assert.ok(diff && !isUnavailable(diff), `diff: ${JSON.stringify(diff)}`)
    const cpu = diff.find((d) => d.kind === 'cpu')
    assert.ok(cpu && cpu.rows.length > 0)
    const movers = cpu.rows.filter((x) => x.application)
    assert.ok(movers.length > 0, 'the testbed application moved')

    const block = /\*\*What changed\*\* in the profiles: ([^\n]*)\n\n((?:- [^\n]*\n)+)/.exec(r.comment)
    assert.ok(block, r.comment)
    assert.match(block[1]!, /the application functions whose share moved most/)
    assert.match(block[1]!, /moved by more than 0\.5 points/)
    // Its lines are the application's top movers of the recorded diff, in order, each with its line.
    const top = movers.slice(0, 3)
    const lines = block[2]!.split('\n').filter((l) => l.startsWith('- `'))
    assert.equal(lines.length, top.length)
    top.forEach((m, i) => {
      assert.ok(m.location, `${m.name} has a location`)
      const sign = m.deltaPct >= 0 ? '+' : '−'
      assert.equal(
        lines[i],
        `- \`${m.name}\` (\`${m.location}\`): CPU ${m.basePct.toFixed(1)}% → ${m.currentPct.toFixed(1)}% (${sign}${Math.abs(m.deltaPct).toFixed(1)} points)`,
      )
    })
    assert.match(r.report, /### What Changed Since the Baseline/)
    assert.doesNotMatch(r.report, /no baseline profiles/)
  })

  test('a baseline artifact without profiles gives no "what changed" in the comment, one line in the report', async () => {
    const r = await pullRequestRun('without-profiles', { 'result.json': await file('result.json') })
    assert.ok(r.record.outcome?.baselineSource, 'the baseline record itself was used')
    assert.doesNotMatch(r.comment, /What changed|baseline profiles/)
    const said = r.report.match(/no baseline profiles: [^\n_]*/g) ?? []
    assert.equal(said.length, 1, r.report)
    assert.match(
      said[0]!,
      /^no baseline profiles: the baseline's cpu profile cpu\.pb\.gz is missing: the artifact \d+ has no cpu\.pb\.gz$/,
    )
    assert.ok(r.info.some((l) => /^baseline: the baseline's cpu profile cpu\.pb\.gz is missing/.test(l)))
  })
})
