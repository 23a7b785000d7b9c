import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PostgresData, RunRecord } from '../../src/record/index.ts'
import type { EndpointLoad } from '../../src/record/load.ts'
import {
  buildReportModel,
  COMMENT_LIMIT,
  renderComment,
  renderSummary,
  SUMMARY_LIMIT,
} from '../../src/report/index.ts'
import { inputFor, loadProfiles, loadRecord, loadRun } from './fixtures.ts'

/** The testbed run blown up: 400 endpoints, 300 long statements, 200 findings, a long k6 summary. */
function hugeRecord(): RunRecord {
  const record = loadRecord('handwritten-run.json')
  const load = record.load as Exclude<RunRecord['load'], { unavailable: string }>
  const template = load.endpoints[0]!
  const endpoints: EndpointLoad[] = []
  for (let i = 0; i < 400; i++) endpoints.push({ ...template, name: `endpoint_${i}_${'x'.repeat(30)}` })
  load.endpoints = endpoints
  load.k6Summary = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'k6 '.repeat(20)}`).join('\n')
  record.plan.slos = {
    ...record.plan.slos,
    endpoints: endpoints.map((e, i) => ({
      endpoint: e.name,
      p95Ms: { text: '<50ms', value: i % 3 ? 500 : 50 },
    })),
  }
  const pg = record.postgres as PostgresData
  const base = pg.statements[0]!
  pg.statements = Array.from({ length: 300 }, (_, i) => ({
    ...base,
    queryid: String(i),
    query: `SELECT ${Array.from({ length: 200 }, (_, k) => `col_${k}`).join(', ')} FROM t${i} WHERE id = $1`,
    meanExecMs: 20 + i,
  }))
  const finding = record.findings[0]!
  record.findings = Array.from({ length: 200 }, (_, i) => ({
    ...finding,
    title: `finding ${i}`,
    detail: 'd'.repeat(400),
    tier: ((i % 4) + 1) as 1 | 2 | 3 | 4,
  }))
  return record
}

/** The handwritten record with `n` endpoints (a third failing their target) and `findings` findings. */
function recordWith(n: number, findings: number): RunRecord {
  const record = loadRecord('handwritten-run.json')
  const load = record.load as Exclude<RunRecord['load'], { unavailable: string }>
  const template = load.endpoints[0]!
  load.endpoints = Array.from({ length: n }, (_, i) => ({ ...template, name: `endpoint_${i}` }))
  record.plan.slos = {
    ...record.plan.slos,
    endpoints: load.endpoints.map((e, i) => ({
      endpoint: e.name,
      p95Ms: { text: i % 3 ? '<500ms' : '<50ms', value: i % 3 ? 500 : 50 },
    })),
  }
  const finding = record.findings[0]!
  record.findings = Array.from({ length: findings }, (_, i) => ({
    ...finding,
    title: `finding ${i}`,
    detail: `${'word '.repeat(80)}end`,
    tier: ((i % 4) + 1) as 1 | 2 | 3 | 4,
  }))
  return record
}

const LINKS_LINE =
  /perfgate [^\n]+ · \*\*Full report\*\*: \[job summary\]\(https:\/\/github\.com\/clipper\/api\/actions\/runs\/123456789\) · \[artifact with report\.md, report\.html and result\.json\]\(https:\/\/github\.com\/clipper\/api\/actions\/runs\/123456789\/artifacts\/987654\)\n$/

/** Complete: not shortened, every opened code span, bold and details closed, ends with the links. */
function assertComplete(comment: string): void {
  assert.doesNotMatch(comment, /Shortened|Trimmed|✂️/)
  assert.match(comment, LINKS_LINE)
  for (const line of comment.split('\n')) {
    const unescaped = line.replace(/\\./g, '')
    assert.equal((unescaped.match(/\*\*/g) ?? []).length % 2, 0, `unclosed bold: ${line.slice(0, 120)}`)
  }
  assert.doesNotMatch(comment, /<details>/)
}

test('the testbed comment with and without a baseline is at most 12 KB and not shortened', async () => {
  const real = await loadRun('testbed-run')
  const base = await loadRun('testbed-baseline')
  for (const baseline of [undefined, base.record]) {
    const comment = renderComment(buildReportModel(inputFor(real.record, baseline, real)))
    assert.ok(comment.length <= 12 * 1024, `comment is ${comment.length} characters`)
    assertComplete(comment)
    assert.match(comment, /\| `tag_browse` +\|/, 'every endpoint is in the table')
    if (baseline) assert.match(comment, /Baseline p95 \| Δ p95/)
  }
})

test('a record with 50 endpoints and 20 findings gives a complete comment with every failing endpoint', () => {
  const model = buildReportModel(inputFor(recordWith(50, 20), undefined, { profiles: loadProfiles() }))
  const comment = renderComment(model)
  assertComplete(comment)
  const failing = model.endpoints.filter((r) => r.status === 'fail')
  assert.ok(failing.length >= 17)
  for (const r of failing) assert.ok(comment.includes(`\`${r.name}\``), r.name)
  // no baseline: nothing is said to have changed or stayed the same
  assert.match(comment, /_50 endpoints: \d+ failing, \d+ passing; the table shows/)
  assert.equal((comment.match(/^- \*\*P\d\*\* /gm) ?? []).length, 5, 'at most 5 findings')
  // against a baseline, the rest are "with no clear p95 change", not "unchanged" (inconclusive rows are among them)
  const record = recordWith(50, 20)
  const against = renderComment(buildReportModel(inputFor(record, record, { profiles: loadProfiles() })))
  assert.match(
    against,
    /_50 endpoints: \d+ failing, \d+ changed against the baseline, \d+ passing with no clear p95 change;/,
  )
  for (const line of comment.split('\n').filter((l) => l.startsWith('- **P'))) {
    assert.ok(line.length < 400, `a finding is one short line: ${line.length}`)
    assert.match(line, /(end|word…)$/, 'a finding is cut at a word, not inside one')
  }
})

