import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildReportModel, renderMarkdown } from '../../src/report/index.ts'
import { inputFor, loadRecord } from './fixtures.ts'

test('a run with a warm-up says so in one line of the report, apart from the measured numbers', () => {
  const record = loadRecord('handwritten-run.json')
  const withWarmUp = {
    ...record,
    load: { ...record.load!, warmUp: { durationS: 10, requestsCount: 412, errorRate: 0.0025, files: [] } },
  }
  const md = renderMarkdown(buildReportModel(inputFor(withWarmUp, undefined, {})))
  assert.match(
    md,
    /Warm-up: 10 s of load before the measured run \(412 requests, 0\.25 % errors\), not counted in these results, the SLOs or the comparison\./,
  )
  const without = renderMarkdown(buildReportModel(inputFor(record, undefined, {})))
  assert.ok(!without.includes('Warm-up:'))
})
