// Inputs as action.yml documents them (issue 16): `app-stats-urls` takes paths such as
// /health/stats, appended to target-url the way endpoint routes are.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadPlan } from '../../src/plan/load.ts'
import { ConfigError } from '../../src/plan/errors.ts'

async function planOf(inputs: Record<string, string>, yaml?: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-inputs-'))
  if (yaml !== undefined) await writeFile(path.join(dir, 'perfgate.yml'), yaml)
  return loadPlan({ 'target-url': 'http://127.0.0.1:18080/', ...inputs }, { cwd: dir, env: {} })
}

async function refusal(inputs: Record<string, string>): Promise<string> {
  try {
    await planOf(inputs)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    return error.message
  }
  assert.fail('expected the plan to be refused')
}

test('app-stats-urls paths are appended to target-url, absolute URLs are kept', async () => {
  const plan = await planOf({ 'app-stats-urls': '/health/stats, https://stats.example.com/cache' })
  assert.deepEqual(plan.collectors.appStatsUrls, [
    'http://127.0.0.1:18080/health/stats',
    'https://stats.example.com/cache',
  ])
})

test('a target-url with a path prefix keeps it in front of an app-stats path', async () => {
  const plan = await planOf({
    'target-url': 'https://previews.example.com/pr-42',
    'app-stats-urls': '/health/stats',
  })
  assert.deepEqual(plan.collectors.appStatsUrls, ['https://previews.example.com/pr-42/health/stats'])
})

test('collectors.app-stats-urls in perfgate.yml resolve the same way', async () => {
  const plan = await planOf({}, 'collectors:\n  app-stats-urls: [/health/stats, /health/cache]\n')
  assert.deepEqual(plan.collectors.appStatsUrls, [
    'http://127.0.0.1:18080/health/stats',
    'http://127.0.0.1:18080/health/cache',
  ])
})

test('an app-stats entry that is neither a path nor an http(s) URL is refused in one line', async () => {
  assert.equal(
    await refusal({ 'app-stats-urls': 'health/stats' }),
    'app-stats-urls has "health/stats": expected a path such as /health/stats (appended to target-url) or an absolute http(s) URL',
  )
  assert.equal(
    await refusal({ 'app-stats-urls': 'ftp://stats.example.com/x' }),
    'app-stats-urls is "ftp://stats.example.com/x": expected an http(s) URL, got ftp',
  )
})

test('mode merge needs no target-url (the shards recorded theirs) but checks one that is given', async () => {
  const plan = await planOf({ 'target-url': '', mode: 'merge' })
  assert.equal(plan.targetUrl, '')
  assert.match(
    await refusal({ 'target-url': 'pr-42', mode: 'merge' }),
    /^target-url is "pr-42": expected an absolute/,
  )
  assert.match(await refusal({ 'target-url': '' }), /^target-url is missing: /)
})
