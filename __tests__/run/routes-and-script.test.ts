import { test } from 'node:test'
import assert from 'node:assert/strict'
import { endpointResolver, normaliseUrlPath } from '../../src/run/routes.ts'
import { generateScript } from '../../src/run/script-gen.ts'
import { parseSampleLine, RELEVANT_HEADER, SAMPLES_PER_STATUS } from '../../src/run/response-samples.ts'
import { DEFAULT_ENDPOINTS, defaultScenario } from '../../src/plan/defaults.ts'
import type { Scenario } from '../../src/plan/types.ts'

test('raw URLs are matched to the config’s routes by method and path', () => {
  const resolve = endpointResolver(DEFAULT_ENDPOINTS)
  const cases: [Record<string, string>, string][] = [
    [{ endpoint: 'custom', name: '/api/v1/clips' }, 'custom'],
    [{ name: 'http://h:8080/api/v1/clips?sort=hot\u0026limit=25', method: 'GET' }, 'feed'],
    [{ name: 'http://h/api/v1/clips/123/comments?limit=20', method: 'GET' }, 'comments_list'],
    [{ name: 'http://h/api/v1/clips/123/comments', method: 'POST' }, 'create_comment'],
    [{ name: 'http://h/api/v1/clips/${}/related', method: 'GET' }, 'related_clips'],
    [{ name: '/api/v1/tags/clutch/clips', method: 'GET' }, 'tag_browse'],
    [{ name: 'http://h/api/v2/users/42', method: 'DELETE' }, 'DELETE /api/v2/users/:id'],
  ]
  for (const [tags, expected] of cases) assert.equal(resolve(tags), expected, JSON.stringify(tags))
})

test('the URL normaliser collapses numbers, uuids and opaque ids into :id', () => {
  assert.equal(normaliseUrlPath('/a/123/b/550e8400-e29b-41d4-a716-446655440000/c'), '/a/:id/b/:id/c')
  assert.equal(normaliseUrlPath('http://h/clips/Clip3232Slug/deadbeefdeadbeef?x=1'), '/clips/:id/:id')
  assert.equal(normaliseUrlPath('/api/v1/search'), '/api/v1/search')
  assert.equal(normaliseUrlPath('/'), '/')
})

test('the generated script tags every request with its endpoint and route template', () => {
  const script = generateScript({
    targetUrl: 'http://127.0.0.1:1',
    scenario: defaultScenario(10, 60, 0.1),
    endpoints: DEFAULT_ENDPOINTS,
  })
  assert.match(script, /const tags = \{ endpoint: endpoint\.name, name: endpoint\.route/)
  assert.match(script, /"http_req_duration\{endpoint:tag_browse\}"/)
  assert.match(script, /"executor": "ramping-vus"/)
  assert.match(script, /"thinkTimeScale": 0\.1/)
})

test('the generated script logs failing answers in the marker format perfgate reads back', () => {
  const script = generateScript({
    targetUrl: 'http://127.0.0.1:1',
    scenario: defaultScenario(10, 60, 0.1),
    endpoints: DEFAULT_ENDPOINTS,
  })
  const config = JSON.parse(/const CONFIG = (\{[\s\S]*?\n\})\n/.exec(script)![1]!) as {
    samples: { marker: string; perStatus: number; bodyChars: number; headers: string }
  }
  assert.equal(config.samples.perStatus, SAMPLES_PER_STATUS)
  assert.equal(config.samples.headers, RELEVANT_HEADER.source)
  // Failing as k6's http_req_failed judges it, then one console.log per answer of the marker and the encoded JSON.
  assert.match(
    script,
    /if \(expected \? expected\.indexOf\(res\.status\) < 0 : !\(res\.status >= 200 && res\.status < 400\)\) logSample\(endpoint, res\)/,
  )
  assert.match(
    script,
    /console\.log\(CONFIG\.samples\.marker \+ encodeURIComponent\(JSON\.stringify\(sample\)\)\)/,
  )
  const sample = { e: 'vote', s: 401, b: 'denied "quoted" \\ é', t: false, h: { 'Retry-After': '5' } }
  assert.deepEqual(
    parseSampleLine(config.samples.marker + encodeURIComponent(JSON.stringify(sample))),
    sample,
  )
})

const scenarioWith = (changes: Partial<Scenario>): Scenario => ({
  ...defaultScenario(2, 10, 0.1),
  ...changes,
})

test('scenario mistakes the plan should have caught still fail with one clear line', () => {
  const cases: [Partial<Scenario>, RegExp][] = [
    [
      { userTypes: [{ name: 'reader', weight: 100, steps: [{ endpoint: 'fed', think: 1 }] }] },
      /^scenario user type "reader" step 1 names unknown endpoint "fed" \(known: feed, clip_detail/,
    ],
    [
      {
        userTypes: [
          { name: 'a', weight: 60, steps: [{ endpoint: 'feed', think: 1 }] },
          { name: 'b', weight: 30, steps: [{ endpoint: 'feed', think: 1 }] },
        ],
      },
      /^scenario user type weights add up to 90%, not 100% \(a 60, b 30\)$/,
    ],
    [
      { userTypes: [{ name: 'a', weight: 100, steps: [{ endpoint: 'feed', think: 1, probability: 2 }] }] },
      /^scenario user type "a" step 1: probability must be between 0 and 1, got 2$/,
    ],
    [
      { userTypes: [{ name: 'a', weight: 100, steps: [{ endpoint: 'feed', think: 1, repeat: [3, 2] }] }] },
      /^scenario user type "a" step 1: repeat must be a count or \[min, max\], got \[3,2\]$/,
    ],
    [{ userTypes: [] }, /^scenario has no user types/],
  ]
  for (const [changes, message] of cases) {
    assert.throws(
      () =>
        generateScript({
          targetUrl: 'http://x',
          scenario: scenarioWith(changes),
          endpoints: DEFAULT_ENDPOINTS,
        }),
      (error: Error) => message.test(error.message),
      String(message),
    )
  }
})
