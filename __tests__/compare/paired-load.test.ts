// The paired comparison of a side-by-side run, on synthetic sides: seeded lognormal windows in real
// HDR histograms (helpers.ts), so every percentile and p-value is computed, not written down.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { judgePaired, pairedWindowValues, MIN_WINDOW_REQUESTS } from '../../src/compare/paired-load.ts'
import { DEFAULT_TOLERANCES } from '../../src/plan/defaults.ts'
import { judgeRecord } from '../../src/pipeline.ts'
import { loadPlan } from '../../src/plan/load.ts'
import type { LoadPart, PairedSide, RunRecord } from '../../src/record/index.ts'
import { parseRecord } from '../../src/record/io.ts'
import { buildReportModel, renderComment, renderMarkdown, renderSummary } from '../../src/report/index.ts'
import { ENDPOINTS, endpointsWith, syntheticRecord, type EndpointGen } from './helpers.ts'

const WINDOWS = 20

function side(seed: number, endpoints: EndpointGen[]): LoadPart {
  return syntheticRecord({ seed, endpoints, windows: WINDOWS, windowS: 2 }).load as LoadPart
}

function baseSide(load: LoadPart): PairedSide {
  return {
    url: 'http://base:1',
    durationS: load.durationS,
    vusMax: 10,
    overall: load.overall,
    endpoints: load.endpoints,
  }
}

function pairedRecord(current: LoadPart, base: LoadPart): RunRecord {
  const record = syntheticRecord({ seed: 1, endpoints: ENDPOINTS })
  record.load = current
  record.paired = judgePaired({
    design: 'simultaneous',
    current,
    base: baseSide(base),
    currentUrl: 'http://pr:2',
    tolerances: DEFAULT_TOLERANCES,
  })
  return record
}

test('windows pair by start time, and only where both sides had enough requests', () => {
  const a = side(1, ENDPOINTS).endpoints[0]!
  const b = side(2, ENDPOINTS).endpoints[0]!
  b.windows[3] = { ...b.windows[3]!, count: MIN_WINDOW_REQUESTS - 1 }
  b.windows = b.windows.filter((_, i) => i !== 7)
  const values = pairedWindowValues(a, b, 'p95Ms')
  assert.equal(values.base.length, WINDOWS - 2)
  assert.equal(values.current.length, WINDOWS - 2)
  assert.equal(values.base[3], a.windows[4]!.p95Ms)
  assert.equal(values.current[3], b.windows[4]!.p95Ms)
})

test('paired A/A: every endpoint’s p50 and p95 judged, Holm over all rows, no regression', () => {
  const paired = pairedRecord(side(2, ENDPOINTS), side(3, ENDPOINTS)).paired!
  assert.deepEqual(
    paired.rows.map((r) => r.id),
    ENDPOINTS.flatMap((e) => [`${e.name}.p50Ms`, `${e.name}.p95Ms`]),
  )
  for (const row of paired.rows) {
    assert.equal(row.pairs, WINDOWS)
    assert.ok(row.pAdjusted >= row.p, `${row.id}: Holm never lowers p`)
    assert.ok(row.interval[0] < row.relativeChange && row.relativeChange < row.interval[1], row.id)
    assert.notEqual(row.verdict, 'regression', `${row.id} ${row.relativeChange} p=${row.pAdjusted}`)
  }
})

test('a paired A/A with open rows names them as a reader does, and the slowest with its own width and minutes', async () => {
  const record = pairedRecord(side(2, ENDPOINTS), side(3, ENDPOINTS))
  const paired = record.paired!
  const open = paired.rows.filter((r) => r.verdict === 'inconclusive')
  assert.ok(open.length > 0, 'a 40-s synthetic run leaves some row open')
  const slowest = open.reduce((a, b) => ((b.morePairs ?? Infinity) > (a.morePairs ?? Infinity) ? b : a))
  const label = `${slowest.endpoint} ${slowest.metric === 'p50Ms' ? 'p50' : 'p95'}`
  const half = ((slowest.interval[1] - slowest.interval[0]) / 2) * 100
  const sentence = paired.inconclusive ?? ''
  assert.ok(sentence.startsWith('inconclusive ('), sentence)
  assert.ok(sentence.includes(`${label} at ±${half.toFixed(1)} %`), sentence)
  assert.doesNotMatch(sentence, /\.p(50|95)Ms/)
  // the gate's line does not say the open rows moved
  const plan = await loadPlan(
    {
      'target-url': 'http://pr:2',
      'baseline-url': 'http://base:1',
      baseline: 'none',
      'output-dir': tmpdir(),
    },
    { cwd: tmpdir(), env: {} },
  )
  const { gate } = judgeRecord(record, plan, { history: [], source: 'path', notes: [] })
  const n = paired.rows.filter((r) => r.verdict === 'inconclusive').length
  assert.ok(
    gate.reasons.includes(
      `${n} paired metric${n === 1 ? '' : 's'} inconclusive: the interval still holds the tolerance`,
    ),
    gate.reasons.join('; '),
  )
  assert.ok(!gate.reasons.some((r) => /changed beyond tolerance/.test(r)), gate.reasons.join('; '))
})