test('a record with 5,000 endpoints gives a comment under 65,536 characters that ends with the links', () => {
  for (const baseline of [undefined, loadRecord('handwritten-baseline.json')]) {
    const model = buildReportModel(inputFor(recordWith(5000, 200), baseline, { profiles: loadProfiles() }))
    const comment = renderComment(model)
    assert.ok(comment.length < COMMENT_LIMIT, `comment is ${comment.length} characters`)
    assertComplete(comment)
    assert.match(comment, /the table shows 25 of the [\d,]+ failing and changed ones/)
    assert.match(comment, /… and [\d,]+ more reasons \([\d,]+ SLO failed[^)]*\) in the \[full report\]/)
  }
})

test('a tight limit shortens the comment but keeps the verdict and ends with the links', () => {
  const model = buildReportModel(inputFor(recordWith(400, 200), undefined, { profiles: loadProfiles() }))
  const comment = renderComment(model, 3_000)
  assert.ok(comment.length <= 3_000, `comment is ${comment.length} characters`)
  assert.match(comment, /^\*\*❌ perfgate: fail/m)
  assert.match(comment, /_Shortened to fit this comment's size limit; everything is in the \[full report\]/)
  assert.match(comment, LINKS_LINE)
})

test('no comment holds an HTML-escaped backtick or a zero-width space', async () => {
  const real = await loadRun('testbed-run')
  const base = await loadRun('testbed-baseline')
  const comments = [
    renderComment(buildReportModel(inputFor(real.record, base.record, real))),
    renderComment(buildReportModel(inputFor(real.record, undefined, real))),
    renderComment(
      buildReportModel(
        inputFor(loadRecord('handwritten-run.json'), loadRecord('handwritten-baseline.json'), {
          profiles: loadProfiles(),
        }),
      ),
    ),
  ]
  for (const comment of comments) {
    assert.doesNotMatch(comment, /&#96;|&#x60;/i, 'an escaped backtick')
    assert.doesNotMatch(comment, /\u200b/, 'a zero-width space')
  }
  for (const comment of comments.slice(0, 2))
    assert.match(comment, /`SELECT [^`]+`/, 'a query in a finding is inline code')
})

test('the summary of a very large record stays under 1 MiB', () => {
  const model = buildReportModel(inputFor(hugeRecord(), undefined, { profiles: loadProfiles() }))
  const summary = renderSummary(model)
  assert.ok(Buffer.byteLength(summary) <= SUMMARY_LIMIT)
  const small = renderSummary(model, 100_000)
  assert.ok(Buffer.byteLength(small) <= 100_000)
  assert.match(small, /Trimmed\*\* to stay under GitHub's 1 MiB job summary limit/)
})
