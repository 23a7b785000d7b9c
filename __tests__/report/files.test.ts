import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { buildReportModel, readReportFiles, renderReports, writeReports } from '../../src/report/index.ts'
import { inputFor, loadRun, RECORDS } from './fixtures.ts'

test('renderReports returns the four renderings as strings and writeReports writes exactly those into the output folder', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-report-'))
  try {
    const run = await loadRun('testbed-run')
    const rendered = renderReports(buildReportModel(inputFor(run.record, undefined, run)))
    assert.match(rendered.comment, /^<!-- perfgate:report-name=perfgate -->/)
    assert.match(rendered.html, /^<!doctype html>/)
    assert.match(rendered.reportMd, /^# Performance Profiling Report - perfgate\n/)
    const paths = await writeReports(path.join(dir, 'out'), rendered)
    assert.deepEqual(
      Object.values(paths).map((p) => path.basename(p)),
      ['report.md', 'report.html', 'comment.md', 'summary.md'],
    )
    assert.equal(readFileSync(paths.markdown, 'utf8'), rendered.reportMd)
    assert.equal(readFileSync(paths.html, 'utf8'), rendered.html)
    assert.equal(readFileSync(paths.comment, 'utf8'), rendered.comment)
    assert.equal(readFileSync(paths.summary, 'utf8'), rendered.summary)
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
