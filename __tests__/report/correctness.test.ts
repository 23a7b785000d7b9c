import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { MetricComparison } from '../../src/record/compare.ts'
import { buildReportModel, renderHtml, renderMarkdown } from '../../src/report/index.ts'
import { noiseSentence } from '../../src/report/noise.ts'
import { reportReasons } from '../../src/report/verdict.ts'
import { noFindingsLine } from '../../src/report/blocks.ts'
import { findingSources } from '../../src/report/overview.ts'
import { pairedOpenLine } from '../../src/report/paired.ts'
import { deltaCell } from '../../src/report/format.ts'
import { renderComment } from '../../src/report/index.ts'
import { inputFor, loadProfiles, loadRecord, loadRun } from './fixtures.ts'

const real = await loadRun('testbed-run')
const realBaseline = await loadRun('testbed-baseline')

test('task-list boxes appear only under the success criteria', () => {
  const md = renderMarkdown(buildReportModel(inputFor(real.record, realBaseline.record, real)))
  const criteria = md.indexOf('## 7. Success Criteria')
  const next = md.indexOf('\n## ', criteria + 1)
  assert.ok(criteria > 0 && next > criteria)
  const outside = md.slice(0, criteria) + md.slice(next)
  const box = /^\s*- \[[ x]\] .*$/m.exec(outside)
  assert.equal(box, null, `a box outside the success criteria: ${box?.[0]}`)
  assert.match(md.slice(criteria, next), /^- \[x\] /m)
  assert.match(md, /^- Potential leaks: (NO|YES) - /m)
})

