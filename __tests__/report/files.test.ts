import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { profileDecodeCount } from '../../src/pprof/decode.ts'
import { isUnavailable } from '../../src/record/common.ts'
import { loadRunFiles, runFileProblems } from '../../src/record/files.ts'
import { buildReportModel, renderReports, reportFiles, writeReports } from '../../src/report/index.ts'
import { inputFor, loadRun, RECORDS } from './fixtures.ts'

test('renderReports returns the four renderings and the appendix data, and writeReports writes exactly those into the output folder', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-report-'))
  try {
    const run = await loadRun('testbed-run')
    const rendered = renderReports(buildReportModel(inputFor(run.record, undefined, run)))
    assert.match(rendered.comment, /^<!-- perfgate:report-name=perfgate -->/)
    assert.match(rendered.html, /^<!doctype html>/)
    assert.match(rendered.reportMd, /^# Performance Profiling Report - perfgate\n/)
    const paths = await writeReports(path.join(dir, 'out'), rendered)
    const { dataFiles, ...reports } = paths
    assert.deepEqual(
      Object.values(reports).map((p) => path.basename(p)),
      ['report.md', 'report.html', 'comment.md', 'summary.md'],
    )
    // The appendix's raw data is in files beside report.md, which names them and shows an excerpt.
    assert.deepEqual(
      dataFiles.map((p) => path.basename(p)),
      ['appendix-app-stats.json', 'appendix-postgres.json', 'appendix-redis.json'],
    )
    for (const [i, file] of dataFiles.entries()) {
      assert.equal(readFileSync(file, 'utf8'), rendered.dataFiles[i]!.text)
      assert.ok(JSON.parse(rendered.dataFiles[i]!.text))
      assert.match(rendered.reportMd, new RegExp(`in full in \`${path.basename(file)}\` beside this report`))
    }
    assert.match(rendered.reportMd, /… \d+ more lines in appendix-postgres\.json/)
    assert.equal(readFileSync(paths.markdown, 'utf8'), rendered.reportMd)
    assert.equal(readFileSync(paths.html, 'utf8'), rendered.html)
    assert.equal(readFileSync(paths.comment, 'utf8'), rendered.comment)
    assert.equal(readFileSync(paths.summary, 'utf8'), rendered.summary)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('loadRunFiles decodes every profile and reads every plan once; the report takes the CPU profile and the plans', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-report-'))
  try {
    cpSync(path.join(RECORDS, 'testbed-run'), dir, { recursive: true })
    const { record } = await loadRun('testbed-run')
    const named = isUnavailable(record.profiles!) ? [] : record.profiles!.files.map((f) => f.kind)
    const before = profileDecodeCount()
    const full = await loadRunFiles(record, dir)
    assert.equal(profileDecodeCount() - before, named.length, 'one decode per profile file')
    assert.deepEqual(Object.keys(full.profiles).sort(), [...named].sort())
    assert.deepEqual(runFileProblems(full), [])
    const forReport = reportFiles(full)
    assert.deepEqual(Object.keys(forReport.profiles), ['cpu'])
    assert.ok(forReport.profiles.cpu!.samples.length > 0)
    assert.ok(Object.keys(forReport.explainPlans).length > 0)

    rmSync(path.join(dir, 'cpu.pb.gz'))
    writeFileSync(path.join(dir, 'heap.pb.gz'), '<html>login</html>')
    const explain = Object.values(full.explains)[0]!
    writeFileSync(path.join(dir, explain.file), '{ not json')
    const files = await loadRunFiles(record, dir)
    assert.equal(reportFiles(files).profiles.cpu, undefined)
    const problems = runFileProblems(files)
    assert.equal(problems.length, 3)
    assert.match(problems[0]!, /^cpu\.pb\.gz: cannot read the file \(ENOENT/)
    assert.match(problems[1]!, /^heap\.pb\.gz: parsing profile: not a pprof protobuf profile/)
    assert.match(problems[2]!, new RegExp(`^${explain.file}: .*JSON`))
    // A plan that is not JSON is still shown as written.
    assert.equal(reportFiles(files).explainPlans[Object.keys(full.explains)[0]!], '{ not json')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
