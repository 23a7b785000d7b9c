// RunRecord schema 2: deep validation on load (one line naming the file and the field), the
// upgrade of schema 1 records, and the outcome written into the record.
import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseRecord, RecordError } from '../../src/record/io.ts'
import { SCHEMA_VERSION, type RunRecord } from '../../src/record/index.ts'
import { judgeRecord, rejudgeRecord } from '../../src/pipeline.ts'
import { loadPlan } from '../../src/plan/load.ts'
import type { Plan } from '../../src/plan/types.ts'
import { buildReportModel, renderMarkdown, renderComment } from '../../src/report/index.ts'
import { RECORDS, loadRun } from '../report/fixtures.ts'

const runFile = path.join(RECORDS, 'testbed-run', 'result.json')
const baselineFile = path.join(RECORDS, 'testbed-baseline', 'result.json')
const rawRun = () => JSON.parse(readFileSync(runFile, 'utf8')) as Record<string, unknown>

function problemOf(data: unknown, source = 'bad/result.json'): string {
  try {
    parseRecord(JSON.stringify(data), source)
  } catch (error) {
    assert.ok(error instanceof RecordError, `a RecordError, not ${String(error)}`)
    return error.message
  }
  assert.fail('the record was accepted')
}

async function planFor(record: RunRecord): Promise<Plan> {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-record-'))
  try {
    const plan = await loadPlan(
      { 'target-url': 'http://127.0.0.1/', baseline: 'none', 'output-dir': dir },
      { cwd: dir, env: {} },
    )
    return { ...plan, slos: record.plan.slos }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe('loading a record', () => {
  test('every schema 1 fixture loads, upgraded to the current schema without an outcome', () => {
    for (const file of [
      runFile,
      baselineFile,
      path.join(RECORDS, 'handwritten-run.json'),
      path.join(RECORDS, 'handwritten-baseline.json'),
    ]) {
      const text = readFileSync(file, 'utf8')
      assert.equal((JSON.parse(text) as { schema: number }).schema, 1)
      const record = parseRecord(text, file)
      assert.equal(record.schema, SCHEMA_VERSION)
      assert.equal(record.outcome, undefined)
    }
  })

  test('response samples are optional: a record with them keeps them, a malformed one is named by its path', () => {
    const sample = {
      endpoint: 'vote',
      status: 429,
      body: 'slow down',
      truncated: false,
      headers: { 'retry-after': '30' },
      source: 'load',
    }
    const record = rawRun()
    const load = record.load as Record<string, unknown>
    load.responseSamples = [sample]
    load.responseSamplesSkipped = [{ endpoint: 'feed', reason: 'stopped' }]
    const loaded = parseRecord(JSON.stringify(record), 'run.json')
    assert.deepEqual((loaded.load as { responseSamples?: unknown }).responseSamples, [sample])
    load.responseSamples = [{ ...sample, source: 'somewhere' }]
    assert.equal(
      problemOf(record),
      'bad/result.json is not a valid perfgate record: load.responseSamples[0].source: "somewhere" is not allowed (want "load", "after-load")',
    )
    load.responseSamples = [{ ...sample, status: '429' }]
    assert.match(problemOf(record), /load\.responseSamples\[0\]\.status: wrong type \(string, want number\)/)
  })

  test('a schema written as a string is a wrong type, not missing', () => {
    assert.equal(
      problemOf({ ...rawRun(), schema: '1' }),
      'bad/result.json is not a perfgate record: schema: wrong type (string, want number)',
    )
  })

  test('a missing field is named with its path and called missing', () => {
    const record = rawRun()
    delete (record.meta as Record<string, unknown>).targetUrl
    assert.equal(
      problemOf(record),
      'bad/result.json is not a valid perfgate record: meta.targetUrl: missing (want string)',
    )
  })

  test('a broken endpoint list is one line naming the file and the element, not a TypeError', () => {
    const record = rawRun()
    const load = record.load as { endpoints: unknown[] }
    load.endpoints[1] = null
    const message = problemOf(record, 'baseline.json')
    assert.equal(
      message,
      'baseline.json is not a valid perfgate record: load.endpoints[1]: wrong type (null, want object)',
    )
  })

  test('a nested wrong type deep in a collector part names the whole path', () => {
    const record = rawRun()
    const postgres = record.postgres as { statements: { calls: unknown }[] }
    postgres.statements[0]!.calls = '12'
    assert.match(problemOf(record), /: postgres\.statements\[0\]\.calls: wrong type \(string, want number\)$/)
  })

  test('a value outside an enum says which values are allowed', () => {
    const record = rawRun()
    ;(record.findings as unknown[]).push({
      kind: 'hunch',
      title: 't',
      detail: 'd',
      tier: 1,
      effort: 'low',
      fix: 'f',
    })
    assert.match(problemOf(record), /: findings\[\d+\]\.kind: "hunch" is not allowed \(want "slow-query", /)
  })

  test('a part that is unavailable needs only its reason', () => {
    const record = parseRecord(
      JSON.stringify({ ...rawRun(), postgres: { unavailable: 'no database-url' } }),
      'x.json',
    )
    assert.deepEqual(record.postgres, { unavailable: 'no database-url' })
  })

  test('a record of a newer schema asks for a newer perfgate', () => {
    assert.match(
      problemOf({ ...rawRun(), schema: SCHEMA_VERSION + 1 }),
      /newer than this perfgate .*update perfgate/,
    )
  })

  test('a schema 1 record that carries an outcome loses it (schema 1 never had one)', async () => {
    const record = parseRecord(readFileSync(runFile, 'utf8'), runFile)
    const plan = await planFor(record)
    const outcome = judgeRecord(record, plan, { history: [], source: 'none', notes: [] })
    const loaded = parseRecord(JSON.stringify({ ...rawRun(), outcome }), 'x.json')
    assert.equal(loaded.outcome, undefined)
  })
})

describe('the outcome in the record', () => {
  test('a schema 2 record judged again against the same (schema 1) baseline gives the same verdict', async () => {
    const baseline = parseRecord(readFileSync(baselineFile, 'utf8'), baselineFile)
    const record = parseRecord(readFileSync(runFile, 'utf8'), runFile)
    const plan = await planFor(record)
    const found = { baseline, history: [baseline], source: 'file testbed-baseline/result.json', notes: [] }
    record.outcome = judgeRecord(record, plan, found)
    assert.equal(record.outcome.comparison.baselineFound, true)
    assert.ok(record.outcome.comparison.rows.length > 0)
    assert.equal(record.outcome.baselineSource, 'file testbed-baseline/result.json')

    const reloaded = parseRecord(JSON.stringify(record, null, 2), 'judged.json')
    assert.equal(reloaded.schema, 2)
    const again = judgeRecord(reloaded, plan, found)
    assert.deepEqual(again, reloaded.outcome)
    assert.deepEqual(
      rejudgeRecord(reloaded, plan, { history: [], source: 'none', notes: [] }),
      reloaded.outcome,
    )
  })

  test('a malformed outcome is refused like any other part of the record', () => {
    const message = problemOf({
      ...rawRun(),
      schema: 2,
      outcome: { slos: [], comparison: { rows: 'none' }, gate: { verdict: 'maybe' } },
    })
    assert.match(message, /: outcome\.comparison\.baselineFound: missing \(want boolean\) \(and \d+ more\)$/)
  })
})

test('a report renders the same from a schema 1 fixture and from its schema 2 upgrade', async () => {
  const run = await loadRun('testbed-run')
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-upgrade-'))
  try {
    const upgradedFile = path.join(dir, 'result.json')
    await writeFile(upgradedFile, JSON.stringify(run.record, null, 2))
    const upgraded = parseRecord(readFileSync(upgradedFile, 'utf8'), upgradedFile)
    assert.equal((JSON.parse(readFileSync(runFile, 'utf8')) as { schema: number }).schema, 1)
    assert.equal(upgraded.schema, 2)
    const plan = await planFor(run.record)
    const render = (record: RunRecord) => {
      const outcome = judgeRecord(record, plan, { history: [], source: 'none', notes: [] })
      const model = buildReportModel({ ...run, record, ...outcome, reportName: 'perfgate' })
      return { markdown: renderMarkdown(model), comment: renderComment(model) }
    }
    const fromSchema1 = render(run.record)
    assert.ok(fromSchema1.markdown.length > 10_000)
    assert.deepEqual(render(upgraded), fromSchema1)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
