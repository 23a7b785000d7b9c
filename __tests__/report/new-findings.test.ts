// Findings new since the baseline: matched by kind and location (else endpoint and the title
// without its figures), marked "(new)" in the comment and the job summary and "new since the
// baseline" in the report, with one sentence counting them; nothing is marked without a baseline.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { findingKey, findingsSince } from '../../src/report/new-findings.ts'
import { buildReportModel, renderComment, renderMarkdown, renderSummary } from '../../src/report/index.ts'
import type { Finding } from '../../src/record/findings.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { inputFor, loadRecord } from './fixtures.ts'

const finding = (over: Partial<Finding>): Finding => ({
  kind: 'contention',
  title: 'Lock contention in castVote (89.75s waiting)',
  detail: 'mutex profile: castVote waits in sync.(*Mutex).Lock',
  tier: 1,
  effort: 'low',
  fix: 'hold the lock only around the map update',
  ...over,
})

test('a finding keeps its key when its measured figures move, and changes it when its place does', () => {
  const a = finding({ location: 'internal/app/faults.go:245' })
  assert.equal(findingKey(a), findingKey({ ...a, title: 'Lock contention in castVote (12.5s waiting)' }))
  assert.notEqual(findingKey(a), findingKey({ ...a, location: 'internal/app/faults.go:300' }))
  assert.notEqual(findingKey(a), findingKey({ ...a, kind: 'cpu-hotspot' }))
  // Without a location: the endpoint and the title with its numbers left out.
  const area = finding({ kind: 'bottleneck-area', title: 'Syscalls and network: 40.0% of CPU' })
  assert.equal(findingKey(area), findingKey({ ...area, title: 'Syscalls and network: 28.8% of CPU' }))
  assert.notEqual(findingKey(area), findingKey({ ...area, title: 'GC and allocation: 28.8% of CPU' }))
  assert.notEqual(findingKey(area), findingKey({ ...area, endpoint: 'feed' }))
})

test('findingsSince names the new findings and counts the baseline findings that are gone', () => {
  const kept = finding({ location: 'a.go:1' })
  const fresh = finding({ kind: 'n-plus-one', location: 'b.go:2' })
  const gone = finding({ kind: 'slow-query', location: 'c.go:3' })
  const since = findingsSince(
    [kept, fresh],
    [{ ...kept, title: 'Lock contention in castVote (1s waiting)' }, gone],
  )
  assert.ok(since)
  assert.deepEqual([...since.newOnes], [fresh])
  assert.equal(since.gone, 1)
  assert.equal(findingsSince([kept], undefined), undefined, 'a baseline without findings says nothing')
})

const record = loadRecord('handwritten-run.json')
const baseline = loadRecord('handwritten-baseline.json')

/** The handwritten pair, the baseline keeping all of the run's findings but `drop` (by title). */
function pairWithout(drop: string): { run: RunRecord; base: RunRecord } {
  const findings = record.findings ?? []
  assert.ok(
    findings.some((f) => f.title === drop),
    `${drop} is one of the run's findings`,
  )
  return { run: record, base: { ...baseline, findings: findings.filter((f) => f.title !== drop) } }
}

test('the comment, the job summary and the report mark the one finding the baseline did not have', () => {
  const top = [...(record.findings ?? [])].sort(
    (a, b) => a.tier - b.tier || (b.impact ?? 0) - (a.impact ?? 0),
  )[0]!
  const { run, base } = pairWithout(top.title)
  // The comparison ignores findings: the cached one of the pair is the same (and takes seconds).
  const model = buildReportModel({ ...inputFor(run, baseline), baseline: base })
  const total = run.findings!.length
  const sentence = `New since the baseline: 1 of ${total} findings (matched by kind and location)`

  const comment = renderComment(model)
  const marked = comment.split('\n').filter((l) => l.startsWith('- **P') && l.includes('(new)'))
  assert.equal(marked.length, 1, comment)
  assert.ok(marked[0]!.startsWith(`- **P${top.tier}** (new) `), marked[0])
  assert.ok(comment.includes(`_${sentence}._`), comment)

  const summary = renderSummary(model)
  assert.equal(summary.split('\n').filter((l) => l.includes('(new)')).length, 1)

  const report = renderMarkdown(model)
  assert.equal((report.match(/\(new since the baseline\)/g) ?? []).length, 1)
  assert.ok(report.includes(sentence), 'the recommendations say how many are new')
})

test('nothing is marked new without a baseline, nor when the baseline had every finding', () => {
  for (const input of [
    inputFor(record),
    { ...inputFor(record, baseline), baseline: { ...baseline, findings: record.findings! } },
  ]) {
    const model = buildReportModel(input)
    const comment = renderComment(model)
    assert.doesNotMatch(comment, /\(new\)/)
    assert.doesNotMatch(renderMarkdown(model), /new since the baseline\)/)
    if (input.baseline) assert.match(comment, /New since the baseline: 0 of \d+ findings/)
    else assert.doesNotMatch(comment, /New since the baseline/)
  }
})
