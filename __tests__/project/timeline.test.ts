import { test } from 'node:test'
import assert from 'node:assert/strict'
import { overheadBeyondLoad } from '../../src/record/stages.ts'
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

test('a stage ended by hand spans from the run start, and the overhead runs from the load end to the last stage', async () => {
  let clock = 0
  const lines: string[] = []
  const stages = new StageTimeline(
    (line) => lines.push(line),
    () => clock,
  )
  clock = 30
  stages.ended('plan')
  await stages.time('load', async () => void (clock += 60_000))
  await stages.time('cool-down', async () => void (clock += 1_500))
  await stages.time('comparison', async () => void (clock += 200))
  assert.deepEqual(stages.spans[0], { stage: 'plan', startMs: 0, endMs: 30 })
  assert.deepEqual(overheadBeyondLoad(stages.spans), { ms: 1700, untilStage: 'comparison', coolDownMs: 1500 })
  stages.logOverhead()
  assert.equal(
    lines.at(-1),
    "perfgate: overhead beyond the load: 1.70 s from k6's exit to the end of comparison (cool-down 1.50 s of it)",
  )
})

test('without a load stage there is no overhead beyond the load, and none is logged', async () => {
  const lines: string[] = []
  const stages = new StageTimeline((line) => lines.push(line))
  await stages.time('analysis', async () => undefined)
  assert.equal(overheadBeyondLoad(stages.spans), undefined)
  stages.logOverhead()
  assert.deepEqual(lines, ['perfgate: stage analysis took 0.00 s'])
})