test('paired A/B: +40 % on one endpoint is a regression of that endpoint only, and the gate fails on it', async () => {
  const current = side(2, endpointsWith({ search: { scale: 1.4 } }))
  const record = pairedRecord(current, side(3, ENDPOINTS))
  const regressed = record.paired!.rows.filter((r) => r.verdict === 'regression').map((r) => r.id)
  assert.deepEqual(regressed, ['search.p50Ms', 'search.p95Ms'])
  const search = record.paired!.rows.find((r) => r.id === 'search.p95Ms')!
  assert.ok(search.interval[0] > 0.1, `interval ${search.interval} clears the +10 % tolerance`)

  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-paired-'))
  const plan = await loadPlan({ 'target-url': 'http://pr:2', 'fail-on': 'regression' }, { cwd: dir, env: {} })
  // a stored baseline is ignored: the paired rows decide
  const outcome = judgeRecord(record, plan, { history: [], source: 'path', notes: [], baseline: record })
  assert.equal(outcome.gate.failed, true)
  assert.deepEqual(
    outcome.comparison.rows.filter((r) => r.verdict === 'regression').map((r) => r.id),
    regressed,
  )
  assert.equal(outcome.comparison.rows[0]!.evidence.test, 'paired-sign-flip')
  assert.match(
    outcome.comparison.notes.join('\n'),
    /paired run: http:\/\/base:1 \(base\) and http:\/\/pr:2 \(PR\)/,
  )
  assert.ok(
    outcome.gate.reasons.some((r) => /^regression: search p95 \+\d+/.test(r)),
    outcome.gate.reasons.join('; '),
  )

  // judging again applies the judging plan's tolerances, not the ones the run was measured with
  const lenient = { ...plan, gate: { ...plan.gate, tolerances: { ...plan.gate.tolerances, p50: 5, p95: 5 } } }
  const again = judgeRecord(record, lenient, { history: [], source: 'none', notes: [] })
  assert.deepEqual(
    again.comparison.rows.filter((r) => r.verdict === 'regression'),
    [],
  )
  assert.equal(again.gate.failed, false)

  // the record keeps the paired part through result.json, open intervals included
  record.paired!.rows[0] = { ...record.paired!.rows[0]!, interval: [-Infinity, Infinity] }
  const read = parseRecord(JSON.stringify(record), 'result.json')
  assert.deepEqual(read.paired!.rows.slice(1), record.paired!.rows.slice(1))
  assert.deepEqual(read.paired!.rows[0]!.interval, [-Infinity, Infinity])
  assert.equal(read.paired!.base.endpoints.length, ENDPOINTS.length)
})

test('the comment and report.md of a paired run name the design and show each gated row’s interval', async () => {
  const record = pairedRecord(side(2, endpointsWith({ search: { scale: 1.4 } })), side(3, ENDPOINTS))
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-paired-'))
  const plan = await loadPlan({ 'target-url': 'http://pr:2' }, { cwd: dir, env: {} })
  const outcome = judgeRecord(record, plan, { history: [], source: 'none', notes: [] })
  const model = buildReportModel({ record, ...outcome, reportName: 'perfgate' })
  const comment = renderComment(model)
  assert.match(comment, /baseline `http:\/\/base:1 \(paired, same run\)`/)
  assert.match(comment, /Paired run, simultaneous design/)
  // each side has its own pool of the plan's VUs: the header does not read as the total
  assert.match(comment, new RegExp(`\\(${record.plan.vus} VUs a side, `))
  const search = record.paired!.rows.find((r) => r.id === 'search.p95Ms')!
  const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`
  // p95: the table's Δ cell carries the interval; p50: the line under the table
  assert.ok(
    comment.includes(
      `${pct(search.relativeChange)} \\[${pct(search.interval[0])}, ${pct(search.interval[1])}\\]`,
    ),
    comment,
  )
  assert.match(comment, /^p50: feed [+−][\d.]+% \\\[/m)
  assert.match(renderSummary(model), /Paired run, simultaneous design/)
  const markdown = renderMarkdown(model)
  for (const row of record.paired!.rows) assert.ok(markdown.includes(row.pAdjusted.toFixed(3)), row.id)
  assert.match(markdown, /\| Endpoint +\| Metric \| Pairs \|/)
})
