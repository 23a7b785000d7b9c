import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { PostgresData, RunRecord } from '../../src/record/index.ts'
import type { EndpointLoad } from '../../src/record/load.ts'
import {
  buildReportModel,
  COMMENT_LIMIT,
  renderComment,
  renderMarkdown,
  renderSummary,
  SUMMARY_LIMIT,
} from '../../src/report/index.ts'
import { inputFor, loadProfiles, loadRecord } from './fixtures.ts'

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

test('the comment of a very large record stays under 65,536 characters and says what was trimmed', () => {
  const record = hugeRecord()
  for (const baseline of [undefined, loadRecord('handwritten-baseline.json')]) {
    const model = buildReportModel(inputFor(record, baseline, { profiles: loadProfiles() }))
    assert.ok(
      renderMarkdown(model).length > COMMENT_LIMIT * 4,
      'the full report is much larger than a comment',
    )
    const comment = renderComment(model)
    assert.ok(comment.length <= COMMENT_LIMIT, `comment is ${comment.length} characters`)
    assert.match(
      comment,
      /✂️ \*\*Trimmed\*\* to stay under GitHub's 65,536-character comment limit: .*(shortened|left out)/,
    )
    assert.match(
      comment,
      /full report is in the \[artifacts\]\(https:\/\/github\.com\/clipper\/api\/actions\/runs\/123456789\/artifacts\/987654\)/,
    )
    assert.match(comment, /more endpoints in the full report/)
    // Whatever was trimmed, every <details> is closed.
    assert.equal((comment.match(/<details>/g) ?? []).length, (comment.match(/<\/details>/g) ?? []).length)
  }
})

test('a tight limit drops whole collapsed sections and keeps the verdict and the links', () => {
  const model = buildReportModel(inputFor(hugeRecord(), undefined, { profiles: loadProfiles() }))
  const comment = renderComment(model, 20_000)
  assert.ok(comment.length <= 20_000, `comment is ${comment.length} characters`)
  assert.match(comment, /left out .*Appendix/)
  assert.match(comment, /^\*\*❌ perfgate: fail/m)
  assert.match(comment, /\[workflow run\]\(https:/)
})

test('the comment of a normal run is not trimmed', () => {
  const model = buildReportModel(
    inputFor(loadRecord('handwritten-run.json'), undefined, { profiles: loadProfiles() }),
  )
  assert.doesNotMatch(renderComment(model), /Trimmed/)
})

test('the summary of a very large record stays under 1 MiB', () => {
  const model = buildReportModel(inputFor(hugeRecord(), undefined, { profiles: loadProfiles() }))
  const summary = renderSummary(model)
  assert.ok(Buffer.byteLength(summary) <= SUMMARY_LIMIT)
  const small = renderSummary(model, 100_000)
  assert.ok(Buffer.byteLength(small) <= 100_000)
  assert.match(small, /Trimmed\*\* to stay under GitHub's 1 MiB job summary limit/)
})
