// Runs the bundled action exactly as the runner does: `node dist/index.js` with INPUT_* env.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const dist = path.resolve('dist/index.js')

function runAction(inputs: Record<string, string>, cwd = mkdtempSync(path.join(tmpdir(), 'perfgate-e2e-'))) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const result = spawnSync(process.execPath, [dist], { cwd, env, encoding: 'utf8', timeout: 30_000 })
  const errors = result.stdout.split('\n').filter((line) => line.startsWith('::error::'))
  return { status: result.status, errors, stdout: result.stdout }
}

const cases: [string, Record<string, string>, RegExp][] = [
  [
    'a missing target-url',
    {},
    /^::error::target-url is missing: give the base URL of the deployment under test/,
  ],
  [
    'a malformed target-url',
    { 'target-url': 'localhost:8080' },
    /^::error::target-url is "localhost:8080": expected an http\(s\) URL, got localhost$/,
  ],
  [
    'a target-url that is not a URL',
    { 'target-url': 'not a url' },
    /^::error::target-url is "not a url": expected an absolute http\(s\) URL/,
  ],
  [
    'an unknown fail-on value',
    { 'target-url': 'http://127.0.0.1:9', 'fail-on': 'always' },
    /^::error::fail-on is "always": allowed values are slo, regression, slo,regression or never$/,
  ],
]

for (const [what, inputs, expected] of cases) {
  test(`the action fails with exit 1 and one clear line for ${what}`, () => {
    const { status, errors } = runAction(inputs)
    assert.equal(status, 1)
    assert.equal(errors.length, 1, `one error line, got: ${errors.join(' / ')}`)
    assert.match(errors[0]!, expected)
  })
}

test('the action fails with exit 1 and one clear line for a perfgate.yml with an unknown key', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'perfgate-e2e-'))
  writeFileSync(path.join(cwd, 'perfgate.yml'), 'slos:\n  error-rate: <1%\n  latency: <100ms\n')
  const { status, errors } = runAction({ 'target-url': 'http://127.0.0.1:9', config: 'perfgate.yml' }, cwd)
  assert.equal(status, 1)
  assert.deepEqual(errors, [
    '::error::perfgate.yml:3: unknown key "slos.latency"; allowed keys here: error-rate, throughput, cache-hit-rate, endpoints',
  ])
})

test('secrets given as inputs are masked before anything else runs', () => {
  const { stdout } = runAction({
    'target-url': 'bad',
    'database-url': 'postgres://app:s3cretpw@db:5432/app',
    'debug-auth-header': 'Authorization: Bearer tok-abcdef',
  })
  assert.match(stdout, /::add-mask::s3cretpw/)
  assert.match(stdout, /::add-mask::tok-abcdef/)
})
