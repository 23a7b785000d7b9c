import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { aggregatePairedFile, sideOfTags } from '../../src/run/paired-aggregate.ts'
import { SIDE_SCENARIOS } from '../../src/run/paired-script.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'

const point = (metric: string, time: string, value: number, tags: Record<string, string>) =>
  `{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${JSON.stringify(tags)}}}`

const request = (time: string, ms: number, tags: Record<string, string>) => [
  point('http_reqs', time, 1, tags),
  point('http_req_duration', time, ms, tags),
  point('http_req_failed', time, 0, tags),
]

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0) + s * 1000).toISOString()

test('a sample’s side is its side tag, else its renamed k6 scenario; setup traffic has none', () => {
  assert.equal(sideOfTags('{"endpoint":"feed","side":"base","scenario":"perfgate_base"}'), 'base')
  assert.equal(sideOfTags(`{"endpoint":"feed","scenario":"${SIDE_SCENARIOS.pr}"}`), 'pr')
  assert.equal(sideOfTags(`{"scenario":"${SIDE_SCENARIOS.base}_3","slice":"1"}`), 'base')
  assert.equal(sideOfTags('{"group":"::setup","name":"http://x/api/v1/feed"}'), undefined)
  // the unpaired scenario's name belongs to neither side
  assert.equal(sideOfTags('{"endpoint":"feed","scenario":"perfgate"}'), undefined)
  assert.equal(sideOfTags('{}'), undefined)
})

test('a paired file splits into two sides whose windows start at the same moment', async () => {
  const base = { endpoint: 'feed', scenario: SIDE_SCENARIOS.base, side: 'base', status: '200' }
  // the PR side's samples carry only the scenario tag: still attributed
  const pr = { endpoint: 'feed', scenario: SIDE_SCENARIOS.pr, status: '200' }
  const lines = [
    point('vus', at(0), 8, {}),
    ...request(at(0.1), 99, { group: '::setup', name: 'http://x/api/v1/feed', status: '200' }),
    // the PR side starts later: its first window must still be window 0 of the base side's clock
    ...request(at(1), 10, base),
    ...request(at(1.5), 12, base),
    ...request(at(3.2), 30, pr),
    ...request(at(3.4), 14, base),
    ...request(at(5.1), 32, pr),
  ]
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-paired-'))
  const file = join(dir, 'k6.ndjson')
  await writeFile(file, lines.join('\n') + '\n')
  const result = await aggregatePairedFile(file, { endpoints: DEFAULT_ENDPOINTS })
  assert.equal(result.base.overall.count, 3)
  assert.equal(result.current.overall.count, 2)
  const baseFeed = result.base.endpoints.find((e) => e.name === 'feed')!
  const prFeed = result.current.endpoints.find((e) => e.name === 'feed')!
  assert.deepEqual(
    baseFeed.windows.map((w) => [w.startMs, w.count]),
    [
      [0, 2],
      [2000, 1],
    ],
  )
  assert.deepEqual(
    prFeed.windows.map((w) => [w.startMs, w.count]),
    [
      [2000, 1],
      [4000, 1],
    ],
  )
  assert.equal(prFeed.duration.maxMs, 32)
  // one process ran both pools of the same size: each side had half its VUs
  assert.equal(result.current.vusMax, 4)
})

test('alternating: with one window per slice pair, slice i of each side lands in window i, and each side ran with all the VUs', async () => {
  const sliceS = 6
  const side = (s: 'base' | 'pr', slice: number) => ({
    endpoint: 'feed',
    scenario: `${SIDE_SCENARIOS[s]}_${slice}`,
    side: s,
    slice: String(Math.floor(slice / 2)),
    status: '200',
  })
  // A B B A: scenario slices 0 (base) 1 (pr) 2 (pr) 3 (base), 6 s each
  const lines = [
    point('vus', at(0), 10, {}),
    ...request(at(0.2), 10, side('base', 0)),
    ...request(at(5.9), 11, side('base', 0)),
    ...request(at(6.3), 20, side('pr', 1)),
    ...request(at(12.4), 21, side('pr', 2)),
    ...request(at(18.2), 12, side('base', 3)),
    ...request(at(23.8), 13, side('base', 3)),
  ]
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-paired-alt-'))
  const file = join(dir, 'k6.ndjson')
  await writeFile(file, lines.join('\n') + '\n')
  const result = await aggregatePairedFile(file, {
    endpoints: DEFAULT_ENDPOINTS,
    windowS: 2 * sliceS,
    sharedVus: false,
  })
  const windows = (r: typeof result.base) =>
    r.endpoints.find((e) => e.name === 'feed')!.windows.map((w) => [w.startMs, w.count])
  assert.deepEqual(windows(result.base), [
    [0, 2],
    [12_000, 2],
  ])
  assert.deepEqual(windows(result.current), [
    [0, 1],
    [12_000, 1],
  ])
  assert.equal(result.base.vusMax, 10)
  assert.equal(result.current.vusMax, 10)
  // simultaneous (the default): the process's VUs were shared by the two pools
  assert.equal((await aggregatePairedFile(file, { endpoints: DEFAULT_ENDPOINTS })).current.vusMax, 5)
})
