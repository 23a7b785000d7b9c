// `perfgate run --mode …` (issue 16): comment is the action's and merge needs the shards' folders;
// the CLI says so in one line instead of running a load test, and merge needs no target-url.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseRecord } from '../../src/record/io.ts'
import { aggregate, samples, shardRecord } from '../shard/support.ts'
import { perfgate } from './helpers.ts'

// Nothing listens here (the helper's manual port range): a load test would fail on it, not pass.
const DEAD_TARGET = 'http://127.0.0.1:52099'
const K6 = path.join(process.env.HOME ?? '', '.cache', 'perfgate', 'bin', 'k6')

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-cli-mode-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('--mode comment is refused in one line, naming what the CLI allows, before any load', async () => {
  await withDir(async (dir) => {
    const args = [
      'run',
      '--mode',
      'comment',
      '--target-url',
      DEAD_TARGET,
      '--target-wait',
      '0',
      '--k6-path',
      K6,
    ]
    const result = await perfgate(args, dir)
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr,
      'perfgate: mode is "comment": it posts the report of a pull-request run from GitHub and runs in the action only (a workflow_run workflow); the CLI allows run, or merge with --from <dir>; to rebuild a report from a result.json use perfgate report <result.json>\n',
    )
    assert.deepEqual(await readdir(dir), [], 'nothing was run or written')
  })
})

test('PERFGATE_MODE=comment is refused the same way', async () => {
  await withDir(async (dir) => {
    const result = await perfgate(['run', '--target-url', DEAD_TARGET], dir, { PERFGATE_MODE: 'comment' })
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /^perfgate: mode is "comment": .* the CLI allows run, or merge with --from <dir>;/,
    )
  })
})

test('--mode merge without --from names what it needs, not target-url', async () => {
  await withDir(async (dir) => {
    const result = await perfgate(['run', '--mode', 'merge', '--shards', '2'], dir)
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr,
      'perfgate: mode merge needs --from <dir>: the folder with one sub-folder per shard, each holding its result.json (e.g. perfgate run --mode merge --shards 3 --from shards)\n',
    )
  })
})

/** `perfgate run --mode merge` over two shard folders written in `dir`, into `dir/merged`. */
async function mergeTwoShards(dir: string) {
  const t0 = Date.parse('2024-01-01T00:00:00.000Z')
  for (const index of [0, 1]) {
    const shardDir = path.join(dir, 'shards', `shard-${index}`)
    await mkdir(shardDir, { recursive: true })
    const record = shardRecord(index, 2, aggregate(samples(index + 1, t0, 10, 120), 4), index === 0)
    await writeFile(path.join(shardDir, 'result.json'), JSON.stringify(record))
  }
  return perfgate(
    ['run', '--mode', 'merge', '--shards', '2', '--from', 'shards', '--out', 'merged', '--fail-on', 'never'],
    dir,
  )
}

test('--mode merge --from merges the shard folders as docs/sharding.md shows, without a target-url', async () => {
  await withDir(async (dir) => {
    const result = await mergeTwoShards(dir)
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /merged 2 shards: 240 requests/)
    assert.match(result.stdout, /^verdict: /)
  })
})

test('the CLI writes result.json again with its render and publish stages, which the log also times', async () => {
  await withDir(async (dir) => {
    const result = await mergeTwoShards(dir)
    assert.equal(result.code, 0, result.stderr)
    const record = parseRecord(await readFile(path.join(dir, 'merged', 'result.json'), 'utf8'), 'result.json')
    assert.deepEqual(
      record.timeline?.map((s) => s.stage),
      ['plan', 'baseline', 'analysis', 'comparison', 'render', 'publish'],
    )
    for (const stage of ['render', 'publish'])
      assert.match(result.stderr, new RegExp(`^perfgate: stage ${stage} took `, 'm'))
    assert.ok(record.outcome?.gate.verdict, 'the verdict is still in the record')
    assert.deepEqual(
      (await readdir(path.join(dir, 'merged'))).filter((f) => f.endsWith('.tmp')),
      [],
    )
  })
})