test('the implementation plan numbers its phases 1, 2, 3 in order even when a phase is empty', () => {
  const record = loadRecord('handwritten-run.json')
  // Without cache and dependency findings, the plan has no caching phase.
  record.findings = record.findings.filter((f) => f.kind !== 'cache' && f.kind !== 'external-dependency')
  const md = renderMarkdown(buildReportModel(inputFor(record, undefined, { profiles: loadProfiles() })))
  const phases = [...md.matchAll(/^### Phase (\d+): (.*)$/gm)].map((m) => Number(m[1]))
  assert.ok(phases.length >= 3, `phases: ${phases.join(', ')}`)
  assert.deepEqual(
    phases,
    phases.map((_, i) => i + 1),
  )
  assert.doesNotMatch(md, /Phase \d+: Caching optimizations/)
})

test('server-side percentiles are marked as estimates and never exceed what k6 measured for the route', () => {
  const md = renderMarkdown(buildReportModel(inputFor(real.record, undefined, real)))
  assert.match(md, /\| p50 \(est\.\) \| p95 \(est\.\) \| p99 \(est\.\) \|/)
  const row = /^\| `GET \/api\/v1\/search` .*$/m.exec(md)?.[0] ?? ''
  assert.match(row, /≤ 286 ms/, row)
  assert.doesNotMatch(row, /448 ms/)
})

test('the HTML chart caption names the baseline only when there is one', () => {
  const first = renderHtml(buildReportModel(inputFor(real.record, undefined, real)))
  const against = renderHtml(buildReportModel(inputFor(real.record, realBaseline.record, real)))
  assert.doesNotMatch(first, /<figcaption>[^<]*baseline/)
  assert.match(against, /<figcaption>p95 per endpoint: dark bars are this run, light bars the baseline/)
})

function row(verdict: MetricComparison['verdict'], windows: number, note: string): MetricComparison {
  return {
    id: 'x',
    scope: 'endpoint',
    metric: 'p95Ms',
    unit: 'ms',
    verdict,
    evidence: { test: 'window-permutation', windowsBaseline: windows, windowsCurrent: windows, note },
    tolerance: { relative: 0.1, worse: 'higher' },
    message: '',
  }
}

test('inconclusive rows are summarised in one sentence with their cause', () => {
  assert.equal(noiseSentence([row('unchanged', 10, '')]), undefined)
  assert.equal(
    noiseSentence([row('inconclusive', 10, 'noise'), row('inconclusive', 10, 'noise')]),
    '2 metrics moved beyond tolerance but cannot be told from noise (inconclusive, not gating): the run is too short: 10 windows per side (30 or more can tell)',
  )
  const mixed = noiseSentence([row('inconclusive', 6, 'noise'), row('inconclusive', 60, 'noise')])!
  assert.match(
    mixed,
    /1 because the run is too short: 6 windows per side.*; 1 because the change is within window-to-window noise \(60 windows per side\)/,
  )
})

test('paired inconclusive rows are not said to have moved: their interval still spans the tolerance', () => {
  const paired = (): MetricComparison => {
    const r = row('inconclusive', 88, 'paired')
    return { ...r, evidence: { ...r.evidence, test: 'paired-sign-flip' } }
  }
  assert.equal(
    noiseSentence([paired(), paired()]),
    '2 paired metrics inconclusive (not gating): each one’s interval still spans its tolerance, so the run cannot tell yet whether it moved past it',
  )
  // beside sequential ones, each kind keeps its own words
  const both = noiseSentence([paired(), row('inconclusive', 60, 'noise')])!
  assert.match(
    both,
    /^1 metric moved beyond tolerance but cannot be told from noise .*; 1 paired metric inconclusive \(not gating\): its interval/,
  )
})

test('the gate’s two inconclusive lines (paired and other rows) become one sentence, once', () => {
  const pairedRow = { ...row('inconclusive', 88, 'paired') }
  pairedRow.evidence = { ...pairedRow.evidence, test: 'paired-sign-flip' }
  const rows = [pairedRow, row('inconclusive', 60, 'noise')]
  const reasons = reportReasons({
    comparison: { rows },
    gate: {
      reasons: [
        '1 metric changed beyond tolerance without clear evidence (inconclusive)',
        '1 paired metric inconclusive: the interval still holds the tolerance',
      ],
    },
  } as never)
  assert.deepEqual(reasons, [noiseSentence(rows)])
})

test('a paired row below its tolerance reads “no regression”, not “unchanged”: its interval may hold a large drop', () => {
  assert.match(
    deltaCell(-0.187, 'unchanged', [-0.386, 0.076]),
    /^−18\.7% \[−38\.6%, \+7\.6%\] no regression$/,
  )
  assert.match(deltaCell(0.098, 'inconclusive', [-0.015, 0.224]), /❔ inconclusive$/)
  // a sequential row's "unchanged" is a change within ±tolerance, and keeps its word
  assert.match(deltaCell(0.01, 'unchanged'), /^\+1\.0% unchanged$/)
})

test('a paired run’s open rows get their own line, never cut off by the design line’s clip', () => {
  const open =
    'inconclusive (clip_detail p95, related_clips p95, search p95, 5 more): the slowest, clip_detail p95 at +9.8 % ±11.9 %, is 0.2 points from its 10 % tolerance, so its interval would clear it only after over two days more of paired load'
  const line = pairedOpenLine({ notes: ['paired run: …', open] } as never)!
  assert.equal(line, `I${open.slice(1)}.`)
  const model = buildReportModel(inputFor(real.record, realBaseline.record, real))
  const design = `Paired run, simultaneous design: ${'both deployments loaded at once on VU pools of the same size, '.repeat(8)}`
  const comment = renderComment({ ...model, paired: { line: design, open: line } })
  assert.ok(comment.includes(`_${line.replace(/_/g, '\\_')}_`), comment)
  assert.match(comment, /_Paired run, simultaneous design: .*…_/)
})

test('“no findings” names what was looked at: k6 alone says no collector was given', () => {
  const record = structuredClone(real.record)
  assert.deepEqual(findingSources(record), [
    "k6's numbers",
    'PostgreSQL',
    'Redis',
    'Prometheus metrics',
    'pprof profiles',
    'app stats',
  ])
  for (const part of ['postgres', 'redis', 'prometheus', 'profiles', 'appStats'] as const)
    (record as unknown as Record<string, unknown>)[part] = { unavailable: `${part} not set` }
  assert.deepEqual(findingSources(record), ["k6's numbers"])
  const model = buildReportModel(inputFor(real.record, undefined, real))
  const comment = renderComment({ ...model, topFindings: [], findingSources: findingSources(record) })
  assert.match(
    comment,
    /\*\*Top findings\*\*: none, nothing stood out in k6's numbers \(no database, Redis, metrics or pprof URL was given, so nothing else was looked at\)\./,
  )
  assert.equal(
    noFindingsLine({ overall: {} as never, findingSources: ["k6's numbers", 'PostgreSQL', 'Redis'] }),
    "**Top findings**: none, nothing stood out in k6's numbers, PostgreSQL and Redis.",
  )
})

test('k6’s thresholds are printed once and the cache prefixes without a TTL are not listed again', () => {
  const md = renderMarkdown(buildReportModel(inputFor(real.record, undefined, real)))
  assert.equal((md.match(/█ THRESHOLDS/g) ?? []).length, 1)
  assert.match(md, /k6’s own end-of-test summary \(thresholds, checks, every metric\) is in Appendix A\./)
  const caching = md.slice(md.indexOf('### 4.2 Caching Issues'), md.indexOf('### 4.3'))
  assert.match(caching, /^\| `views:\*` +\| +678 \| +678 \|/m)
  assert.doesNotMatch(caching, /TTL optimization needed/)
})
