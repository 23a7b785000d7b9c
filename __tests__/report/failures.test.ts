// Failing responses in the report (issue 16): which (endpoint, status) pairs are listed, how
// 401/403/429 storms and Retry-After are named (with the threshold used), and how the target's
// text is shown.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LoadPart, ResponseSample, RunRecord } from '../../src/record/index.ts'
import { failureGroups, STORM_SHARE, stormOf } from '../../src/report/failures.ts'
import { buildReportModel, renderComment, renderHtml, renderMarkdown } from '../../src/report/index.ts'
import { inputFor, loadRecord } from './fixtures.ts'

function loadOf(record: RunRecord): LoadPart {
  return record.load as LoadPart
}

/** The handwritten run with `vote` answering `statuses` (the rest 200), and these samples. */
function recordWith(statuses: Record<string, number>, samples: ResponseSample[] = []): RunRecord {
  const record = loadRecord('handwritten-run.json')
  const load = loadOf(record)
  const vote = load.endpoints.find((e) => e.name === 'vote')!
  const failed = Object.entries(statuses)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((n, [, c]) => n + c, 0)
  vote.statuses = statuses
  vote.count = Object.values(statuses).reduce((a, b) => a + b, 0)
  vote.errors = failed
  vote.errorRate = failed / vote.count
  load.responseSamples = samples
  return record
}

const sample = (status: number, extra: Partial<ResponseSample> = {}): ResponseSample => ({
  endpoint: 'vote',
  status,
  body: '{"error":"denied"}',
  truncated: false,
  headers: { 'content-type': 'application/json' },
  source: 'load',
  ...extra,
})

test('401, 403 and 429 storms and Retry-After are named at the threshold, and other statuses are not', () => {
  const threshold = `≥ ${STORM_SHARE * 100} % of an endpoint's requests`
  const cases: [string, number, number, ResponseSample[], string | undefined, RegExp?][] = [
    [
      '401 on every request',
      401,
      1,
      [],
      'authentication',
      /^Authentication refused the load generator: 100 % of `vote`'s requests answered 401/,
    ],
    [
      '403 on a third',
      403,
      1 / 3,
      [],
      'abuse-protection',
      /^Abuse protection \(or authorisation\) refused the load generator: 33\.3 % of `vote`'s requests answered 403/,
    ],
    [
      '429 at the threshold',
      429,
      STORM_SHARE,
      [],
      'rate-limiting',
      /^Rate limiting of the load generator: 10 % of `vote`'s requests answered 429/,
    ],
    [
      '503 with Retry-After',
      503,
      0.5,
      [sample(503, { headers: { 'retry-after': '120' } })],
      'rate-limiting',
      /answered 503 .*, with Retry-After: 120\. /,
    ],
    ['403 below the threshold', 403, STORM_SHARE - 0.001, [], undefined],
    ['400 on every request', 400, 1, [], undefined],
    ['500 on every request', 500, 1, [], undefined],
  ]
  for (const [name, status, share, samples, kind, sentence] of cases) {
    const storm = stormOf('vote', status, share, samples)
    assert.equal(storm?.kind, kind, name)
    if (!storm) continue
    assert.match(storm.sentence, sentence!, name)
    assert.ok(storm.sentence.includes(`(named so at ${threshold})`), `${name}: the threshold is stated`)
    assert.match(storm.sentence, /allow-list the runner’s address .* or lower the rate/, `${name}: the hint`)
  }
})

test('each failing status of an endpoint is one group with its share and its own samples', () => {
  const record = recordWith({ '200': 60, '403': 30, '500': 10 }, [
    sample(403, { body: 'banned' }),
    sample(500, { body: 'boom' }),
    sample(500, { body: 'boom again' }),
  ])
  const groups = failureGroups(loadOf(record)).filter((g) => g.endpoint === 'vote')
  assert.deepEqual(
    groups.map((g) => [g.status, g.count, g.share, g.samples.map((s) => s.body), g.storm?.kind]),
    [
      [403, 30, 0.3, ['banned'], 'abuse-protection'],
      [500, 10, 0.1, ['boom', 'boom again'], undefined],
    ],
  )
})

test('a re-requested answer with another status stays with its endpoint’s most frequent failing status', () => {
  const record = recordWith({ '200': 10, '429': 90 }, [
    sample(200, { source: 'after-load', body: '{"ok":true}' }),
  ])
  const [group] = failureGroups(loadOf(record)).filter((g) => g.endpoint === 'vote')
  assert.equal(group!.status, 429)
  assert.deepEqual(
    group!.samples.map((s) => [s.status, s.source]),
    [[200, 'after-load']],
  )
  const md = renderMarkdown(buildReportModel(inputFor(record)))
  assert.match(
    md,
    /- re-requested after the load: 200 · content-type: application\/json · body “\{"ok":true\}”/,
  )
  assert.match(md, /it requested each failing endpoint once after the load/)
})

