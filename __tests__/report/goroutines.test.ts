// One goroutine count per moment: wherever the report mentions goroutine counts it gives the same
// set from one named source, the goroutine profiles (what the leak check judges) when there are
// any, else Prometheus' go_goroutines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildReportModel, renderMarkdown } from '../../src/report/index.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { inputFor, loadRecord, loadRun } from './fixtures.ts'

const report = (r: RunRecord, baseline?: RunRecord) => renderMarkdown(buildReportModel(inputFor(r, baseline)))

/** Every "<n> before the load, … after …" set of goroutine counts in `md`. */
const countSets = (md: string) => md.match(/\d+ before the load, [^\n]*?\(from [^)\n]*\)/g) ?? []

for (const [what, load] of [
  [
    'the handwritten record',
    async () => ({
      record: loadRecord('handwritten-run.json'),
      baseline: loadRecord('handwritten-baseline.json'),
    }),
  ],
  [
    'a real testbed run',
    async () => ({ record: (await loadRun('testbed-run')).record, baseline: undefined }),
  ],
] as const) {
  test(`${what}: the report gives one set of goroutine counts, from the goroutine profiles`, async () => {
    const { record, baseline } = await load()
    const g = record.analysis!.goroutines
    assert.ok(!('unavailable' in g))
    const md = report(record, baseline)
    const sets = countSets(md)
    assert.ok(sets.length >= 2, `mentioned in the metrics and the profiling sections: ${sets.join(' | ')}`)
    assert.equal(new Set(sets).size, 1, sets.join(' | '))
    assert.equal(
      sets[0],
      `${g.before} before the load, ${g.during} mid-load (one snapshot, not a peak), ${g.after} after the cool-down (from the pprof goroutine profiles, which the leak check judges)`,
    )
    // The Prometheus figures are not a second, different set.
    const rt = 'runtime' in record.prometheus ? record.prometheus.runtime : undefined
    if (rt?.goroutinesMax !== undefined && rt.goroutinesMax !== g.during)
      assert.ok(!md.includes(`${rt.goroutinesMax} max`), 'no Prometheus maximum beside the profile counts')
  })
}

test("without goroutine profiles the counts come from Prometheus' go_goroutines, the peak included", () => {
  const base = loadRecord('handwritten-run.json')
  const record = {
    ...base,
    analysis: { ...base.analysis!, goroutines: { unavailable: 'no goroutine profiles' } },
  }
  const rt = 'runtime' in base.prometheus ? base.prometheus.runtime : undefined
  assert.ok(rt?.goroutinesMax !== undefined)
  const sets = countSets(report(record))
  assert.ok(sets.length >= 1)
  assert.equal(new Set(sets).size, 1)
  assert.equal(
    sets[0],
    `${rt.before.goroutines} before the load, ${rt.goroutinesMax} peak (highest sample), ${rt.after.goroutines} right after the load (from Prometheus' go\\_goroutines)`,
  )
})

test('with goroutine totals sampled during the load the peak is the highest of them and the snapshot', () => {
  const base = loadRecord('handwritten-run.json')
  assert.ok(!('unavailable' in base.profiles) && !('unavailable' in base.analysis!.goroutines))
  const g = base.analysis!.goroutines
  const record = {
    ...base,
    profiles: { ...base.profiles, goroutinesPeak: { count: g.during! + 50, samples: 12 } },
  }
  const sets = countSets(report(record))
  assert.equal(new Set(sets).size, 1, sets.join(' | '))
  assert.equal(
    sets[0],
    `${g.before} before the load, ${g.during! + 50} peak (highest of 13 samples during the load), ${g.after} after the cool-down (from the pprof goroutine profiles, which the leak check judges)`,
  )
})
