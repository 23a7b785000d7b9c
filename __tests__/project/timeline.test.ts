import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StageTimeline } from '../../src/timeline.ts'

test('each stage is kept with its start and end and logged with its duration, also when it throws', async () => {
  let clock = 1000
  const lines: string[] = []
  const stages = new StageTimeline(
    (line) => lines.push(line),
    () => clock,
  )
  await stages.time('k6 locate', async () => void (clock += 120))
  await assert.rejects(
    stages.time('load', async () => {
      clock += 61_500
      throw new Error('k6 died')
    }),
    /k6 died/,
  )
  assert.deepEqual(stages.spans, [
    { stage: 'k6 locate', startMs: 0, endMs: 120 },
    { stage: 'load', startMs: 120, endMs: 61_620 },
  ])
  assert.deepEqual(lines, ['perfgate: stage k6 locate took 0.12 s', 'perfgate: stage load took 61.5 s'])
})
