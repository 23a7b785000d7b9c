// decodeProfile and checkProfile on good and bad input: bad input is a one-line reason, never an exception.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Profile as WireProfile, StringTable, ValueType } from 'pprof-format'
import { topTable } from '../../src/analyze/pprof/index.ts'
import { checkProfile, decodeProfile } from '../../src/pprof/decode.ts'
import { KINDS, fixturePath } from './pprof-helpers.ts'

function assertReason(result: { ok: true } | { ok: false; reason: string }, pattern: RegExp): void {
  assert.equal(result.ok, false)
  if (result.ok) return
  assert.match(result.reason, pattern)
  assert.ok(!result.reason.includes('\n'), 'the reason is one line')
}

describe('decodeProfile', () => {
  for (const kind of KINDS) {
    it(`decodes the gzipped and the raw ${kind} profile to the same samples`, () => {
      const gz = readFileSync(fixturePath('current', kind))
      const fromGz = decodeProfile(gz)
      const fromRaw = decodeProfile(gunzipSync(gz))
      assert.ok(fromGz.ok && fromRaw.ok)
      assert.ok(fromGz.value.samples.length > 0)
      assert.deepEqual(fromRaw.value.samples.length, fromGz.value.samples.length)
      assert.deepEqual(fromRaw.value.sampleTypes, fromGz.value.sampleTypes)
    })
  }

  it('reports a truncated .pb.gz', () => {
    const gz = readFileSync(fixturePath('current', 'cpu'))
    assertReason(decodeProfile(gz.subarray(0, Math.floor(gz.length / 2))), /^decompressing profile: /)
  })

  it('reports a truncated raw profile', () => {
    const raw = gunzipSync(readFileSync(fixturePath('current', 'heap')))
    assertReason(decodeProfile(raw.subarray(0, raw.length - 7)), /^parsing profile: .*truncated/)
  })

  it('reports empty input, compressed or not', () => {
    assertReason(decodeProfile(new Uint8Array()), /empty input file/)
    assertReason(decodeProfile(gzipSync(Buffer.alloc(0))), /empty input file/)
  })

  it('reports input that is not a profile', () => {
    assertReason(decodeProfile(Buffer.from('{"goroutines": 12}\n')), /not a pprof protobuf profile/)
    assertReason(
      decodeProfile(Buffer.from('goroutine profile: total 4\n1 @ 0x1 0x2\n')),
      /not a pprof protobuf/,
    )
    assertReason(decodeProfile(gzipSync(Buffer.from('<html>502 Bad Gateway</html>'))), /not a pprof protobuf/)
  })

  it('reports a profile without sample types', () => {
    const bytes = new WireProfile({ stringTable: new StringTable() }).encode()
    assertReason(decodeProfile(bytes), /no sample types/)
  })

  it('decodes a profile with sample types and no samples to an empty table', () => {
    const strings = new StringTable()
    const bytes = new WireProfile({
      stringTable: strings,
      sampleType: [new ValueType({ type: strings.dedup('goroutine'), unit: strings.dedup('count') })],
    }).encode()
    const decoded = decodeProfile(bytes)
    assert.ok(decoded.ok)
    const table = topTable(decoded.value)
    assert.ok(table.ok)
    assert.equal(table.value.total, 0)
    assert.deepEqual(table.value.rows, [])
    assert.deepEqual(table.value.header, ['Type: goroutine', 'Showing nodes accounting for 0, 0% of 0 total'])
  })

  it('gives a one-line reason when asked for a sample type the profile does not have', () => {
    const decoded = decodeProfile(readFileSync(fixturePath('current', 'goroutine')))
    assert.ok(decoded.ok)
    const table = topTable(decoded.value, { sampleIndex: 'inuse_space' })
    assert.equal(table.ok, false)
    if (!table.ok) assert.equal(table.reason, 'sample_index "inuse_space" must be one of: [goroutine]')
    const outOfRange = topTable(decoded.value, { sampleIndex: '3' })
    assert.equal(outOfRange.ok, false)
    if (!outOfRange.ok) assert.equal(outOfRange.reason, 'sample_index 3 is outside the range [0..0]')
  })
})

describe('checkProfile (the collector check, without building the model)', () => {
  for (const kind of KINDS) {
    it(`counts the samples of the ${kind} profile as decodeProfile does`, () => {
      const gz = readFileSync(fixturePath('current', kind))
      const decoded = decodeProfile(gz)
      assert.ok(decoded.ok)
      assert.deepEqual(checkProfile(gz), { ok: true, value: { samples: decoded.value.samples.length } })
      assert.deepEqual(checkProfile(gunzipSync(gz)), checkProfile(gz))
    })
  }

  it('refuses what decodeProfile refuses before building the model, with the same reason', () => {
    const gz = readFileSync(fixturePath('current', 'cpu'))
    const bad = [
      gz.subarray(0, Math.floor(gz.length / 2)),
      new Uint8Array(),
      Buffer.from('{"goroutines": 12}\n'),
      gzipSync(Buffer.from('<html>502 Bad Gateway</html>')),
      new WireProfile({ stringTable: new StringTable() }).encode(),
    ]
    for (const bytes of bad) {
      const decoded = decodeProfile(bytes)
      assert.equal(decoded.ok, false)
      if (!decoded.ok)
        assertReason(
          checkProfile(bytes),
          new RegExp(`^${decoded.reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        )
    }
  })
})
