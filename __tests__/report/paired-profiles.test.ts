// A paired run with the base deployment's collectors (issue 19): the report names both sides'
// profiles, and the profile diff against the base side's profiles of the same moment is labelled
// as live paired profiles in the report and the comment; which base-side profiles the diff reads.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildReportModel, renderComment, renderMarkdown } from '../../src/report/index.ts'
import type { ProfileDiff } from '../../src/record/analysis.ts'
import type { BaseCollectorParts, PairedPart, RunRecord } from '../../src/record/index.ts'
import { recordProblem } from '../../src/record/schema/index.ts'
import { liveBaseProfiles } from '../../src/collect/base-side.ts'
import { rawFilesOf } from '../../src/record/raw-files.ts'
import { inputFor, loadRecord } from './fixtures.ts'

const record = loadRecord('handwritten-run.json')

const cpu: ProfileDiff = {
  kind: 'cpu',
  sampleType: 'cpu',
  minDeltaPct: 0.5,
  rows: [
    {
      name: 'github.com/clipper/api/internal/feed.rankClips',
      basePct: 3.1,
      currentPct: 12.4,
      deltaPct: 9.3,
      location: 'internal/feed/rank.go:88',
      application: true,
    },
  ],
}

const baseCollectors: BaseCollectorParts = {
  url: 'http://127.0.0.1:18081',
  prometheus: { unavailable: 'baseline-metrics-url not set' },
  appStats: { unavailable: 'baseline-app-stats-urls not set' },
  profiles: {
    files: [
      { kind: 'cpu', file: 'cpu.pb.gz', bytes: 2048, samplesCount: 812 },
      { kind: 'allocs', file: 'allocs.pb.gz', bytes: 4096, samplesCount: 95, delta: true },
    ],
    missing: [],
  },
}

/** The record's paired part only needs to be there for these tests (its rows are the pair engineer's). */
const paired = { design: 'simultaneous', currentUrl: 'http://127.0.0.1:18080' } as PairedPart

function pairedRecord(live: boolean): RunRecord {
  return {
    ...record,
    paired,
    baseCollectors,
    analysis: { ...record.analysis!, diff: [cpu], ...(live ? { diffBase: 'live-paired' as const } : {}) },
  }
}

const render = (r: RunRecord) => {
  const model = buildReportModel(inputFor(r))
  return { comment: renderComment(model), report: renderMarkdown(model) }
}

test('a live paired diff is labelled as such in the comment and the report; a baseline-run diff keeps its words', () => {
  const live = render(pairedRecord(true))
  assert.match(
    live.comment,
    /\*\*What changed\*\* in the profiles: .*live paired profiles: base deployment → this PR, taken over the same load window/,
  )
  assert.match(live.comment, /feed\.rankClips`.*CPU 3\.1% → 12\.4% \(\+9\.3 points\)/)
  assert.match(live.report, /What Changed Against the Base Deployment \(live paired profiles\)/)
  assert.match(
    live.report,
    /\| Profile +\| Function +\| Location +\| Endpoints +\| Base +\| This PR +\| +Change +\|/,
  )
  const stored = render({ ...record, analysis: { ...record.analysis!, diff: [cpu] } })
  assert.doesNotMatch(stored.comment, /live paired/)
  assert.match(stored.report, /What Changed Since the Baseline/)
})

test('the report names both sides’ profiles and what the base side’s other collectors gave', () => {
  const { report } = render(pairedRecord(true))
  assert.match(
    report,
    /both deployments profiled over the same load window: this PR — cpu \d+ samples.*; base http:\/\/127\.0\.0\.1:18081 — cpu 812 samples, allocs 95 samples\. Base deployment's Prometheus not collected \(baseline-metrics-url not set\), app stats not collected \(baseline-app-stats-urls not set\)\./,
  )
  // an unpaired record says nothing of a base side
  assert.doesNotMatch(render(record).report, /both deployments profiled/)
})

test('the record with a base side validates, and one whose base side is malformed does not', () => {
  assert.equal(recordProblem({ ...record, baseCollectors }), undefined)
  assert.match(
    recordProblem({ ...record, baseCollectors: { ...baseCollectors, profiles: { files: 'x' } } }) ?? '',
    /^baseCollectors\.profiles/,
  )
  // older records, without it, still validate
  assert.equal(recordProblem(record), undefined)
})

test('the diff reads the base side’s CPU and allocation profiles from paired-base, refusing unsafe names', () => {
  assert.equal(liveBaseProfiles(record, '/out'), undefined, 'an unpaired run has no live base')
  assert.deepEqual(liveBaseProfiles({ ...record, paired }, '/out'), {
    missing: "the base deployment's profiles were not taken (baseline-pprof-url not set)",
  })
  assert.deepEqual(
    liveBaseProfiles(
      {
        ...record,
        paired,
        baseCollectors: { ...baseCollectors, profiles: { unavailable: 'baseline-pprof-url not set' } },
      },
      '/out',
    ),
    { missing: "the base deployment's profiles were not taken: baseline-pprof-url not set" },
  )
  assert.deepEqual(liveBaseProfiles({ ...record, paired, baseCollectors }, '/out'), {
    dir: '/out/paired-base',
    files: [
      { kind: 'cpu', file: 'cpu.pb.gz' },
      { kind: 'allocs', file: 'allocs.pb.gz' },
    ],
  })
  const hostile: BaseCollectorParts = {
    ...baseCollectors,
    profiles: { files: [{ kind: 'cpu', file: '../../etc/passwd', bytes: 1, samplesCount: 1 }], missing: [] },
  }
  const refused = liveBaseProfiles({ ...record, paired, baseCollectors: hostile }, '/out')
  assert.ok(refused && 'missing' in refused && /refused/.test(refused.missing), JSON.stringify(refused))
})

test('the base side’s raw files are named from the record’s folder, so perfgate report --out copies them', () => {
  const files = rawFilesOf({ ...record, paired, baseCollectors })
  assert.ok(files.includes('paired-base/cpu.pb.gz'))
  assert.ok(files.includes('paired-base/allocs.pb.gz'))
})
