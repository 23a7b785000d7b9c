// The attribution probe's requests (issue 16): a POST without `auth` is probed with its body even
// when no token is known; only `auth: true` endpoints wait for a token.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { probeRequests } from '../../src/collect/probe.ts'
import type { EndpointSpec } from '../../src/plan/types.ts'

const ENDPOINTS: EndpointSpec[] = [
  { name: 'items', method: 'GET', route: '/shop/items' },
  { name: 'add_to_cart', method: 'POST', route: '/shop/cart', body: { item: '{id}', count: 1 } },
  { name: 'ping', method: 'POST', route: '/shop/ping' },
  { name: 'checkout', method: 'POST', route: '/shop/checkout', body: { pay: true }, auth: true },
]

test('a POST without auth is probed without a token, with its configured body', () => {
  const { requests, skipped } = probeRequests(ENDPOINTS, { id: ['7'] })
  assert.deepEqual(requests, [
    { endpoint: 'items', method: 'GET', path: '/shop/items', headers: {} },
    {
      endpoint: 'add_to_cart',
      method: 'POST',
      path: '/shop/cart',
      body: '{"item":"7","count":1}',
      headers: { 'Content-Type': 'application/json' },
    },
    { endpoint: 'ping', method: 'POST', path: '/shop/ping', headers: {} },
  ])
  assert.deepEqual(skipped, [
    { endpoint: 'checkout', reason: 'needs a token (auth: true): give fixtures "tokens" or PERFGATE_TOKEN' },
  ])
})

test('with a token, an auth endpoint is probed with it and the others are sent without it', () => {
  const { requests, skipped } = probeRequests(ENDPOINTS, { id: ['7'], token: ['t0ken'] })
  assert.deepEqual(skipped, [])
  const checkout = requests.find((r) => r.endpoint === 'checkout')!
  assert.equal(checkout.headers.Authorization, 'Bearer t0ken')
  assert.equal(checkout.body, '{"pay":true}')
  assert.equal(requests.find((r) => r.endpoint === 'add_to_cart')!.headers.Authorization, undefined)
})
