import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { buildReportModel, readReportFiles, writeReports } from '../../src/report/index.ts'
import { inputFor, loadRun, RECORDS } from './fixtures.ts'

test('writeReports writes report.md, report.html, comment.md and summary.md into the output folder', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-report-'))
  try {
    const run = await loadRun('testbed-run')
    const paths = await writeReports(
      path.join(dir, 'out'),
      buildReportModel(inputFor(run.record, undefined, run)),
    )
    assert.deepEqual(
      Object.values(paths).map((p) => path.basename(p)),
      ['report.md', 'report.html', 'comment.md', 'summary.md'],
    )
    assert.match(readFileSync(paths.comment, 'utf8'), /^<!-- perfgate:report-name=perfgate -->/)
    assert.match(readFileSync(paths.html, 'utf8'), /^<!doctype html>/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('readReportFiles decodes the profiles and reads the plans the record names, and reports missing ones', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-report-'))
  try {
    cpSync(path.join(RECORDS, 'testbed-run'), dir, { recursive: true })
    rmSync(path.join(dir, 'heap.pb.gz'))
    const { record } = await loadRun('testbed-run')
    const files = await readReportFiles(dir, record)
    assert.ok(files.profiles.cpu && files.profiles.cpu.samples.length > 0)
    assert.equal(files.profiles.heap, undefined)
    assert.equal(files.problems.length, 1)
    assert.match(files.problems[0]!, /^heap\.pb\.gz: ENOENT/)
    assert.ok(Object.keys(files.explainPlans).length > 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
