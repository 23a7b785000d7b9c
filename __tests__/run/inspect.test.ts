import { test } from 'node:test'
import assert from 'node:assert/strict'
import { applyOverrides, scriptRunOf, steadyWindow } from '../../src/run/inspect.ts'

const staged = scriptRunOf({
  maxVUs: 5,
  scenarios: {
    default: {
      executor: 'ramping-vus',
      stages: [
        { duration: '5s', target: 5 },
        { duration: '10s', target: 5 },
        { duration: '5s', target: 0 },
      ],
    },
  },
})

const twoScenarios = scriptRunOf({
  maxVUs: 14,
  scenarios: {
    api: {
      executor: 'constant-arrival-rate',
      rate: 10,
      timeUnit: '1s',
      duration: '20s',
      maxVUs: 10,
      startTime: '2s',
    },
    browse: { executor: 'ramping-vus', exec: 'browse', stages: [{ duration: '10s', target: 4 }] },
  },
})

test('k6 inspect output becomes scenarios with their start, length and VUs, without graceful stop', () => {
  assert.deepEqual(staged, {
    scenarios: [
      {
        name: 'default',
        executor: 'ramping-vus',
        startS: 0,
        durationS: 20,
        maxVUs: 5,
        stages: [
          { duration: '5s', target: 5 },
          { duration: '10s', target: 5 },
          { duration: '5s', target: 0 },
        ],
      },
    ],
    maxVUs: 5,
    durationS: 20,
  })
  assert.equal(twoScenarios.durationS, 22)
  assert.equal(twoScenarios.scenarios[0]!.maxVUs, 10)
  assert.equal(twoScenarios.scenarios[1]!.exec, 'browse')
})

test('no vus or duration input leaves the script as written', () => {
  assert.deepEqual(applyOverrides('s.js', staged, {}), { args: [], run: staged })
})

test('a duration alone keeps the script’s peak VUs as a constant load of that length', () => {
  const { args, run } = applyOverrides('s.js', staged, { durationS: 5 })
  assert.deepEqual(args, ['--vus', '5', '--duration', '5s'])
  assert.equal(run.durationS, 5)
  assert.equal(run.scenarios[0]!.executor, 'constant-vus')
  assert.deepEqual(run.overrides, { durationS: 5 })
})

test('named scenarios are refused in one line naming the inputs to drop', () => {
  assert.throws(
    () => applyOverrides('mixed.js', twoScenarios, { durationS: 5, vus: 2 }),
    (error: Error) => {
      assert.equal(
        error.message,
        "script mixed.js defines k6 scenarios (api: constant-arrival-rate, browse: ramping-vus → browse()) that k6's --vus/--duration would replace entirely: drop the duration and vus inputs to run the script as written (22 s, up to 14 VUs), or shorten its scenarios",
      )
      return true
    },
  )
})

test('the steady window of stages is their hold at the highest target', () => {
  assert.deepEqual(steadyWindow(staged), { startS: 5, endS: 15 })
})

test('the steady window of a constant load starts after a short warm-up', () => {
  const constant = scriptRunOf({
    scenarios: { default: { executor: 'constant-vus', vus: 3, duration: '60s' } },
  })
  assert.deepEqual(steadyWindow(constant), { startS: 5, endS: 60 })
  // The busiest scenario decides, on its own start time.
  assert.deepEqual(steadyWindow(twoScenarios), { startS: 6, endS: 22 })
})

test('stages without a hold are steady from the highest target to their end', () => {
  const ramps = scriptRunOf({
    scenarios: {
      default: {
        executor: 'ramping-vus',
        stages: [
          { duration: '10s', target: 8 },
          { duration: '10s', target: 2 },
        ],
      },
    },
  })
  assert.deepEqual(steadyWindow(ramps), { startS: 10, endS: 20 })
})
