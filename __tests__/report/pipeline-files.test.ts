// The pipeline after the measurement (finishPipeline, then the report) reads the raw files beside
// result.json once: each profile file is decoded once per run, for the analysis and the report.
import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { finishPipeline, writeReportFiles } from '../../src/pipeline.ts'
import { profileDecodeCount } from '../../src/pprof/decode.ts'
import { isUnavailable } from '../../src/record/common.ts'
import { parseRecord } from '../../src/record/io.ts'
import { testPlan } from '../run/support/plan.ts'
import { RECORDS } from './fixtures.ts'

test('a pipeline run decodes each profile file once, and the report draws the flame graph from it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-pipeline-'))
  try {
    cpSync(path.join(RECORDS, 'testbed-run'), dir, { recursive: true })
    const record = parseRecord(readFileSync(path.join(dir, 'result.json'), 'utf8'), 'result.json')
    const profiles = record.profiles!
    assert.ok(!isUnavailable(profiles) && profiles.files.length > 1, 'the fixture has several profiles')
    const plan = testPlan(record.meta.targetUrl ?? 'http://127.0.0.1:1', { outputDir: dir })
    const lines: string[] = []
    const before = profileDecodeCount()
    const outcome = await finishPipeline(record, plan, { env: {}, log: (line) => lines.push(line) })
    const reports = await writeReportFiles(outcome, plan, {}, (line) => lines.push(line))
    assert.equal(profileDecodeCount() - before, profiles.files.length)
    assert.ok(outcome.record.analysis, 'the analysis ran on the decoded profiles')
    assert.match(readFileSync(reports.paths.html, 'utf8'), /CPU profile, callers above callees/)
    assert.deepEqual(
      lines.filter((line) => line.startsWith('report:')),
      [],
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
