// The paired run's own inputs (issue 19): paired-design, and the base deployment's collectors
// (baseline-metrics-url, baseline-pprof-url, baseline-app-stats-urls, baseline-debug-auth-header).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadPlan, SECRET_INPUTS } from '../../src/plan/load.ts'
import { ConfigError } from '../../src/plan/errors.ts'
import { inputSecrets } from '../../src/secrets.ts'
import { baseSidePlan } from '../../src/collect/base-side.ts'

const TARGET = 'http://127.0.0.1:18080'
const BASE = 'http://127.0.0.1:18081'

async function withConfig(inputs: Record<string, string>, yaml?: string) {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-paired-plan-'))
  if (yaml !== undefined) await writeFile(path.join(dir, 'perfgate.yml'), yaml)
  return loadPlan({ 'target-url': TARGET, ...inputs }, { cwd: dir, env: {} })
}

async function configError(inputs: Record<string, string>, yaml?: string): Promise<string> {
  try {
    await withConfig(inputs, yaml)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    assert.ok(!error.message.includes('\n'), 'the error is one line')
    return error.message
  }
  assert.fail('expected the plan to be rejected')
}

test('a paired plan is simultaneous unless paired-design says alternating', async () => {
  assert.equal((await withConfig({ 'baseline-url': BASE })).pairedDesign, 'simultaneous')
  const alternating = await withConfig({ 'baseline-url': BASE, 'paired-design': 'alternating' })
  assert.equal(alternating.pairedDesign, 'alternating')
  const fromFile = await withConfig({ 'baseline-url': BASE }, 'paired-design: alternating\n')
  assert.equal(fromFile.pairedDesign, 'alternating')
  // the input wins over the file
  const input = await withConfig(
    { 'baseline-url': BASE, 'paired-design': 'simultaneous' },
    'paired-design: alternating\n',
  )
  assert.equal(input.pairedDesign, 'simultaneous')
  assert.equal((await withConfig({})).pairedDesign, undefined)
})

test('paired-design is refused with a value it does not know, or without baseline-url', async () => {
  assert.equal(
    await configError({ 'baseline-url': BASE, 'paired-design': 'ABBA' }),
    'paired-design is "ABBA": allowed values are simultaneous, alternating',
  )
  assert.match(
    await configError({ 'paired-design': 'alternating' }),
    /^paired-design is "alternating": it applies to a paired run only: set baseline-url, or remove paired-design$/,
  )
})

test('the base deployment collectors: URLs validated, app-stats paths appended to baseline-url, the header falling back to debug-auth-header', async () => {
  const plan = await withConfig({
    'baseline-url': `${BASE}/`,
    'debug-auth-header': 'Authorization: Bearer pr-admin-token',
    'baseline-metrics-url': `${BASE}/debug/metrics`,
    'baseline-pprof-url': `${BASE}/debug/pprof`,
    'baseline-app-stats-urls': '/health/stats, http://127.0.0.1:9/cache',
  })
  assert.deepEqual(plan.collectors.base, {
    metricsUrl: `${BASE}/debug/metrics`,
    pprofUrl: `${BASE}/debug/pprof`,
    debugAuthHeader: 'Authorization: Bearer pr-admin-token',
    appStatsUrls: [`${BASE}/health/stats`, 'http://127.0.0.1:9/cache'],
  })
  const own = await withConfig({
    'baseline-url': BASE,
    'debug-auth-header': 'Authorization: Bearer pr-admin-token',
    'baseline-pprof-url': `${BASE}/debug/pprof`,
    'baseline-debug-auth-header': 'Authorization: Bearer base-admin-token',
  })
  assert.equal(own.collectors.base?.debugAuthHeader, 'Authorization: Bearer base-admin-token')
  // The base side's collectors read the base URLs only: no database, Redis or target URLs.
  const side = baseSidePlan({ ...own, collectors: { ...own.collectors, databaseUrl: 'postgres://x@h/db' } })
  assert.equal(side?.targetUrl, BASE)
  assert.equal(side?.collectors.pprofUrl, `${BASE}/debug/pprof`)
  assert.equal(side?.collectors.metricsUrl, undefined)
  assert.equal(side?.collectors.databaseUrl, undefined)
  assert.equal(side?.collectors.debugAuthHeader, 'Authorization: Bearer base-admin-token')
  assert.equal(side?.outputDir, path.join(own.outputDir, 'paired-base'))
  // No base URL given: nothing to collect on the base side.
  assert.equal(baseSidePlan(await withConfig({ 'baseline-url': BASE })), undefined)
})

