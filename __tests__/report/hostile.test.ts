import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Profile } from '../../src/pprof/model.ts'
import type { PostgresData, RunRecord } from '../../src/record/index.ts'
import {
  buildReportModel,
  renderComment,
  renderHtml,
  renderMarkdown,
  renderSummary,
} from '../../src/report/index.ts'
import { inputFor, loadRecord } from './fixtures.ts'

const HOSTILE =
  'x | y `z` ``` </details> <img src=x onerror=alert(1)> @everyone #1 [link](javascript:alert(1))'

function cpuProfile(fn: string): Profile {
  const line = { function: fn, systemName: fn, filename: 'evil.go', startLine: 1, line: 2 }
  return {
    sampleTypes: [
      { type: 'samples', unit: 'count' },
      { type: 'cpu', unit: 'nanoseconds' },
    ],
    defaultSampleType: 'cpu',
    samples: [
      {
        locations: [{ id: 1, address: 1, mappingFile: '', lines: [line] }],
        values: [3, 30_000_000],
        labels: {},
      },
    ],
    mappings: [],
    timeNanos: 0,
    durationNanos: 0,
    period: 10_000_000,
    comments: [],
    docUrl: '',
    dropFrames: '',
    keepFrames: '',
  }
}

/** Keys whose values the report matches on (kinds, units), left as they are. */
const KEEP = new Set(['kind', 'sampleType', 'sampleUnit', 'shareBasis', 'source', 'unavailable'])

/** Every string of the analysis (function names, queries, stacks, top texts…) made hostile. */
function poisoned(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return KEEP.has(key) ? value : `${HOSTILE}\n${value}`
  if (Array.isArray(value)) return value.map((v) => poisoned(v, key))
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poisoned(v, k)]))
  return value
}

function hostileRecord(): RunRecord {
  const record = loadRecord('handwritten-run.json')
  const load = record.load as Exclude<RunRecord['load'], { unavailable: string }>
  load.endpoints[0]!.name = HOSTILE
  // What the target answered to failing requests, shown in the report (issue 16).
  load.endpoints[0]!.statuses = { ...load.endpoints[0]!.statuses, '429': 900 }
  load.endpoints[0]!.errors = 900
  load.responseSamples = [
    {
      endpoint: HOSTILE,
      status: 429,
      body: `${HOSTILE}\n${HOSTILE}`,
      truncated: true,
      headers: { 'retry-after': HOSTILE, server: HOSTILE },
      source: 'load',
      error: HOSTILE,
    },
  ]
  load.k6Summary = `${HOSTILE}\n${HOSTILE}`
  const pg = record.postgres as PostgresData
  pg.statements[0]!.query = `SELECT '${HOSTILE}'\nFROM clips`
  pg.attribution[0]!.path = `/api/${HOSTILE}`
  pg.settings[0]!.value = HOSTILE
  for (const f of record.findings) {
    f.title = HOSTILE
    f.detail = HOSTILE
    f.fix = HOSTILE
    f.location = HOSTILE
  }
  record.analysis = poisoned(record.analysis) as RunRecord['analysis']
  record.meta.targetUrl = `http://x/${HOSTILE}`
  record.plan.scenario = HOSTILE
  return record
}

/** The text outside fenced code blocks (where GitHub autolinks and renders HTML). */
function outsideCode(text: string): string {
  return text.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
}

/** The text outside code spans too (`@everyone` in a code span pings no one). */
function outsideSpans(text: string): string {
  // A backslash-escaped backtick opens no span.
  return text.replace(/(?<![\\`])(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g, '')
}

function assertInert(text: string, ownDetails: number): void {
  assert.doesNotMatch(text, /<img/i, 'raw <img')
  const prose = outsideSpans(outsideCode(text))
  assert.doesNotMatch(prose, /@everyone/, 'raw @everyone')
  assert.doesNotMatch(text, /&#\u200b/, 'an entity broken by a zero-width space')
  assert.doesNotMatch(prose, /(?<!\\)\]\(javascript:/i, 'javascript: link')
  const ref = /(?<!&)#1(?!\d*;)/.exec(prose)
  assert.equal(ref, null, `raw #1 reference: ${ref ? prose.slice(ref.index - 80, ref.index + 40) : ''}`)
  assert.equal((text.match(/<\/details>/g) ?? []).length, ownDetails, 'a </details> other than ours')
  // Every table keeps its shape: all rows have as many unescaped pipes as its header.
  let shape: number | undefined
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      shape = undefined
      continue
    }
    const pipes = line.split(/(?<!\\)\|/).length
    shape ??= pipes
    assert.equal(pipes, shape, `table row broken by a pipe: ${line.slice(0, 120)}`)
  }
}

test('hostile strings from the target render inert in the comment, summary and report', () => {
  const record = hostileRecord()
  for (const baseline of [undefined, loadRecord('handwritten-baseline.json')]) {
    const input = inputFor(record, baseline, {
      profiles: { cpu: cpuProfile(HOSTILE), block: cpuProfile(HOSTILE) },
      explainPlans: { [(record.postgres as PostgresData).explains[0]!.queryid]: HOSTILE },
    })
    const model = buildReportModel(input)
    const comment = renderComment(model)
    assertInert(comment, (comment.match(/<details><summary>/g) ?? []).length)
    assertInert(renderSummary(model), 0)
    assertInert(renderMarkdown(model), 0)
    const html = renderHtml(model)
    // report.html is a file, not a GitHub comment: a mention in it pings no one.
    assert.doesNotMatch(html, /<img|<\/details>|href="javascript:/i)
    assert.doesNotMatch(html, /<script/i)
  }
})

test('a code block holding backtick runs cannot be closed early', () => {
  const model = buildReportModel(inputFor(hostileRecord()))
  const md = renderMarkdown(model)
  const k6 = md.slice(md.indexOf('### A. Full K6 Output'))
  assert.match(k6, /^````\n/m, 'the fence is longer than the ``` inside')
})
