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

test('readReportFiles decodes only the CPU profile (for the flame graph), reads the plans, and reports missing files', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-report-'))
  try {
    cpSync(path.join(RECORDS, 'testbed-run'), dir, { recursive: true })
    const { record } = await loadRun('testbed-run')
    const full = await readReportFiles(dir, record)
    assert.deepEqual(Object.keys(full.profiles), ['cpu'])
    assert.ok(full.profiles.cpu!.samples.length > 0)
    assert.ok(Object.keys(full.explainPlans).length > 0)
    rmSync(path.join(dir, 'cpu.pb.gz'))
    rmSync(path.join(dir, 'heap.pb.gz'))
    const files = await readReportFiles(dir, record)
    assert.equal(files.profiles.cpu, undefined)
    assert.equal(files.problems.length, 1)
    assert.match(files.problems[0]!, /^cpu\.pb\.gz: ENOENT/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
