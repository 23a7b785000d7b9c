// The generated script's marker lines, read back from k6's log: parsing, cleaning, scrubbing and
// the bound on what is kept (issue 16).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  cleanText,
  parseSampleLine,
  relevantHeaders,
  RESPONSE_SAMPLE_BYTES,
  ResponseSampleCollector,
  SAMPLE_MARKER,
} from '../../src/run/response-samples.ts'
import { SecretScrubber } from '../../src/secrets.ts'

/** A marker line as the generated script writes it (console.log of the encoded JSON). */
const marker = (payload: object) => `${SAMPLE_MARKER}${encodeURIComponent(JSON.stringify(payload))}`

/** How k6 writes console.log to stderr in its default logfmt, quoting the message. */
const logfmt = (msg: string) =>
  `time="2026-12-03T08:49:48Z" level=info msg="${msg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}" source=console`

const SAMPLE = {
  e: 'vote',
  s: 429,
  b: '{"error":"slow down"}',
  h: { 'Retry-After': '60', 'Content-Type': 'application/json' },
}

test('a marker is read from k6’s logfmt line, its JSON log line and a bare line alike', () => {
  for (const line of [
    logfmt(marker(SAMPLE)),
    JSON.stringify({ level: 'info', msg: marker(SAMPLE), source: 'console' }),
    marker(SAMPLE),
  ])
    assert.deepEqual(parseSampleLine(line), SAMPLE, line)
})

test('lines that are not a well-formed marker are not samples', () => {
  const cases: [string, string][] = [
    ['an ordinary log line', 'time="x" level=info msg="hello" source=console'],
    ['the marker without a payload', logfmt(SAMPLE_MARKER)],
    ['a payload that is not JSON', `${SAMPLE_MARKER}not%20json`],
    ['a payload that is not URI-encoding', `${SAMPLE_MARKER}%E0%A4%A`],
    ['no endpoint', marker({ s: 400 })],
    ['a status that is not an integer', marker({ e: 'feed', s: '400' })],
  ]
  for (const [name, line] of cases) assert.equal(parseSampleLine(line), undefined, name)
})

test('text from the target loses control and format characters and is cut at a byte count without splitting a character', () => {
  const cases: [string, string, number, { text: string; truncated: boolean }][] = [
    ['escape sequences and NUL', 'a\u001b[31mred\u0000b', 100, { text: 'a[31mredb', truncated: false }],
    [
      'newlines and tabs become spaces',
      'line 1\r\n\tline 2',
      100,
      { text: 'line 1 line 2', truncated: false },
    ],
    [
      'bidi overrides and zero-width',
      'safe\u202egnp.exe\u200b',
      100,
      { text: 'safegnp.exe', truncated: false },
    ],
    ['a lone surrogate', 'x\ud800y', 100, { text: 'xy', truncated: false }],
    ['exactly the limit', 'abcd', 4, { text: 'abcd', truncated: false }],
    ['one over the limit', 'abcde', 4, { text: 'abcd', truncated: true }],
    // "é" is 2 bytes, "€" 3: 5 bytes hold "aé" and not the "€" after it.
    ['a multi-byte character at the cut', 'aé€', 5, { text: 'aé', truncated: true }],
  ]
  for (const [name, input, max, want] of cases) assert.deepEqual(cleanText(input, max), want, name)
})

test('only the headers that explain a refusal are kept, by lower-case name', () => {
  assert.deepEqual(
    relevantHeaders({
      'Retry-After': '120',
      'WWW-Authenticate': 'Bearer realm="api"',
      'X-RateLimit-Remaining': '0',
      'RateLimit-Policy': '100;w=3600',
      'Content-Type': 'text/html',
      'Set-Cookie': 'session=abc',
      'X-Request-Id': '42',
      Server: 'cloudflare',
    }),
    {
      'retry-after': '120',
      'www-authenticate': 'Bearer realm="api"',
      'x-ratelimit-remaining': '0',
      'ratelimit-policy': '100;w=3600',
      'content-type': 'text/html',
      server: 'cloudflare',
    },
  )
})

test('the collector keeps three distinct answers per endpoint and status, scrubbed, and takes marker lines out of k6’s log', () => {
  const token = 'user-1-token-9f8e7d'
  const collector = new ResponseSampleCollector(new SecretScrubber([`Authorization: Bearer ${token}`]))
  assert.equal(collector.line('time="x" level=error msg="boom"'), false, 'not a marker: stays in the log')
  for (let i = 0; i < 5; i++)
    assert.equal(
      collector.line(
        logfmt(
          marker({
            e: 'vote',
            s: 401,
            b: `bad token ${token} #${i}`,
            h: { 'WWW-Authenticate': `Bearer ${token}` },
          }),
        ),
      ),
      true,
    )
  // The same answer twice is kept once.
  collector.line(marker({ e: 'vote', s: 500, b: 'oops' }))
  collector.line(marker({ e: 'vote', s: 500, b: 'oops' }))
  collector.line(marker({ e: 'feed', s: 0, b: '', err: 'request timeout' }))
  const samples = collector.samples()
  assert.deepEqual(
    samples.map((s) => [s.endpoint, s.status, s.body, s.headers, s.error]),
    [
      ['feed', 0, '', {}, 'request timeout'],
      ['vote', 401, 'bad token *** #0', { 'www-authenticate': '***' }, undefined],
      ['vote', 401, 'bad token *** #1', { 'www-authenticate': '***' }, undefined],
      ['vote', 401, 'bad token *** #2', { 'www-authenticate': '***' }, undefined],
      ['vote', 500, 'oops', {}, undefined],
    ],
  )
  assert.ok(samples.every((s) => s.source === 'load'))
  assert.ok(!JSON.stringify(samples).includes(token))
})

test('a long body is scrubbed whole before it is cut to its first bytes', () => {
  const secret = 'sk_live_0123456789abcdef'
  const collector = new ResponseSampleCollector(new SecretScrubber([secret]))
  // The secret straddles the byte limit: cut first, its first half would survive.
  const body = `${'x'.repeat(RESPONSE_SAMPLE_BYTES - 5)}${secret}${'y'.repeat(500)}`
  collector.add({ endpoint: 'feed', status: 500, body })
  const [sample] = collector.samples()
  assert.equal(sample!.truncated, true)
  assert.ok(Buffer.byteLength(sample!.body) <= RESPONSE_SAMPLE_BYTES)
  assert.ok(!sample!.body.includes(secret.slice(0, 5)), sample!.body.slice(-20))
  assert.ok(sample!.body.includes('x***y'), sample!.body.slice(-20))
})
