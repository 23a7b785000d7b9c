// The action's entry reports an input error before it loads the pipeline (issue 18): the pipeline
// bundle is megabytes, and a typo in an input should cost a blink, not a second.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const trace = pathToFileURL(path.resolve('__tests__/helpers/trace-loads.mjs')).href
/** The bundle to check; a test build elsewhere can be pointed at with PERFGATE_DIST_DIR. */
const distDir = path.resolve(process.env.PERFGATE_DIST_DIR ?? 'dist')

function runEntry(args: string[]) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'perfgate-entry-'))
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, 'INPUT_FAIL-ON': 'always' }
  env['INPUT_TARGET-URL'] = 'http://127.0.0.1:9'
  env.PERFGATE_TRACE_LOADS = path.join(cwd, 'loads.txt')
  const result = spawnSync(process.execPath, ['--import', trace, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  })
  const loaded = readFileSync(env.PERFGATE_TRACE_LOADS, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('file:'))
    .map((line) => new URL(line).pathname)
  return { status: result.status, stdout: result.stdout, loaded }
}

const expected =
  /^::error::fail-on is "always": allowed values are slo, regression, slo,regression or never$/m

test('an input error from src/index.ts is printed without loading main.ts or the pipeline', () => {
  const { status, stdout, loaded } = runEntry([
    '--import',
    import.meta.resolve('tsx'),
    path.resolve('src/index.ts'),
  ])
  assert.equal(status, 1)
  assert.match(stdout, expected)
  assert.ok(
    loaded.some((file) => file.endsWith('/src/plan/load.ts')),
    'the plan was loaded to check the inputs',
  )
  for (const module of ['src/main.ts', 'src/pipeline.ts', 'src/collect/index.ts', 'src/run/index.ts'])
    assert.ok(!loaded.some((file) => file.endsWith(`/${module}`)), `${module} was loaded`)
})

test('an input error from dist/index.js is printed before the chunk holding the pipeline is loaded', () => {
  const entry = path.join(distDir, 'index.js')
  // The chunk the entry imports dynamically once the inputs are fine holds main.ts and the pipeline.
  const lazy = /await import\('\.\/([^']+)'\)/.exec(readFileSync(entry, 'utf8'))?.[1]
  assert.ok(lazy, `${entry} imports the pipeline dynamically`)
  const { status, stdout, loaded } = runEntry([entry])
  assert.equal(status, 1)
  assert.match(stdout, expected)
  assert.ok(!loaded.includes(path.join(distDir, lazy)), `${lazy} was loaded before the input error`)
  assert.ok(loaded.includes(entry), 'the trace saw the entry itself')
})
