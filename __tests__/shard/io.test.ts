// Where merge mode finds the shards: folders (the CLI) and the current run's artifacts (the action),
// with the owning shard's collector files brought along and unreadable or absent shards named.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import { collectShardRecords, collectorFiles, mergeShards, runShard } from '../../src/shard/index.ts'
import { isUnavailable } from '../../src/record/common.ts'
import type { LoadPart } from '../../src/record/load.ts'
import { testPlan } from '../run/support/plan.ts'
import { aggregate, samples, shardRecord } from './support.ts'

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0)
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

function loadOf(part: unknown): LoadPart {
  assert.ok(!isUnavailable(part as never), JSON.stringify(part))
  return part as LoadPart
}

test('shard folders are merged, an unreadable one is named by its folder, and shard 0’s collector files are copied', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'perfgate-shard-io-'))
  const shards = path.join(root, 'shards')
  for (const i of [0, 1, 2]) await mkdir(path.join(shards, `shard-${i}`, 'prometheus'), { recursive: true })
  const owner = shardRecord(0, 3, aggregate(samples(1, T0, 10, 200), 4), true)
  assert.deepEqual(collectorFiles(owner), ['prometheus/scrape.txt'])
  await writeFile(path.join(shards, 'shard-0', 'result.json'), json(owner))
  await writeFile(path.join(shards, 'shard-0', 'prometheus', 'scrape.txt'), 'http_requests_total 1\n')
  await writeFile(
    path.join(shards, 'shard-1', 'result.json'),
    json(shardRecord(1, 3, aggregate(samples(2, T0, 10, 100), 4))),
  )
  await writeFile(path.join(shards, 'shard-2', 'result.json'), '{"schema":')

  const found = await collectShardRecords(shards)
  assert.equal(found.records.length, 2)
  assert.match(found.missing[2]!, /shard-2\/result\.json is not valid JSON/)

  const plan = testPlan('http://127.0.0.1:1', {
    mode: 'merge',
    shards: 3,
    outputDir: path.join(root, 'merged'),
  })
  const merged = await mergeShards(plan, { from: shards })
  const load = loadOf(merged.load)
  assert.equal(load.overall.count, 300)
  assert.match(load.partial!, /^shard 2 of 3 missing: .*shard-2\/result\.json is not valid JSON/)
  assert.deepEqual(merged.prometheus, owner.prometheus)
  assert.equal(
    await readFile(path.join(plan.outputDir, 'prometheus', 'scrape.txt'), 'utf8'),
    'http_requests_total 1\n',
  )
})

test('with no shard record at all the merge still yields a record, whose load names every shard', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'perfgate-shard-none-'))
  const plan = testPlan('http://127.0.0.1:1', {
    mode: 'merge',
    shards: 2,
    outputDir: path.join(root, 'merged'),
  })
  const merged = await mergeShards(plan, { from: [] })
  assert.ok(isUnavailable(merged.load))
  assert.equal(
    merged.load.unavailable,
    'no shard produced load data: shard 0 of 2 missing; shard 1 of 2 missing',
  )
  assert.deepEqual(merged.meta.shard, { index: -1, count: 2 })
})

describe('merge mode in the action', () => {
  let gh: FakeGitHub
  const runId = 4242
  const keys = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL', 'GITHUB_WORKSPACE'] as const
  const saved: Record<string, string | undefined> = {}

  before(async () => {
    gh = await startFakeGitHub()
    gh.state.addRun({ id: runId, status: 'in_progress', conclusion: null as never })
    for (const key of keys) saved[key] = process.env[key]
    process.env.ACTIONS_RUNTIME_TOKEN = gh.runtimeToken(runId, 'shard-1')
    process.env.ACTIONS_RESULTS_URL = gh.resultsUrl
    process.env.GITHUB_WORKSPACE = await mkdtemp(path.join(tmpdir(), 'perfgate-ws-'))
  })
  after(async () => {
    for (const key of keys)
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    await gh.close()
  })

  test('a failed shard still uploads its record, a missing one is named, and shard 0’s files come along', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'perfgate-shard-gh-'))
    const owner = shardRecord(0, 3, aggregate(samples(3, T0, 10, 150), 4), true)
    gh.state.addArtifact(runId, 'perfgate-default-shard-0', {
      'result.json': json(owner),
      'prometheus/scrape.txt': 'http_requests_total 2\n',
      'k6.ndjson.gz': Buffer.from([0x1f, 0x8b]),
    })
    // Shard 1 cannot reach its target: its job fails, but its record says why, in its own artifact.
    const shardPlan = testPlan('http://127.0.0.1:1', {
      shards: 3,
      shard: 1,
      reportName: 'default',
      outputDir: path.join(root, 'shard-1'),
      targetWaitS: 0,
    })
    const logs: string[] = []
    await assert.rejects(
      runShard(shardPlan, { env: process.env, log: (l) => logs.push(l) }, { warn: (l) => logs.push(l) }),
      /127\.0\.0\.1:1/,
    )
    assert.ok(
      gh.state.artifacts.some((a) => a.name === 'perfgate-default-shard-1' && a.finalized),
      logs.join('\n'),
    )

    const octokit = createOctokit({ token: 'ghs_write', baseUrl: gh.url })
    const plan = testPlan('http://127.0.0.1:1', {
      mode: 'merge',
      shards: 3,
      reportName: 'default',
      outputDir: path.join(root, 'merged'),
    })
    const merged = await mergeShards(plan, {
      octokit,
      context: { owner: gh.state.owner, repo: gh.state.repo, runId },
    })
    const load = loadOf(merged.load)
    assert.equal(load.overall.count, 150)
    // The failed shard's own reason may contain "; " too: split before each shard's part.
    const [failed, missing] = load.partial!.split(/; (?=shard \d+ of \d+ )/)
    assert.match(failed!, /^shard 1 of 3 failed: .*127\.0\.0\.1:1/)
    assert.equal(
      missing,
      `shard 2 of 3 missing: run ${runId} has no perfgate-default-shard-2 artifact (the shard job failed before uploading, or did not run)`,
    )
    assert.equal(
      await readFile(path.join(plan.outputDir, 'prometheus', 'scrape.txt'), 'utf8'),
      'http_requests_total 2\n',
    )
  })
})
