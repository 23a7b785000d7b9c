import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildReportModel, renderMarkdown } from '../../src/report/index.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { inputFor, loadRecord } from './fixtures.ts'

const render = (record: RunRecord) => renderMarkdown(buildReportModel(inputFor(record, undefined, {})))

test('the SLO section says throughput is not gated when slos.throughput is not set', () => {
  const record = loadRecord('handwritten-run.json')
  const { minRps: _, ...slos } = record.plan.slos
  const md = render({ ...record, plan: { ...record.plan, slos } })
  assert.match(md, /Throughput is not gated: set slos\.throughput to gate it\./)
  assert.ok(!md.includes('Throughput is gated:'))
})

test('a gated throughput names its target and where it was set', () => {
  const record = loadRecord('handwritten-run.json')
  const minRps = { text: '>=100', value: 100, source: 'perfgate.yml:7' }
  const md = render({ ...record, plan: { ...record.plan, slos: { ...record.plan.slos, minRps } } })
  assert.match(md, /Throughput is gated: at least 100 req\/s, set by slos\.throughput at perfgate\.yml:7\./)
  // A record written before targets carried their source still says which setting it was.
  assert.match(render(loadRecord('handwritten-run.json')), /set by slos\.throughput in the configuration\./)
})
