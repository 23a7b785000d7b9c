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

test('goroutines within the leak threshold of the pre-load count end the cool-down at once; above it, a drain is waited for', async () => {
  // 13 against 10 before: the leak check would need +20, so waiting longer cannot change its verdict
  const within = await drive([[{ what: 'goroutines', value: 13, before: 10, slack: 20 }]])
  assert.deepEqual(within, {
    waitedS: 1,
    reason:
      'back within the leak threshold of the pre-load level: goroutines 13 (10 before the load, a leak needs +20)',
  })
  // in-flight requests have no slack: still 2 in flight is not settled
  const inFlight = await drive([
    [
      { what: 'goroutines', value: 13, before: 10, slack: 20 },
      { what: 'in-flight requests', value: 2, before: 0 },
    ],
    [
      { what: 'goroutines', value: 12, before: 10, slack: 20 },
      { what: 'in-flight requests', value: 0, before: 0 },
    ],
  ])
  assert.equal(inFlight.waitedS, 2)
  // 40 against 10 (threshold +20) is still draining: waited until it is within it
  const draining = await drive([
    [{ what: 'goroutines', value: 60, before: 10, slack: 20 }],
    [{ what: 'goroutines', value: 40, before: 10, slack: 20 }],
    [{ what: 'goroutines', value: 29, before: 10, slack: 20 }],
  ])
  assert.equal(draining.waitedS, 3)
  // a leak above the threshold stays put: stable over two samples, as before
  const leak = await drive([
    [{ what: 'goroutines', value: 312, before: 10, slack: 20 }],
    [{ what: 'goroutines', value: 312, before: 10, slack: 20 }],
  ])
  assert.match(leak.reason, /^stable over two samples: goroutines 312/)
})
