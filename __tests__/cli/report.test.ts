// `perfgate report`: rebuilds every output from a record and the raw files beside it, into a new
// folder, never writing the input's folder.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseRecord } from '../../src/record/io.ts'
import { RECORDS } from '../report/fixtures.ts'
import { fingerprint, perfgate } from './helpers.ts'

const OUTPUTS = ['report.md', 'report.html', 'comment.md', 'summary.md', 'result.json']

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-cli-report-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test('perfgate report writes every output to --out and leaves its input folder byte-identical', async () => {
  await withDir(async (dir) => {
    const input = path.join(dir, 'run')
    await cp(path.join(RECORDS, 'testbed-run'), input, { recursive: true })
    const before = await fingerprint(input)
    const result = await perfgate(['report', 'run/result.json', '--out', 'rebuilt'], dir)
    // The testbed run breaks its SLOs: the rebuilt gate fails, as the run's did.
    assert.equal(result.code, 1, result.stderr)
    assert.match(result.stdout, /^verdict: fail \(SLO failed: /)
    assert.deepEqual(await fingerprint(input), before)
    for (const file of OUTPUTS) assert.ok((await stat(path.join(dir, 'rebuilt', file))).size > 0, file)
    // The raw files the report reads were copied beside the new record.
    assert.ok((await stat(path.join(dir, 'rebuilt', 'cpu.pb.gz'))).size > 0)
    const record = parseRecord(await readFile(path.join(dir, 'rebuilt', 'result.json'), 'utf8'), 'rebuilt')
    assert.equal(record.schema, 2)
    assert.equal(record.outcome?.gate.verdict, 'fail')
    assert.match(result.stderr, /raw file\(s\) the record names are not beside it \(k6-script\.js, /)
  })
})

test('perfgate report on a copied output folder reproduces report.md byte for byte', async () => {
  await withDir(async (dir) => {
    await cp(path.join(RECORDS, 'testbed-run'), path.join(dir, 'run'), { recursive: true })
    const first = await perfgate(['report', 'run/result.json', '--out', 'first'], dir)
    assert.equal(first.code, 1, first.stderr)
    await cp(path.join(dir, 'first'), path.join(dir, 'copy'), { recursive: true })
    const again = await perfgate(['report', 'copy/result.json', '--out', 'again'], dir)
    assert.equal(again.code, 1, again.stderr)
    const [a, b] = await Promise.all([
      fingerprint(path.join(dir, 'first')),
      fingerprint(path.join(dir, 'again')),
    ])
    assert.deepEqual(b, a)
    assert.ok(a['report.md'])
  })
})

test('perfgate report without --out writes to a new folder each time, never the input folder', async () => {
  await withDir(async (dir) => {
    // The record sits in the working folder itself: the default must still be elsewhere.
    await cp(path.join(RECORDS, 'testbed-run'), dir, { recursive: true })
    const before = await fingerprint(dir)
    const first = await perfgate(['report', 'result.json'], dir)
    assert.equal(first.code, 1, first.stderr)
    assert.match(first.stdout, /^report: perfgate-rebuilt\/report\.md$/m)
    const second = await perfgate(['report', 'result.json'], dir)
    assert.match(second.stdout, /^report: perfgate-rebuilt-2\/report\.md$/m)
    const after = await fingerprint(dir)
    const untouched = Object.fromEntries(
      Object.entries(after).filter(([file]) => !file.startsWith('perfgate-rebuilt')),
    )
    assert.deepEqual(untouched, before)
  })
})

test('perfgate report refuses --out naming the folder of its input, in one line', async () => {
  await withDir(async (dir) => {
    await cp(path.join(RECORDS, 'testbed-run'), path.join(dir, 'run'), { recursive: true })
    const before = await fingerprint(path.join(dir, 'run'))
    const result = await perfgate(['report', 'run/result.json', '--out', './run/'], dir)
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr.trim(),
      'perfgate: --out ./run/ is the folder of run/result.json: perfgate report never writes over its input; name another folder',
    )
    assert.deepEqual(await fingerprint(path.join(dir, 'run')), before)
  })
})

test('perfgate report of a deep-broken record is one line naming the file and the field', async () => {
  await withDir(async (dir) => {
    const data = JSON.parse(await readFile(path.join(RECORDS, 'testbed-run', 'result.json'), 'utf8'))
    data.load.overall.duration = 'fast'
    await writeFile(path.join(dir, 'result.json'), JSON.stringify(data))
    const result = await perfgate(['report', 'result.json'], dir)
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr.trim(),
      'perfgate: result.json is not a valid perfgate record: load.overall.duration: wrong type (string, want object)',
    )
  })
})
