import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildReportModel, renderMarkdown } from '../../src/report/index.ts'
import { inputFor, loadRecord } from './fixtures.ts'

test('the configuration shows the measured VU curve next to the planned VUs; older records show none', () => {
  const record = loadRecord('handwritten-run.json')
  const vusCurve = [
    { startS: 1, durationS: 4, fromVUs: 2, toVUs: 6 },
    { startS: 5, durationS: 45, fromVUs: 6, toVUs: 6 },
    { startS: 50, durationS: 2, fromVUs: 6, toVUs: 0 },
  ]
  const md = renderMarkdown(
    buildReportModel(inputFor({ ...record, load: { ...record.load!, vusCurve } }, undefined, {})),
  )
  assert.match(
    md,
    /Measured VUs:\*{0,2} from 1 s: 2 → 6 VUs in 4 s, 6 VUs for 45 s, 6 → 0 VUs in 2 s \(k6's vus metric/,
  )
  const without = renderMarkdown(buildReportModel(inputFor(record, undefined, {})))
  assert.ok(!without.includes('Measured VUs'))
})
