// One-line errors of the CLI front door, run from source (the npx tests run the bundle).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  })

const profile = '__tests__/fixtures/pprof/base/goroutine.pb.gz'

for (const value of ['abc', '-5', '0', '2x']) {
  test(`profile top --node-count ${value} exits 1 with one line saying what is allowed`, () => {
    const result = cli(['profile', 'top', '--node-count', value, profile])
    assert.equal(result.status, 1)
    assert.equal(result.stdout, '')
    assert.equal(
      result.stderr,
      `perfgate: --node-count is "${value}": expected a whole number of rows of at least 1\n`,
    )
  })
}

test('profile top --node-count 2 prints two rows', () => {
  const result = cli(['profile', 'top', '--node-count', '2', profile])
  assert.equal(result.status, 0, result.stderr)
  const rows = result.stdout.split('\n').filter((line) => /^\s+[\d.]+\S*\s+[\d.]+%/.test(line))
  assert.equal(rows.length, 2)
})

test('perfgate run --baseline artifact explains that the CLI cannot use artifacts, even with GITHUB_REPOSITORY', () => {
  const result = cli(['run', '--target-url', 'http://127.0.0.1:9', '--baseline', 'artifact'], {
    GITHUB_REPOSITORY: 'octo/app',
  })
  assert.equal(result.status, 1)
  assert.equal(
    result.stderr,
    'perfgate: baseline is "artifact": the CLI cannot read GitHub artifacts or baseline branches (only the action can); give a baseline result.json with --baseline-path, or --baseline none\n',
  )
})

test('perfgate run --vus 0x10 exits 1 naming vus and the allowed range', () => {
  const result = cli(['run', '--target-url', 'http://127.0.0.1:9', '--vus', '0x10'])
  assert.equal(result.status, 1)
  assert.equal(
    result.stderr,
    'perfgate: vus is "0x10": expected a whole number from 1 to 10000, in decimal digits\n',
  )
})

test('perfgate run --duration 99999h exits 1 with the allowed range', () => {
  const result = cli(['run', '--target-url', 'http://127.0.0.1:9', '--duration', '99999h'])
  assert.equal(result.status, 1)
  assert.equal(
    result.stderr,
    'perfgate: duration is "99999h": allowed range is 1s to 6h (a GitHub job stops at 6 h)\n',
  )
})
