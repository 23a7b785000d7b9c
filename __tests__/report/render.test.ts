import { test } from 'node:test'
import {
  buildReportModel,
  renderComment,
  renderMarkdown,
  renderSummary,
  commentMarker,
} from '../../src/report/index.ts'
import { inputFor, loadProfiles, loadRecord } from './fixtures.ts'
import { assertGolden } from './golden.ts'
import assert from 'node:assert/strict'

const record = loadRecord('testbed-run.json')
const baseline = loadRecord('testbed-baseline.json')
const profiles = loadProfiles()

test('the comment and report of the testbed run without a baseline match their golden files', () => {
  const model = buildReportModel(inputFor(record, undefined, { profiles }))
  assertGolden('comment-no-baseline.md', renderComment(model))
  assertGolden('report-no-baseline.md', renderMarkdown(model))
})

test('the comment and report of the testbed run against its baseline match their golden files', () => {
  const model = buildReportModel(inputFor(record, baseline, { profiles }))
  assertGolden('comment-baseline.md', renderComment(model))
  assertGolden('report-baseline.md', renderMarkdown(model))
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
