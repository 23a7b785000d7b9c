// "What changed" since the baseline's profiles, in the comment (the top movers, one line each with
// where and by how much, under the stated threshold) and in the report (every row, or the one line
// saying why there are no baseline profiles; never that line in the comment).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildReportModel, renderComment, renderMarkdown } from '../../src/report/index.ts'
import type { AnalysisData, ProfileDiff } from '../../src/record/analysis.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { inputFor, loadRecord } from './fixtures.ts'

const record = loadRecord('handwritten-run.json')
const baseline = loadRecord('handwritten-baseline.json')

function withDiff(diff: AnalysisData['diff']): RunRecord {
  return { ...record, analysis: { ...record.analysis!, diff } }
}

const render = (r: RunRecord) => {
  const model = buildReportModel(inputFor(r, baseline))
  return { comment: renderComment(model), report: renderMarkdown(model) }
}

const cpu: ProfileDiff = {
  kind: 'cpu',
  sampleType: 'cpu',
  minDeltaPct: 0.5,
  rows: [
    { name: 'runtime.futex', basePct: 9, currentPct: 1, deltaPct: -8 },
    {
      name: 'github.com/clipper/api/internal/feed.rankClips',
      basePct: 3.1,
      currentPct: 12.4,
      deltaPct: 9.3,
      location: 'internal/feed/rank.go:88',
      application: true,
    },
    {
      name: 'github.com/clipper/api/internal/feed.(*Store).load',
      basePct: 6,
      currentPct: 4,
      deltaPct: -2,
      location: 'internal/feed/store.go:41',
      application: true,
    },
  ],
}

test('the comment lists the application functions that moved most, with location, change and threshold', () => {
  const { comment } = render(
    withDiff([cpu, { kind: 'allocs', sampleType: 'alloc_space', minDeltaPct: 0.5, rows: [] }]),
  )
  const block = /\*\*What changed\*\*[^\n]*\n\n((?:- [^\n]*\n)+)/.exec(comment)
  assert.ok(block, comment)
  assert.match(block[0], /the application functions whose share moved most/)
  assert.match(block[0], /moved by more than 0\.5 points/)
  assert.deepEqual(block[1]!.trimEnd().split('\n'), [
    '- `github.com/clipper/api/internal/feed.rankClips` (`internal/feed/rank.go:88`): CPU 3.1% → 12.4% (+9.3 points)',
    '- `github.com/clipper/api/internal/feed.(*Store).load` (`internal/feed/store.go:41`): CPU 6.0% → 4.0% (−2.0 points)',
    '- allocated bytes: no function moved past the threshold',
    '- … and 1 more function in the [full report](https://github.com/clipper/api/actions/runs/123456789/artifacts/987654)',
  ])
})

