import { test } from 'node:test'
import {
  buildReportModel,
  renderComment,
  renderMarkdown,
  renderSummary,
  commentMarker,
} from '../../src/report/index.ts'
import { inputFor, loadProfiles, loadRecord, loadRun } from './fixtures.ts'
import { assertGolden } from './golden.ts'
import assert from 'node:assert/strict'

const record = loadRecord('handwritten-run.json')
const baseline = loadRecord('handwritten-baseline.json')
const profiles = loadProfiles()

const real = await loadRun('testbed-run')
const realBaseline = await loadRun('testbed-baseline')

test('the comment and report of a real testbed run without a baseline match their golden files', () => {
  const model = buildReportModel(inputFor(real.record, undefined, real))
  assertGolden('comment-no-baseline.md', renderComment(model))
  assertGolden('report-no-baseline.md', renderMarkdown(model))
})

test('the comment and report of a real testbed run against a real baseline match their golden files', () => {
  const model = buildReportModel(inputFor(real.record, realBaseline.record, real))
  assertGolden('comment-baseline.md', renderComment(model))
  assertGolden('report-baseline.md', renderMarkdown(model))
})

test('the comment and report of the handwritten record with every finding kind match their golden files', () => {
  const model = buildReportModel(inputFor(record, baseline, { profiles }))
  assertGolden('handwritten-comment-baseline.md', renderComment(model))
  assertGolden('handwritten-report-baseline.md', renderMarkdown(model))
})

test('the real run fills the profiling, query plan and system sections from its files', () => {
  const md = renderMarkdown(buildReportModel(inputFor(real.record, undefined, real)))
  assert.match(md, /\*\*Top CPU Consumers\*\*[^\n]*\n\n```\n(File: |Type: cpu)/)
  assert.match(md, /\*\*GOMAXPROCS:\*\* \d+/)
  assert.match(md, /\*\*Shared buffers:\*\* \d+\s?[kMG]?B/)
  assert.match(md, /\*\*Connection pool:\*\* \d+ \(max\\_conns from app stats\)/)
  assert.match(md, /```json\n\[\n {2}\{\n {4}"Plan": \{/)
})

test('the comment starts with the hidden marker the sticky-comment code looks for', () => {
  const model = buildReportModel(inputFor(record, baseline, { profiles }))
  const comment = renderComment(model)
  assert.ok(comment.startsWith(`${commentMarker('perfgate')}\n`))
  assert.equal(commentMarker('api --> x'), '<!-- perfgate:report-name=api - x -->')
})

test('the verdict line says fail with the regressions when the gate failed on a regression', () => {
  const model = buildReportModel(inputFor(record, baseline, { profiles }))
  assert.equal(model.verdict.outcome, 'fail')
  assert.match(renderComment(model), /❌ perfgate: fail: \d+\/\d+ SLOs met, 3 regressions/)
})

test('without a baseline the tables have no baseline columns and the verdict names the first run', () => {
  const model = buildReportModel(inputFor(record, undefined, { profiles }))
  const comment = renderComment(model)
  assert.doesNotMatch(comment, /Baseline p95/)
  assert.match(comment, /no baseline yet/)
})

test('the summary includes every section expanded and no collapsed details', () => {
  const model = buildReportModel(inputFor(record, baseline, { profiles }))
  const summary = renderSummary(model)
  assert.doesNotMatch(summary, /<details>/)
  for (const s of model.sections) assert.ok(summary.includes(`## ${s.title}`), s.title)
})

test('the chart plots p95 per endpoint with a target line and the baseline as second bars', () => {
  const model = buildReportModel(inputFor(record, baseline, { profiles }))
  const comment = renderComment(model).split('### Full report')[0]!
  assert.match(comment, /```mermaid\nxychart-beta\n/)
  assert.equal((comment.match(/^ {4}bar \[/gm) ?? []).length, 2)
  assert.match(comment, /^ {4}line \[100, 50, 75, 100, 50, 100, 50, 0\]$/m)
})
