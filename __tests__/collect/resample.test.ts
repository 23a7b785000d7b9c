// A user's script's failing endpoints, re-requested once after the load (issue 16): which are
// sent and which are not, and what is kept of the answer, against a real local HTTP server.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { resampleFailures, resampleRequests } from '../../src/collect/resample.ts'
import type { EndpointSpec } from '../../src/plan/types.ts'
import type { EndpointLoad, LoadPart } from '../../src/record/load.ts'
import { SecretScrubber } from '../../src/secrets.ts'
import { testPlan } from '../run/support/plan.ts'

const TOKEN = 'user-7-token-secret'

/** A load part whose endpoints failed as given (name → errors). */
function loadWith(errors: Record<string, number>): LoadPart {
  const endpoint = (name: string, n: number) =>
    ({ name, count: 10, errors: n, errorRate: n / 10, statuses: {} }) as unknown as EndpointLoad
  return {
    endpoints: Object.entries(errors).map(([name, n]) => endpoint(name, n)),
    source: { kind: 'script', script: 'load.js' },
  } as unknown as LoadPart
}

const ENDPOINTS: EndpointSpec[] = [
  { name: 'feed', method: 'GET', route: '/api/feed', query: { limit: '5' } },
  { name: 'detail', method: 'GET', route: '/api/clips/:id' },
  { name: 'vote', method: 'POST', route: '/api/clips/:id/vote', body: { vote: 1 }, auth: true },
  { name: 'delete_clip', method: 'DELETE', route: '/api/clips/:id' },
]

test('only failing endpoints are re-requested: GET ones and declared bodies, never a made-up request', () => {
  const plan = testPlan('http://127.0.0.1:1', { endpoints: ENDPOINTS })
  const load = loadWith({
    feed: 3,
    detail: 0,
    vote: 10,
    delete_clip: 10,
    'GET /api/stats': 2,
    'GET /api/users/:id': 4,
    'POST /api/upload': 1,
  })
  const withToken = resampleRequests(plan, load, { id: ['42'], token: [TOKEN] })
  assert.deepEqual(
    withToken.requests.map((r) => [r.endpoint, r.method, r.path, r.headers.Authorization]),
    [
      ['feed', 'GET', '/api/feed?limit=5', undefined],
      ['vote', 'POST', '/api/clips/42/vote', `Bearer ${TOKEN}`],
      ['GET /api/stats', 'GET', '/api/stats', undefined],
    ],
  )
  assert.deepEqual(
    withToken.skipped.map((s) => s.endpoint),
    ['delete_clip', 'GET /api/users/:id', 'POST /api/upload'],
  )
  assert.match(withToken.skipped[0]!.reason, /DELETE without a configured body/)
  // Without a token the probe sends no POST either, and says so.
  const without = resampleRequests(plan, load, { id: ['42'] })
  assert.ok(!without.requests.some((r) => r.endpoint === 'vote'))
  assert.match(without.skipped.find((s) => s.endpoint === 'vote')!.reason, /needs a token \(auth: true\)/)
})

let server: Server
let base: string
const seen: { method: string; url: string; auth?: string }[] = []

before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    seen.push({
      method: req.method!,
      url: req.url!,
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    })
    if (req.url === '/api/feed?limit=5') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ data: [{ id: 42, title: 'first' }] }))
    } else if (req.url === '/api/clips/42/vote') {
      res.writeHead(429, { 'Retry-After': '30', 'Set-Cookie': 'sid=1', 'content-type': 'text/plain' })
      // A long body that echoes the token: it is scrubbed and only its start is read.
      res.end(`slow down, ${TOKEN}\u0007\n${'x'.repeat(100_000)}`)
    } else if (req.url?.startsWith('/api/slow')) {
      // Never answers: the step's time box must end it.
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
)

test('each failing endpoint is requested once with the probe’s values and token, and its answer kept scrubbed and cut', async () => {
  seen.length = 0
  const plan = testPlan(base, { endpoints: ENDPOINTS.slice(0, 3) })
  const logs: string[] = []
  const result = await resampleFailures(plan, loadWith({ feed: 0, vote: 10 }), {
    fetch: (input, init) => fetch(input, init),
    log: (line) => logs.push(line),
    scrubber: new SecretScrubber([TOKEN]),
    token: TOKEN,
  })
  // The feed is read for ids (as the probe does), then the one failing endpoint is sent once.
  assert.deepEqual(
    seen.map((s) => `${s.method} ${s.url}`),
    ['GET /api/feed?limit=5', 'POST /api/clips/42/vote'],
  )
  assert.equal(seen[1]!.auth, `Bearer ${TOKEN}`)
  assert.equal(result.samples.length, 1)
  const [sample] = result.samples
  assert.equal(sample!.endpoint, 'vote')
  assert.equal(sample!.status, 429)
  assert.equal(sample!.source, 'after-load')
  assert.deepEqual(sample!.headers, { 'retry-after': '30', 'content-type': 'text/plain' })
  assert.match(sample!.body, /^slow down, \*\*\* x+$/)
  assert.equal(sample!.truncated, true)
  assert.ok(Buffer.byteLength(sample!.body) <= 200)
  assert.ok(!JSON.stringify(result).includes(TOKEN))
  assert.deepEqual(logs, ['perfgate: re-requested 1 failing endpoint once after the load'])
})

test('a target that does not answer becomes a sample with the error, not an exception', async () => {
  const plan = testPlan('http://127.0.0.1:9', {
    endpoints: [{ name: 'feed', method: 'GET', route: '/api/feed' }],
  })
  const result = await resampleFailures(plan, loadWith({ feed: 10 }), {
    fetch: (input, init) => fetch(input, init),
    log: () => {},
    scrubber: new SecretScrubber([]),
  })
  assert.equal(result.samples.length, 1)
  assert.equal(result.samples[0]!.status, 0)
  assert.ok(result.samples[0]!.error, 'the error is kept')
})

test('a load without failures re-requests nothing', async () => {
  seen.length = 0
  const plan = testPlan(base, { endpoints: ENDPOINTS })
  const result = await resampleFailures(plan, loadWith({ feed: 0, vote: 0 }), {
    fetch: (input, init) => fetch(input, init),
    log: () => {},
    scrubber: new SecretScrubber([]),
  })
  assert.deepEqual(result, { samples: [], skipped: [] })
  assert.deepEqual(seen, [])
})

test('a target that stops answering is cut off by the step’s time box: the rest is skipped, saying so', async () => {
  const plan = testPlan(base, {
    endpoints: [
      { name: 'slow_a', method: 'GET', route: '/api/slow/a' },
      { name: 'slow_b', method: 'GET', route: '/api/slow/b' },
    ],
  })
  const result = await resampleFailures(plan, loadWith({ slow_a: 10, slow_b: 10 }), {
    fetch: (input, init) => fetch(input, init),
    log: () => {},
    scrubber: new SecretScrubber([]),
    timeoutMs: 600_000,
    totalTimeoutMs: 300,
  })
  assert.deepEqual(
    result.samples.map((s) => [s.endpoint, s.status, Boolean(s.error)]),
    [['slow_a', 0, true]],
  )
  assert.deepEqual(result.skipped, [{ endpoint: 'slow_b', reason: 'the re-requests ran out of time' }])
})