test('without application functions the comment lists the largest moves of any function', () => {
  const runtimeOnly: ProfileDiff = { ...cpu, rows: cpu.rows.map((r) => ({ ...r, application: false })) }
  const { comment } = render(withDiff([runtimeOnly]))
  assert.match(comment, /\*\*What changed\*\* in the profiles: the functions whose share moved most/)
  // Largest move first: rankClips +9.3, then futex −8.0, then load −2.0.
  const lines = comment.split('\n').filter((l) => /^- `.*points\)$/.test(l))
  assert.deepEqual(
    lines.map((l) => /^- `([^`]+)`/.exec(l)![1]),
    [
      'github.com/clipper/api/internal/feed.rankClips',
      'runtime.futex',
      'github.com/clipper/api/internal/feed.(*Store).load',
    ],
  )
  assert.match(lines[1]!, /^- `runtime\.futex`: CPU 9\.0% → 1\.0% \(−8\.0 points\)$/)
})

test('the report lists every row of the diff under the threshold it used', () => {
  const { report } = render(withDiff([cpu]))
  const section = report.slice(report.indexOf('### What Changed Since the Baseline'))
  assert.match(section, /moved by more than 0\.5 points/)
  for (const name of ['runtime.futex', 'feed.rankClips', 'feed.(*Store).load'])
    assert.ok(section.includes(name), `${name} is in the report`)
  assert.match(
    section,
    /\| CPU +\| `github\.com\/clipper\/api\/internal\/feed\.rankClips` +\| `internal\/feed\/rank\.go:88` +\| — +\| +3\.1% \| +12\.4% \| \+9\.3 points \|/,
  )
})

/** The handwritten run with clip_detail's p95 a regression row. */
function withRegressionOn(r: RunRecord, endpoint: string) {
  const input = inputFor(r, baseline)
  const rows = input.comparison!.rows.map((row) =>
    row.endpoint === endpoint && row.metric === 'p95Ms'
      ? { ...row, verdict: 'regression' as const, message: `${endpoint} p95 10 ms → 60 ms (+500%)` }
      : row,
  )
  return buildReportModel({ ...input, comparison: { ...input.comparison!, rows } })
}

test("the comment lists the movers on a regressed endpoint's code paths first, naming the endpoint", () => {
  const onPaths: ProfileDiff = {
    ...cpu,
    rows: [
      { ...cpu.rows[1]!, endpoints: ['feed'] },
      { ...cpu.rows[2]!, endpoints: ['clip_detail', 'feed'] },
    ],
  }
  const model = withRegressionOn(withDiff([onPaths]), 'clip_detail')
  const comment = renderComment(model)
  assert.match(
    comment,
    /\*\*What changed\*\* in the profiles: the application functions whose share moved most, those on the code paths of the regressed clip\\_detail first \(/,
  )
  const lines = comment.split('\n').filter((l) => /^- `.*points\)$/.test(l))
  assert.deepEqual(lines, [
    '- `github.com/clipper/api/internal/feed.(*Store).load` (`internal/feed/store.go:41`) on clip\\_detail, feed: CPU 6.0% → 4.0% (−2.0 points)',
    '- `github.com/clipper/api/internal/feed.rankClips` (`internal/feed/rank.go:88`) on feed: CPU 3.1% → 12.4% (+9.3 points)',
  ])
  // Without a regression, the largest move comes first and nothing is said of code paths.
  const plain = renderComment(buildReportModel(inputFor(withDiff([onPaths]), baseline)))
  assert.doesNotMatch(plain, /code paths of the regressed/)
  assert.match(plain, /^- `github\.com\/clipper\/api\/internal\/feed\.rankClips`/m)
})

test('contention moves are listed with their own profile, after CPU and allocations', () => {
  const mutex: ProfileDiff = {
    kind: 'mutex',
    sampleType: 'delay',
    minDeltaPct: 0.5,
    rows: [
      {
        name: 'github.com/clipper/api/internal/vote.(*Store).cast',
        basePct: 10,
        currentPct: 70,
        deltaPct: 60,
        location: 'internal/vote/store.go:12',
        application: true,
        endpoints: ['vote'],
      },
    ],
  }
  const { comment, report } = render(withDiff([mutex, cpu]))
  const lines = comment.split('\n').filter((l) => /^- `.*points\)$/.test(l))
  assert.equal(
    lines[lines.length - 1],
    '- `github.com/clipper/api/internal/vote.(*Store).cast` (`internal/vote/store.go:12`) on vote: mutex delay 10.0% → 70.0% (+60.0 points)',
  )
  assert.match(comment, /its share of CPU or mutex delay moved by more than 0\.5 points/)
  assert.match(
    report,
    /\| mutex +\| `github\.com\/clipper\/api\/internal\/vote\.\(\*Store\)\.cast` +\| `internal\/vote\/store\.go:12` +\| vote +\|/,
  )
})

test('without baseline profiles the report says why once and the comment says nothing', () => {
  const reason = 'no baseline profiles: the baseline run took no profiles (pprof-url is not set)'
  const { comment, report } = render(withDiff({ unavailable: reason }))
  assert.doesNotMatch(comment, /What changed|baseline profiles/)
  assert.equal(report.split('baseline run took no profiles').length - 1, 1, 'said exactly once')
  assert.match(
    report,
    /### What Changed Since the Baseline\n\n_no baseline profiles: the baseline run took no profiles \(pprof-url is not set\)_/,
  )
})
