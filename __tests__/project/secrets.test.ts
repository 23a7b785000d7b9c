import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { SecretScrubber, inputSecrets, redactUrl, secretParts } from '../../src/secrets.ts'
import { loadPlan } from '../../src/plan/load.ts'
import { secretsOf } from '../../src/pipeline.ts'

test('a DSN yields itself and its password, raw and decoded', () => {
  assert.deepEqual(
    secretParts('postgres://app:p%40ss!word@db:5432/app').sort(),
    ['p%40ss!word', 'p@ss!word', 'postgres://app:p%40ss!word@db:5432/app'].sort(),
  )
})

test('an auth header yields the header, its value and the bare token', () => {
  assert.deepEqual(secretParts('Authorization: Bearer tok-abcdef'), [
    'Authorization: Bearer tok-abcdef',
    'Bearer tok-abcdef',
    'tok-abcdef',
  ])
})

test('the scrubber replaces every secret part, the longest first', () => {
  const scrubber = new SecretScrubber([
    'redis://:hunter22@cache:6379',
    'Authorization: Bearer tok-abcdef',
    undefined,
  ])
  const text = 'connect redis://:hunter22@cache:6379 failed; password hunter22; header tok-abcdef'
  assert.equal(scrubber.scrub(text), 'connect *** failed; password ***; header ***')
  assert.deepEqual(scrubber.scrubDeep({ a: ['hunter22'] }), { a: ['***'] })
})

test('redactUrl keeps the host and hides the password', () => {
  assert.equal(redactUrl('postgres://app:secret@db:5432/app'), 'postgres://app:***@db:5432/app')
})

test('scrubDeep scrubs values, never the record keys', () => {
  const scrubber = new SecretScrubber(['postgres://postgres:postgres@db/app'])
  assert.deepEqual(scrubber.scrubDeep({ postgres: { note: 'password postgres' } }), {
    postgres: { note: 'password ***' },
  })
})

test('credentials inside baseline-url are secrets, as inside target-url', async () => {
  const inputs = {
    'target-url': 'https://pr.example.com',
    'baseline-url': 'https://ci:base-pw-93kq@main.example.com/?token=base-tok-51x',
  }
  const found = inputSecrets(inputs, [], {})
  assert.ok(found.includes('base-pw-93kq'), found.join(', '))
  assert.ok(found.includes('base-tok-51x'), found.join(', '))
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-secrets-'))
  const plan = await loadPlan(inputs, { cwd: dir, env: {} })
  assert.equal(
    secretsOf(plan, {}).scrub(`GET ${inputs['baseline-url']} failed`).includes('base-pw-93kq'),
    false,
  )
})
