// The rows of one comparison as a family. Each row's window test runs at `alpha`, but a comparison
// tests ~5 metrics for each endpoint and overall, so with 9 endpoints about 50 rows: by chance
// alone one of them crosses alpha = 0.01 in a large share of runs of the same build (seen in this
// project's own A/A test: related_clips p95 +30 %, p = 0.007). Holm's step-down adjustment keeps
// the chance of any false regression or improvement among all rows at alpha, and is never less
// powerful than Bonferroni. Pure.
import { holmAdjust } from './stats.ts'
import {
  judge,
  needsNoiseTest,
  noiseTest,
  type JudgeInput,
  type JudgeOptions,
  type Judgement,
  type NoiseTest,
} from './verdict.ts'

/** One row to judge: its input and its own options (the seed is the row's). */
export interface FamilyMember {
  input: JudgeInput
  options: JudgeOptions
}

/** Most relabellings a row's finer p-value may take; with 50 rows at alpha 0.01 it takes 10,000. */
const MAX_TEST_RESAMPLES = 100_000

/**
 * Judges every member, then adjusts the p-values of the rows that have a window test with Holm
 * over all of them, and judges again with the adjusted p deciding. A random-relabelling p-value
 * cannot go below 1 / (1 + relabellings) (1/1001 by default), above the smallest Holm threshold
 * alpha / m once there are more than ~10 rows, so rows that would be a regression or improvement
 * get their test again with 2·m / alpha relabellings (so that one hit still passes alpha / m) (each at most MAX_TEST_RESAMPLES) first.
 * `correct: false` gives each row's own verdict (the bench compares both).
 */
export function judgeFamily(members: readonly FamilyMember[], correct = true): Judgement[] {
  const tests: (NoiseTest | undefined)[] = members.map(({ input, options }) =>
    needsNoiseTest(input, options) ? noiseTest(input, options) : undefined,
  )
  const first = members.map(({ input, options }, i) =>
    judge(input, options, tests[i] ? { test: tests[i] } : {}),
  )
  if (!correct) return first
  const tested = tests.flatMap((test, i) => (test ? [i] : []))
  if (tested.length < 2) return first
  const alpha = Math.min(...tested.map((i) => members[i]!.options.alpha))
  const fine = Math.min(MAX_TEST_RESAMPLES, Math.ceil((2 * tested.length) / alpha))
  for (const i of tested) {
    // Beyond tolerance and significant alone: a regression or improvement unless the family says no.
    const claim = first[i]!.verdict !== 'unchanged' && tests[i]!.pValue < alpha
    if (!claim || tests[i]!.resolution === 0 || tests[i]!.resolution <= alpha / tested.length / 2) continue
    const { input, options } = members[i]!
    tests[i] = noiseTest(input, { ...options, testResamples: fine })
  }
  const adjusted = holmAdjust(tested.map((i) => tests[i]!.pValue))
  const family = new Map(tested.map((i, k) => [i, { size: tested.length, adjustedP: adjusted[k]! }]))
  return members.map(({ input, options }, i) => {
    const test = tests[i]
    const member = family.get(i)
    return test && member ? judge(input, options, { test, family: member }) : first[i]!
  })
}
