// topTable/formatTopText against golden files written by `go tool pprof -top` from the
// committed fixtures. Regenerate with UPDATE_GOLDEN=1 (needs Go) and review the diff.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { formatTopText, topTable } from '../../src/analyze/pprof/index.ts'
import {
  GOLDEN,
  TOP_CASES,
  findGo,
  fixturePath,
  goPprofTop,
  loadProfile,
  topFlags,
  type TopCase,
} from './pprof-helpers.ts'

const update = process.env.UPDATE_GOLDEN === '1'

function golden(name: string, produce: () => string): string {
  const file = path.join(GOLDEN, `${name}.txt`)
  if (update) {
    mkdirSync(GOLDEN, { recursive: true })
    writeFileSync(file, produce())
  }
  return readFileSync(file, 'utf8')
}

function goldenTop(c: TopCase): string {
  return golden(`top-${c.name}`, () => {
    const go = findGo()
    if (!go) throw new Error('UPDATE_GOLDEN=1 needs the Go toolchain')
    return goPprofTop(go, fixturePath('current', c.kind), topFlags(c))
  })
}

describe('pprof top table on the committed fixtures', () => {
  for (const c of TOP_CASES) {
    it(`prints the same text as go tool pprof -top for ${c.name}`, () => {
      const table = topTable(loadProfile(fixturePath('current', c.kind)), c)
      assert.ok(table.ok, table.ok ? '' : table.reason)
      assert.equal(formatTopText(table.value), goldenTop(c))
    })
  }

  it('orders rows by flat, then name, and accumulates sum% from flat', () => {
    const table = topTable(loadProfile(fixturePath('current', 'cpu')))
    assert.ok(table.ok)
    const rows = table.value.rows
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!]
      assert.ok(a.flat > b.flat || (a.flat === b.flat && a.name < b.name), `${a.name} before ${b.name}`)
    }
    let sum = 0
    for (const row of rows) {
      sum += row.flat
      assert.ok(Math.abs(row.sumPct - (sum / table.value.total) * 100) < 1e-9)
      assert.ok(row.cum >= row.flat)
    }
  })

  it('counts a recursive function once per sample in cum', () => {
    const table = topTable(loadProfile(fixturePath('current', 'cpu')))
    assert.ok(table.ok)
    const fib = table.value.rows.find((r) => r.name === 'main.fib')
    assert.ok(fib, 'main.fib is in the table')
    assert.ok(fib.cum <= table.value.total)
    assert.ok(fib.cumPct <= 100)
  })

  it('uses inuse_space by default for heap and alloc_space for allocs', () => {
    const heap = topTable(loadProfile(fixturePath('current', 'heap')))
    const allocs = topTable(loadProfile(fixturePath('current', 'allocs')))
    assert.ok(heap.ok && allocs.ok)
    assert.equal(heap.value.sampleType, 'inuse_space')
    assert.equal(allocs.value.sampleType, 'alloc_space')
    assert.equal(heap.value.rows[0]?.name, 'main.bigBuffers')
  })

  it('reports the header totals as numbers as well as text', () => {
    const table = topTable(loadProfile(fixturePath('current', 'goroutine')))
    assert.ok(table.ok)
    assert.equal(table.value.sampleType, 'goroutine')
    assert.ok(table.value.header.includes('Type: goroutine'))
    assert.ok(
      table.value.header.some((l) => l.startsWith(`Showing nodes accounting for ${table.value.shownTotal},`)),
    )
  })
})
