// `perfgate profile top|diff` text, against golden files written by `go tool pprof`
// (UPDATE_GOLDEN=1 regenerates them; needs Go).
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { profileDiffCommand, profileTopCommand } from '../../src/analyze/pprof/cli.ts'
import { GOLDEN, findGo, fixturePath, goPprofTop, type Kind } from './pprof-helpers.ts'

function golden(name: string, flags: () => [string, string[]]): string {
  const file = path.join(GOLDEN, `${name}.txt`)
  if (process.env.UPDATE_GOLDEN === '1') {
    const go = findGo()
    if (!go) throw new Error('UPDATE_GOLDEN=1 needs the Go toolchain')
    const [profile, args] = flags()
    mkdirSync(GOLDEN, { recursive: true })
    writeFileSync(file, goPprofTop(go, profile, args))
  }
  return readFileSync(file, 'utf8')
}

describe('profileTopCommand', () => {
  it('prints what go tool pprof -top -nodecount=20 prints', async () => {
    const out = await profileTopCommand(fixturePath('current', 'cpu'), { nodeCount: 20 })
    assert.equal(out.ok, true)
    assert.equal(out.text, readFileSync(path.join(GOLDEN, 'top-cpu.txt'), 'utf8'))
  })

  it('takes a sample index by name', async () => {
    const out = await profileTopCommand(fixturePath('current', 'heap'), {
      sampleIndex: 'alloc_space',
      nodeCount: 20,
    })
    assert.equal(out.text, readFileSync(path.join(GOLDEN, 'top-heap-alloc_space.txt'), 'utf8'))
  })

  it('explains a missing file, a broken file and an unknown sample index in one line', async () => {
    const missing = await profileTopCommand('/nonexistent/cpu.pb.gz')
    assert.deepEqual(missing, { ok: false, text: '/nonexistent/cpu.pb.gz: cannot read the file (ENOENT)\n' })
    const notProfile = await profileTopCommand(
      path.resolve(import.meta.dirname, '../fixtures/pprof/gen/go.mod'),
    )
    assert.equal(notProfile.ok, false)
    assert.match(notProfile.text, /go\.mod: parsing profile: not a pprof protobuf profile/)
    const badIndex = await profileTopCommand(fixturePath('current', 'mutex'), { sampleIndex: 'cpu' })
    assert.equal(badIndex.ok, false)
    assert.match(badIndex.text, /sample_index "cpu" must be one of: \[contentions delay\]\n$/)
    for (const out of [missing, notProfile, badIndex]) assert.equal(out.text.trim().split('\n').length, 1)
  })
})

describe('profileDiffCommand', () => {
  for (const kind of ['cpu', 'heap', 'goroutine', 'mutex'] as Kind[]) {
    it(`ends with what go tool pprof -top -normalize -diff_base prints for ${kind}`, async () => {
      const expected = golden(`diff-${kind}`, () => [
        fixturePath('current', kind),
        ['-normalize', `-diff_base=${fixturePath('base', kind)}`, '-nodecount=20'],
      ])
      const out = await profileDiffCommand(fixturePath('base', kind), fixturePath('current', kind), {
        nodeCount: 20,
      })
      assert.equal(out.ok, true, out.text)
      assert.ok(out.text.endsWith('equivalent:\n' + expected), out.text)
    })
  }

  it('starts with the functions whose share grew most', async () => {
    const out = await profileDiffCommand(
      fixturePath('base', 'goroutine'),
      fixturePath('current', 'goroutine'),
    )
    const lines = out.text.split('\n')
    assert.equal(
      lines[0],
      "Functions whose share of goroutine grew most (flat, share of each profile's total):",
    )
    assert.match(lines[1]!, /base\s+current\s+delta\s+function/)
  })

  it('refuses to compare profiles of different kinds', async () => {
    const out = await profileDiffCommand(fixturePath('base', 'heap'), fixturePath('current', 'cpu'))
    assert.equal(out.ok, false)
    assert.equal(out.text.trim().split('\n').length, 1)
  })
})
