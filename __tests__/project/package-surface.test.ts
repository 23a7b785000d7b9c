// What a user of the npm package or of @github/local-action meets: importing the package runs
// nothing (the action runs only from dist/index.js, which the runner starts), and .env.example
// names exactly the action's inputs.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

test('importing the package does not run the action; its package.json stays importable', () => {
  const script = `
    try { await import('perfgate'); console.log('imported') } catch (e) { console.log(e.code) }
    const pkg = await import('perfgate/package.json', { with: { type: 'json' } })
    console.log(pkg.default.name)`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    timeout: 20_000,
  })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'ERR_PACKAGE_PATH_NOT_EXPORTED\nperfgate\n')
  assert.doesNotMatch(r.stdout + r.stderr, /::error::|target-url/)
})

test('.env.example gives every input of action.yml, under the name @actions/core reads, and no other', () => {
  const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown> }
  const keys = readFileSync('.env.example', 'utf8')
    .split('\n')
    .map((line) => /^INPUT_([A-Z0-9_-]+)=/.exec(line)?.[1])
    .filter((key): key is string => Boolean(key))
  assert.deepEqual(
    keys.sort(),
    Object.keys(action.inputs)
      .map((name) => name.toUpperCase())
      .sort(),
  )
})
