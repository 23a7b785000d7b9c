import { test } from 'node:test'
import assert from 'node:assert/strict'
import { waitUntilSettled, type SettleReading } from '../../src/collect/cool-down.ts'

/** A fake clock: sleep advances it; `levels` are read one per sample. */
function drive(levels: SettleReading[][], maxS = 10) {
  let now = 0
  let reads = 0
  const read = async () => levels[Math.min(reads++, levels.length - 1)]!
  return waitUntilSettled(read, { maxS, sleep: async (ms) => void (now += ms), now: () => now })
}

test('the cool-down ends at the first sample back at the pre-load goroutine count', async () => {
  const settled = await drive([[{ what: 'goroutines', value: 12, before: 14 }]])
  assert.deepEqual(settled, {
    waitedS: 1,
    reason: 'back to the pre-load level: goroutines 12 (14 before the load)',
  })
})

test('a level that stays above the pre-load one but is stable over two samples ends the cool-down (a leak stays put)', async () => {
  const settled = await drive([
    [{ what: 'goroutines', value: 300, before: 14 }],
    [{ what: 'goroutines', value: 120, before: 14 }],
    [{ what: 'goroutines', value: 120, before: 14 }],
  ])
  assert.equal(settled.waitedS, 3)
  assert.equal(settled.reason, 'stable over two samples: goroutines 120 (14 before the load)')
})

test('a level still falling is waited for up to the maximum, and the reason says it did not settle', async () => {
  let value = 500
  let now = 0
  const settled = await waitUntilSettled(async () => [{ what: 'goroutines', value: value--, before: 14 }], {
    maxS: 4,
    sleep: async (ms) => void (now += ms),
    now: () => now,
  })
  assert.equal(settled.waitedS, 4)
  assert.equal(settled.reason, 'the 4s maximum, not settled: goroutines 497 (14 before the load)')
})

test('with nothing to watch the cool-down is the full maximum', async () => {
  const settled = await drive([[]], 3)
  assert.deepEqual(settled, {
    waitedS: 3,
    reason: 'the 3s maximum (no collector reads goroutines or in-flight requests)',
  })
})
