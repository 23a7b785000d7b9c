import { test } from 'node:test'
import {
  buildReportModel,
  renderComment,
  renderMarkdown,
  renderSummary,
  commentMarker,
  type ReportModel,
} from '../../src/report/index.ts'
import { heading, inline } from '../../src/report/markdown.ts'
import { footerLines, headerLines, renderSection } from '../../src/report/render-markdown.ts'
import { inputFor, loadProfiles, loadRecord, loadRun, withProfileDiff } from './fixtures.ts'
import { assertGolden } from './golden.ts'
import assert from 'node:assert/strict'

const record = loadRecord('handwritten-run.json')
const baseline = loadRecord('handwritten-baseline.json')
const profiles = loadProfiles()

const real = await loadRun('testbed-run')
const realBaseline = await loadRun('testbed-baseline')

// Each model is built once for the whole file: the tests below only render it.
const handwritten = buildReportModel(inputFor(record, baseline, { profiles }))
const handwrittenFirstRun = buildReportModel(inputFor(record, undefined, { profiles }))
const realFirstRun = buildReportModel(inputFor(real.record, undefined, real))
// Against the baseline, the profile diff is computed from both folders' profiles as the pipeline does.
const realDiffed = await withProfileDiff('testbed-run', 'testbed-baseline')
const realAgainstBaseline = buildReportModel(
  inputFor(realDiffed, realBaseline.record, { ...real, record: realDiffed }),
)

/**
 * The golden cases: a real testbed run without and with a real baseline, and the handwritten
 * record with every finding kind. Each has a full comment and report golden, and one small golden
 * per section (sections/<case>/) so a wording change shows in the section it belongs to.
 */
const CASES: { name: string; what: string; model: ReportModel; comment: string; report: string }[] = [
  {
    name: 'testbed-no-baseline',
    what: 'a real testbed run without a baseline',
    model: realFirstRun,
    comment: 'comment-no-baseline.md',
    report: 'report-no-baseline.md',
  },
  {
    name: 'testbed-baseline',
    what: 'a real testbed run against a real baseline',
    model: realAgainstBaseline,
    comment: 'comment-baseline.md',
    report: 'report-baseline.md',
  },
  {
    name: 'handwritten-baseline',
    what: 'the handwritten record with every finding kind',
    model: handwritten,
    comment: 'handwritten-comment-baseline.md',
    report: 'handwritten-report-baseline.md',
  },
]

/** The report's frame around its sections: title, header lines, verdict and footer. */
function frame(model: ReportModel): string {
  const title = heading(1, inline(model.title))
  const verdict = `**Verdict**: ${inline(model.verdict.line)}`
  return [title, headerLines(model), verdict, footerLines(model)].join('\n\n')
}

function sectionGolden(caseName: string, index: number, id: string): string {
  return `sections/${caseName}/${String(index + 1).padStart(2, '0')}-${id}.md`
}

for (const c of CASES) {
  test(`the comment and report of ${c.what} match their golden files`, () => {
    assertGolden(c.comment, renderComment(c.model))
    assertGolden(c.report, renderMarkdown(c.model))
  })

  test(`each section of the report of ${c.what} matches its own golden file`, () => {
    assertGolden(`sections/${c.name}/00-frame.md`, frame(c.model) + '\n')
    c.model.sections.forEach((s, i) => {
      assertGolden(sectionGolden(c.name, i, s.id), renderSection(s, 2) + '\n')
    })
  })

  test(`the report of ${c.what} is its frame and its section goldens, in the template's order`, () => {
    const md = renderMarkdown(c.model)
    const [title, header, verdict] = frame(c.model).split('\n\n')
    assert.ok(md.startsWith(`${title}\n\n${header}`) && md.includes(`\n\n${verdict}\n\n---\n\n`))
    let at = 0
    for (const s of c.model.sections) {
      const found = md.indexOf(`\n\n${renderSection(s, 2)}\n\n---\n\n`, at)
      assert.ok(found >= at, `section ${s.id} is not rendered whole after the previous one`)
      at = found + 1
    }
    assert.ok(md.endsWith(`---\n\n${footerLines(c.model)}\n`))
  })
}

test('the real run fills the profiling, query plan and system sections from its files', () => {
  const md = renderMarkdown(realFirstRun)
  assert.match(md, /\*\*Top CPU Consumers\*\*[^\n]*\n\n```\n(File: |Type: cpu)/)
  assert.match(md, /\*\*GOMAXPROCS:\*\* \d+/)
  assert.match(md, /\*\*Shared buffers:\*\* \d+\s?[kMG]?B/)
  assert.match(md, /\*\*Connection pool:\*\* \d+ \(max\\_conns from app stats\)/)
  assert.match(md, /```json\n\[\n {2}\{\n {4}"Plan": \{/)
})

test('the comment starts with the hidden marker the sticky-comment code looks for', () => {
  const comment = renderComment(handwritten)
  assert.ok(comment.startsWith(`${commentMarker('perfgate')}\n`))
  assert.equal(commentMarker('api --> x'), '<!-- perfgate:report-name=api - x -->')
})

test('the verdict line says fail with the regressions when the gate failed on a regression', () => {
  assert.equal(handwritten.verdict.outcome, 'fail')
  assert.match(renderComment(handwritten), /❌ perfgate: fail: \d+\/\d+ SLOs met, 3 regressions/)
})

test('without a baseline the tables have no baseline columns and the verdict names the first run', () => {
  const comment = renderComment(handwrittenFirstRun)
  assert.doesNotMatch(comment, /Baseline p95/)
  assert.match(comment, /no baseline yet/)
})

test('the summary includes every section expanded and no collapsed details', () => {
  const summary = renderSummary(handwritten)
  assert.doesNotMatch(summary, /<details>/)
  for (const s of handwritten.sections) assert.ok(summary.includes(`## ${s.title}`), s.title)
})

test('the summary chart plots p95 per endpoint with the baseline as second bars and no target line dropping to 0', () => {
  const summary = renderSummary(handwritten).split('## Executive Summary')[0]!
  assert.match(summary, /```mermaid\nxychart-beta\n/)
  assert.equal((summary.match(/^ {4}bar \[/gm) ?? []).length, 2)
  // tag_browse has no p95 target, and mermaid cannot leave a gap in a line.
  assert.doesNotMatch(summary, /^ {4}line \[/m)
  assert.match(summary, /no target line, as 1 of 8 endpoints have no p95 target/)
})

test('the comment carries no chart and no collapsed copy of the report', () => {
  const comment = renderComment(handwritten)
  assert.doesNotMatch(comment, /```mermaid|<details>|### Full report/)
})
