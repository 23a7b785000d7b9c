// `perfgate compare <baseline> <current>`: per-metric verdicts, exit code from the gate, and errors
// that speak about the records it was given.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { RECORDS } from '../report/fixtures.ts'
import { perfgate } from './helpers.ts'

const RUN = path.join(RECORDS, 'testbed-run', 'result.json')
const BASELINE = path.join(RECORDS, 'testbed-baseline', 'result.json')

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-cli-compare-'))
  try {
    await fn(dir)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The fields of a record the tests break. */
interface Editable {
  schema: unknown
  meta: unknown
  load: { endpoints: unknown[] }
}

async function variant(dir: string, name: string, change: (data: Editable) => void) {
  const data = JSON.parse(await readFile(RUN, 'utf8')) as Editable
  change(data)
  const file = path.join(dir, name)
  await writeFile(file, JSON.stringify(data))
  return file
}

test('perfgate compare --json prints the comparison of two schema 1 records and the gate', async () => {
  await withDir(async (dir) => {
    const result = await perfgate(['compare', BASELINE, RUN, '--json', '--fail-on', 'never'], dir)
    assert.equal(result.code, 0, result.stderr)
    const out = JSON.parse(result.stdout) as {
      comparison: { baselineFound: boolean; rows: { id: string; verdict: string }[] }
      gate: { verdict: string; failed: boolean }
    }
    assert.equal(out.comparison.baselineFound, true)
    assert.ok(out.comparison.rows.some((row) => row.id === 'overall.p95Ms'))
    assert.equal(out.gate.failed, false)
  })
})

test('perfgate compare exits 1 when the gate fails and prints one row per metric', async () => {
  await withDir(async (dir) => {
    const result = await perfgate(['compare', BASELINE, RUN, '--fail-on', 'slo'], dir)
    assert.equal(result.code, 1, result.stderr)
    assert.match(result.stdout, /^(regression|improvement|unchanged|inconclusive|no-data) +\S/m)
    assert.match(result.stdout, /^verdict: fail \(SLO failed: /m)
  })
})

test('perfgate compare of a record with an empty meta names the record and the field, not target-url', async () => {
  await withDir(async (dir) => {
    const current = await variant(dir, 'current.json', (data) => (data.meta = {}))
    const result = await perfgate(['compare', BASELINE, current], dir)
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr.trim(),
      `perfgate: ${current} is not a valid perfgate record: meta.tool: missing (want string) (and 4 more)`,
    )
    assert.doesNotMatch(result.stderr, /target-url/)
  })
})

test('perfgate compare of a string schema says wrong type, not missing', async () => {
  await withDir(async (dir) => {
    const current = await variant(dir, 'current.json', (data) => (data.schema = '1'))
    const result = await perfgate(['compare', BASELINE, current], dir)
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr.trim(),
      `perfgate: ${current} is not a perfgate record: schema: wrong type (string, want number)`,
    )
  })
})

test('perfgate compare with a deep-broken baseline is one line naming it, not a TypeError', async () => {
  await withDir(async (dir) => {
    const baseline = await variant(dir, 'baseline.json', (data) => (data.load.endpoints[0] = null))
    const result = await perfgate(['compare', baseline, RUN], dir)
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr.trim(),
      `perfgate: ${baseline} is not a valid perfgate record: load.endpoints[0]: wrong type (null, want object)`,
    )
  })
})
