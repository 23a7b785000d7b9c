// No data is never a pass: a run that completed no request fails the gate, and cannot become a baseline.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startTarget } from './run-support.ts'
import { findPathBaseline } from '../../src/baseline/path.ts'
import { isUnavailable } from '../../src/record/common.ts'
import type { Plan } from '../../src/plan/types.ts'
import { ENDPOINTS, syntheticRecord } from '../compare/helpers.ts'

// Every iteration throws before its request: k6 exits 0 with zero requests.
const THROWING_SCRIPT = `
export const options = { vus: 2, duration: '2s' }
export default function () { throw new Error('the journey broke before its first request') }
`

test('a zero-request run under fail-on slo fails the gate with one line and is marked unusable as a baseline', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-nodata-'))
  const target = await startTarget()
  try {
    const script = join(dir, 'throwing.js')
    await writeFile(script, THROWING_SCRIPT)
    const out = join(dir, 'out')
    const run = await runCli([
      'run',
      '--target-url',
      target.url,
      '--script',
      script,
      '--fail-on',
      'slo',
      '--output-dir',
      out,
    ])
    assert.equal(run.code, 1, run.stdout + run.stderr)
    assert.match(run.stdout, /^verdict: fail \(no data: the load test completed no request/m)
    const record = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'))
    assert.equal(record.load.overall.count, 0)
    assert.equal(record.load.unusableAsBaseline, 'it completed no request')

    // perfgate compare of such a record fails too, and the record is not taken as a baseline.
    const compared = await runCli(['compare', join(out, 'result.json'), join(out, 'result.json')])
    assert.equal(compared.code, 1, compared.stdout + compared.stderr)
    assert.match(compared.stdout, /no data: the load test completed no request/)
  } finally {
    await target.close()
    await rm(dir, { recursive: true, force: true })
  }
})

test('baseline lookup skips a record that completed no request, with a note saying why', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'perfgate-nodata-'))
  try {
    const record = syntheticRecord({ seed: 1, endpoints: ENDPOINTS })
    if (isUnavailable(record.load)) throw new Error('synthetic record has load')
    record.load.overall.count = 0
    delete record.load.unusableAsBaseline // an older record, judged by its counts
    await writeFile(join(dir, 'base.json'), JSON.stringify(record))
    const plan = { baseline: { kind: 'path', path: 'base.json', history: 1 }, outputDir: dir } as Plan
    const found = await findPathBaseline(plan, dir)
    assert.equal(found.baseline, undefined)
    assert.deepEqual(found.notes, ['skipped base.json: not usable as a baseline (it completed no request)'])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