test('the report lists the failing responses under the endpoint SLOs and names the storm in the follow-up actions', () => {
  const record = recordWith({ '200': 0, '403': 500 }, [
    sample(403, {
      body: 'Access denied: your IP was banned after 1000 requests',
      headers: { server: 'cloudflare' },
    }),
  ])
  const md = renderMarkdown(buildReportModel(inputFor(record)))
  const endpoints = md.slice(
    md.indexOf('### Endpoint-Specific Performance'),
    md.indexOf('### Prometheus Metrics'),
  )
  assert.match(endpoints, /- `vote` answered 403 to 500 requests \(100 % of its requests\)/)
  assert.match(
    endpoints,
    / {2}- Abuse protection \(or authorisation\) refused the load generator: 100 % of `vote`'s requests answered 403 \(named so at ≥ 10 % of an endpoint's requests\)/,
  )
  assert.match(
    endpoints,
    / {2}- 403 · server: cloudflare · body “Access denied: your IP was banned after 1000 requests”/,
  )
  const follow = md.slice(md.indexOf('### Follow-up Actions'))
  assert.match(follow, /- Abuse protection \(or authorisation\) refused the load generator/)
  // The PR comment names it too, under the endpoint table; the samples stay in the full report.
  const comment = renderComment(buildReportModel(inputFor(record)))
  assert.match(
    comment,
    /\*\*Failing responses\*\*\n\n- Abuse protection \(or authorisation\) refused the load generator: 100 % of `vote`'s requests answered 403 \(named so at ≥ 10 % of an endpoint's requests\)/,
  )
  assert.doesNotMatch(comment, /banned after 1000 requests/)
})

test('a failing status without a sample says why, and a run without failures has no such list', () => {
  const old = recordWith({ '200': 90, '400': 10 })
  delete loadOf(old).responseSamples
  assert.match(
    renderMarkdown(buildReportModel(inputFor(old))),
    /- `vote` answered 400 to 10 requests \(10 % of its requests\)\n {2}- No answer kept: none was logged \(a record of an older perfgate keeps none\)\./,
  )
  const script = recordWith({ '200': 90, '400': 10 })
  loadOf(script).source = { kind: 'script', script: 'load.js' }
  loadOf(script).responseSamplesSkipped = [{ endpoint: 'vote', reason: 'POST without a configured body' }]
  assert.match(
    renderMarkdown(buildReportModel(inputFor(script))),
    /No answer kept: not re-requested after the load \(POST without a configured body\)\./,
  )
  const clean = recordWith({ '200': 100 })
  loadOf(clean).endpoints.find((e) => e.name === 'create_comment')!.errors = 0
  const cleanModel = buildReportModel(inputFor(clean))
  assert.doesNotMatch(renderMarkdown(cleanModel), /Failing responses/)
  assert.doesNotMatch(renderComment(cleanModel), /Failing responses/)
})

test('the target’s text is shown as inert text: no HTML, no raw backticks, no control characters, cut', () => {
  const hostile = '<script>alert(1)</script> ``` `x` | @everyone #1 \u001b[2J\u202e [a](javascript:alert(1))'
  const record = recordWith({ '200': 0, '401': 100 }, [
    sample(401, {
      body: `${hostile}${'z'.repeat(400)}`,
      headers: { 'www-authenticate': `Bearer realm="<img src=x onerror=alert(1)>"`, 'retry-after': hostile },
      error: '</details>',
    }),
  ])
  // The endpoint's name is the target's text too (a user script's URL).
  loadOf(record).endpoints.find((e) => e.name === 'vote')!.name = hostile
  for (const s of loadOf(record).responseSamples!) s.endpoint = hostile
  const md = renderMarkdown(buildReportModel(inputFor(record)))
  const section = md.slice(md.indexOf('Failing responses'), md.indexOf('### Prometheus Metrics'))
  const line = section.split('\n').find((l) => l.startsWith('  - 401'))!
  assert.ok(line, 'the sample is shown')
  for (const l of section.split('\n').filter((x) => x.includes('alert(1)')))
    assert.doesNotMatch(l.replace(/`[@#][^`]*`/g, ''), /(?<!\\)`|<script|<img|\p{Cc}|\u202e/u, l)
  assert.doesNotMatch(line, /<script|<img|<\/details>/i, 'no HTML')
  // The renderer puts mentions and references in code spans of its own, so they ping no one.
  assert.doesNotMatch(line.replace(/`(@everyone|#1)`/g, ''), /(?<!\\)`/, 'every backtick escaped')
  assert.doesNotMatch(line, /(?<!`)@everyone/, 'the mention is in a code span')
  assert.doesNotMatch(line, /\p{Cc}|\u202e/u, 'no control or bidi characters')
  assert.doesNotMatch(line, /(?<!\\)\]\(javascript:/, 'no link')
  assert.match(line, /z+ …”$/, 'cut, and says so')
  assert.ok((line.match(/z/g) ?? []).length < 200, 'at most the first 200 bytes')
  const html = renderHtml(buildReportModel(inputFor(record)))
  assert.doesNotMatch(html, /<script|<img|href="javascript:/i)
})