test('the base deployment collectors may be given in perfgate.yml collectors', async () => {
  const plan = await withConfig(
    { 'baseline-url': BASE },
    `collectors:\n  baseline-pprof-url: ${BASE}/debug/pprof\n  baseline-app-stats-urls: [/health/cache]\n`,
  )
  assert.deepEqual(plan.collectors.base, {
    pprofUrl: `${BASE}/debug/pprof`,
    appStatsUrls: [`${BASE}/health/cache`],
  })
})

test('the base deployment collectors are refused without baseline-url, or when malformed (a header value hidden)', async () => {
  assert.equal(
    await configError({ 'baseline-pprof-url': `${BASE}/debug/pprof`, 'baseline-metrics-url': `${BASE}/m` }),
    "baseline-metrics-url is set without baseline-url: the base deployment's collectors run in a paired run only; set baseline-url, or remove baseline-metrics-url, baseline-pprof-url",
  )
  assert.match(
    await configError({ 'baseline-url': BASE, 'baseline-pprof-url': 'base:6060/debug/pprof' }),
    /^baseline-pprof-url is "base:6060\/debug\/pprof": expected an http\(s\) URL, got base$/,
  )
  assert.match(
    await configError({ 'baseline-url': BASE, 'baseline-app-stats-urls': 'health/stats' }),
    /^baseline-app-stats-urls has "health\/stats": expected a path such as \/health\/stats \(appended to baseline-url\)/,
  )
  const header = await configError({
    'baseline-url': BASE,
    'baseline-debug-auth-header': 'Bearer base-secret-xyz',
  })
  assert.match(header, /^baseline-debug-auth-header is malformed \(value hidden\)/)
  assert.ok(!header.includes('base-secret-xyz'))
})

test('the base side header is a secret input, and credentials in the base side URLs are masked', () => {
  assert.ok((SECRET_INPUTS as readonly string[]).includes('baseline-debug-auth-header'))
  const secrets = inputSecrets(
    {
      'baseline-debug-auth-header': 'Authorization: Bearer base-secret-xyz',
      'baseline-metrics-url': 'https://u:metrics-pass-1@base.example.com/metrics',
      'baseline-app-stats-urls': 'https://base.example.com/stats?token=stats-token-2',
    },
    SECRET_INPUTS,
    {},
  )
  for (const s of ['base-secret-xyz', 'metrics-pass-1', 'stats-token-2'])
    assert.ok(secrets.includes(s), `${s} is masked`)
})

test('paired-max-duration: a paired run may load on until then; refused without baseline-url or below the scenario’s duration', async () => {
  const plan = await withConfig({ 'baseline-url': BASE, duration: '90s', 'paired-max-duration': '10m' })
  assert.equal(plan.pairedMaxDurationS, 600)
  assert.equal((await withConfig({ 'baseline-url': BASE })).pairedMaxDurationS, undefined)
  const fromFile = await withConfig({ 'baseline-url': BASE, duration: '60s' }, 'paired-max-duration: 3m\n')
  assert.equal(fromFile.pairedMaxDurationS, 180)
  assert.equal(
    await configError({ 'paired-max-duration': '10m' }),
    'paired-max-duration is "10m": it applies to a paired run only: set baseline-url, or remove paired-max-duration',
  )
  assert.equal(
    await configError({ 'baseline-url': BASE, duration: '90s', 'paired-max-duration': '90s' }),
    'paired-max-duration is "90s": it must be longer than the scenario\'s duration (90 s), where the first look is taken',
  )
  assert.match(
    await configError({ 'baseline-url': BASE, 'paired-max-duration': 'soon' }),
    /^paired-max-duration is "soon": expected a duration such as 30s, 3m or 1m30s$/,
  )
  assert.match(
    await configError({ 'baseline-url': BASE, 'paired-max-duration': '7h' }),
    /^paired-max-duration is "7h": allowed range is 1s to 6h/,
  )
})
