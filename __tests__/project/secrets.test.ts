import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SecretScrubber, redactUrl, secretParts } from '../../src/secrets.ts'

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
