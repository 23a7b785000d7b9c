import assert from 'node:assert/strict'
import { test } from 'node:test'
import { analyzeRecord, EMPTY_INPUTS } from '../../src/analyze/index.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { buildReportModel, renderComment, renderMarkdown } from '../../src/report/index.ts'
import { inputFor, loadProfiles, loadRecord } from './fixtures.ts'

const PLACEHOLDERS: RegExp[] = [
  /\bTBD\b/,
  /\[X\]/,
  /\[PASTE/i,
  /\[DESCRIPTION/i,
  /\[FULL /,
  /\[(DATE|NAME|COMMIT_SHA|COUNT|SIZE|VALUE|POLICY|MAX_CONNS|RATIO|SQL|QUERY|RESOURCE|PERCENTAGE|REQ\/S)\]/,
  /\[(FILE:LINE|LOW\/MEDIUM\/HIGH|YES\/NO|HIGH\/LOW|EAGER LOADING \/ BATCH QUERY)\]/,
  /\[OBSERVATION/,
  /\[Optimization Name\]/,
  /\bQuestion [12]\b/,
  /\bAction [12]\b/,
  /\bFunction [123]\b/,
  /Pattern \d\*\*: \[/,
  /\[[A-Z][A-Z0-9_ /:.-]{2,}\]/,
]

function assertNoPlaceholders(text: string): void {
  for (const p of PLACEHOLDERS) {
    const m = p.exec(text)
    assert.equal(
      m,
      null,
      `placeholder ${p} found: …${m ? text.slice(Math.max(0, m.index - 60), m.index + 60) : ''}…`,
    )
  }
}

/** Every heading has content before the next heading of the same or a higher level. */
function assertNoEmptySections(text: string): void {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  lines.forEach((line, i) => {
    const h = /^(#{1,6}) /.exec(line)
    if (!h) return
    const next = lines[i + 1]
    const nh = next ? /^(#{1,6}) /.exec(next) : null
    const empty = next === undefined || next === '---' || (nh !== null && nh[1]!.length <= h[1]!.length)
    assert.ok(!empty, `section "${line}" is empty`)
  })
}

const NOT_SET = {
  prometheus: { unavailable: 'metrics-url not set' },
  postgres: { unavailable: 'database-url not set' },
  redis: { unavailable: 'redis-url not set' },
  appStats: { unavailable: 'app-stats-urls not set' },
  profiles: { unavailable: 'pprof-url not set' },
}

/** The record with its analysis re-run, as `perfgate report` does after a change to the parts. */
function reanalyzed(record: RunRecord): RunRecord {
  const { findings, analysis } = analyzeRecord(record, EMPTY_INPUTS)
  return { ...record, findings, analysis }
}

function collectorsUnavailable(): RunRecord {
  return reanalyzed({ ...loadRecord('handwritten-run.json'), ...NOT_SET })
}

function nothingCollected(): RunRecord {
  return reanalyzed({
    ...collectorsUnavailable(),
    load: { unavailable: 'k6 exited with code 107 before the first request' },
  })
}

test('the report of a full record has no template placeholder and no empty section', () => {
  const record = loadRecord('handwritten-run.json')
  for (const baseline of [undefined, loadRecord('handwritten-baseline.json')]) {
    const model = buildReportModel(inputFor(record, baseline, { profiles: loadProfiles() }))
    const md = renderMarkdown(model)
    assertNoPlaceholders(md)
    assertNoEmptySections(md)
    assertNoPlaceholders(renderComment(model))
  }
})

test('the report of a record whose collectors are all unavailable says why in each section', () => {
  const model = buildReportModel(inputFor(collectorsUnavailable()))
  const md = renderMarkdown(model)
  assertNoPlaceholders(md)
  assertNoEmptySections(md)
  for (const line of [
    '_Not collected: database-url not set._',
    '_Not collected: redis-url not set._',
    '_Not collected: metrics-url not set._',
    '_Not collected: pprof-url not set._',
  ])
    assert.ok(md.includes(line), line)
  // System configuration still names every item, each with why it is missing.
  assert.match(md, /\*\*Shared buffers:\*\* not collected/)
  assert.match(md, /\*\*GOMAXPROCS:\*\* not collected/)
  assert.match(md, /\*\*Connection pool:\*\* not collected \(app-stats-urls not set\)/)
})

test('the report of a run without load data says why and still fills every section', () => {
  const model = buildReportModel(inputFor(nothingCollected()))
  const md = renderMarkdown(model)
  assertNoPlaceholders(md)
  assertNoEmptySections(md)
  assert.ok(md.includes('_Not collected: k6 exited with code 107 before the first request._'))
  assert.ok(renderComment(model).includes('no load data'))
})

test('every leaf section of the model has at least one block', () => {
  for (const record of [collectorsUnavailable(), nothingCollected(), loadRecord('handwritten-run.json')]) {
    const model = buildReportModel(inputFor(record))
    const walk = (s: (typeof model.sections)[number]) => {
      if (s.children.length === 0) assert.ok(s.blocks.length > 0, `${s.id} is empty`)
      s.children.forEach(walk)
    }
    model.sections.forEach(walk)
  }
})

test('a record written before the analysis says so in one line per section and recomputes nothing', () => {
  const { analysis: _analysis, ...old } = loadRecord('handwritten-run.json')
  const model = buildReportModel(inputFor({ ...old, findings: [] }, undefined, { profiles: loadProfiles() }))
  const md = renderMarkdown(model)
  assertNoPlaceholders(md)
  assertNoEmptySections(md)
  const notes = md.match(/_Not analysed: this record has no analysis \(written by an older perfgate\)/g) ?? []
  // CPU, memory, goroutines, block; slow queries, N+1, indexes; cache, dependencies, application.
  assert.equal(notes.length, 10)
  assert.doesNotMatch(md, /Showing nodes accounting for/, 'no top table recomputed from the profiles')
  assert.ok(model.flame, 'the flame graph still comes from the decoded CPU profile')
})
