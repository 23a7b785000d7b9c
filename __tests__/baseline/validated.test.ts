// A baseline is validated when it is loaded: a deep-broken one is one line naming the file and the
// field, found before the load starts, and the run goes on without it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadPlan } from '../../src/plan/load.ts'
import { finishPipeline, runPipeline } from '../../src/pipeline.ts'
import { parseRecord } from '../../src/record/io.ts'
import { RECORDS } from '../report/fixtures.ts'

const RUN_DIR = path.join(RECORDS, 'testbed-run')

/** A copy of the testbed baseline whose endpoint list has a null in it. */
async function brokenBaseline(dir: string): Promise<string> {
  const data = JSON.parse(await readFile(path.join(RECORDS, 'testbed-baseline', 'result.json'), 'utf8'))
  data.load.endpoints[0] = null
  const file = path.join(dir, 'baseline.json')
  await writeFile(file, JSON.stringify(data))
  return file
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-validated-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const expectedNote = (file: string) =>
  `skipped a corrupt baseline: ${file} is not a valid perfgate record: load.endpoints[0]: wrong type (null, want object)`

test('a deep-broken baseline is reported in one line before the load starts', async () => {
  await withDir(async (dir) => {
    const baseline = await brokenBaseline(dir)
    const outputDir = path.join(dir, 'out')
    const plan = await loadPlan(
      {
        'target-url': 'http://127.0.0.1:9/',
        baseline: 'path',
        'baseline-path': baseline,
        'output-dir': outputDir,
      },
      { cwd: dir, env: {} },
    )
    const lines: string[] = []
    const stop = new Error('stopped at the baseline line')
    await assert.rejects(
      runPipeline(plan, {
        env: {},
        log: (line) => {
          lines.push(line)
          // Stop the run here: nothing of the load may have happened yet.
          if (line.startsWith('baseline:')) throw stop
        },
      }),
      stop,
    )
    // The stage timeline's own line (issue 18) is the only other one: the baseline stage ending.
    assert.deepEqual(
      lines.filter((l) => !l.startsWith('perfgate: stage baseline took')),
      [`baseline: ${expectedNote(baseline)}`],
    )
    await assert.rejects(stat(outputDir), { code: 'ENOENT' })
  })
})

test('the run goes on without a deep-broken baseline and records why', async () => {
  await withDir(async (dir) => {
    const baseline = await brokenBaseline(dir)
    const outputDir = path.join(dir, 'out')
    await cp(RUN_DIR, outputDir, { recursive: true })
    const record = parseRecord(await readFile(path.join(outputDir, 'result.json'), 'utf8'), 'result.json')
    const plan = await loadPlan(
      {
        'target-url': 'http://127.0.0.1:9/',
        baseline: 'path',
        'baseline-path': baseline,
        'output-dir': outputDir,
      },
      { cwd: dir, env: {} },
    )
    const lines: string[] = []
    const outcome = await finishPipeline(
      record,
      { ...plan, slos: record.plan.slos },
      {
        env: {},
        log: (line) => lines.push(line),
      },
    )
    assert.equal(outcome.comparison.baselineFound, false)
    assert.ok(outcome.comparison.notes.includes(expectedNote(baseline)))
    assert.equal(lines.filter((line) => line.includes('corrupt baseline')).length, 1)
    const written = parseRecord(await readFile(outcome.resultPath, 'utf8'), outcome.resultPath)
    assert.deepEqual(written.outcome?.gate, outcome.gate)
    assert.equal(written.outcome?.comparison.baselineFound, false)
  })
})
