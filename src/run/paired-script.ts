// The paired k6 script (issue 19): the generated scenario run against the base and the PR
// deployment in one k6 process, as two k6 scenarios tagged side=base / side=pr. Pure: the
// generated script in, the paired script out; script-gen.ts stays as it is.
import { generateScript, SCENARIO_NAME, type ScriptInput } from './script-gen.ts'
import type { PairedDesign } from '../compare/paired.ts'

export const SIDE_SCENARIOS = { base: `${SCENARIO_NAME}_base`, pr: `${SCENARIO_NAME}_pr` } as const

export interface PairedScriptInput extends ScriptInput {
  baselineUrl: string
  design: PairedDesign
  /** Alternating design: the length of one slice; slices run A B B A A B B A … */
  sliceS?: number
  /**
   * The stopping rule's maximum (`paired-max-duration`): the load holds its last stage's VUs until
   * then, and perfgate ends it over k6's REST API as soon as every gated row has resolved.
   */
  maxDurationS?: number
}

interface Stage {
  duration: string
  target: number
}

/**
 * Simultaneous: both scenarios run the whole stages at once on separate VU pools (each with the
 * plan's VUs). Alternating: each side gets constant-VU slices at the plan's peak VUs, offset by
 * startTime in the order A B B A, so slice i of one side neighbours slice i of the other.
 */
export function generatePairedScript(input: PairedScriptInput): string {
  const script = generateScript(input)
  const match = /export const options = (\{[\s\S]*?\n\})\n/.exec(script)
  if (!match) throw new Error('paired script: the generated script has no options block')
  const options = JSON.parse(match[1]!) as {
    scenarios: Record<string, unknown>
    thresholds: Record<string, string[]>
  }
  const single = options.scenarios[SCENARIO_NAME] as { stages: Stage[] }
  single.stages = extendedStages(single.stages, input.maxDurationS)
  const sides = { base: input.baselineUrl, pr: input.targetUrl }
  options.scenarios =
    input.design === 'simultaneous'
      ? Object.fromEntries(
          (['base', 'pr'] as const).map((side) => [
            SIDE_SCENARIOS[side],
            { ...single, env: { PERFGATE_SIDE_URL: sides[side] }, tags: { side } },
          ]),
        )
      : alternatingScenarios(single.stages, input.sliceS ?? 10, sides)
  options.thresholds = sideThresholds(options.thresholds)
  return script
    .replace(match[0], `export const options = ${JSON.stringify(options, null, 2)}\n`)
    .replace(
      /^const BASE = (.*)$/m,
      // scenario env is visible in VU code only: setup() (ids from the PR side) keeps the default
      "const BASE_DEFAULT = $1\nconst sideBase = () => (__ENV.PERFGATE_SIDE_URL || BASE_DEFAULT).replace(/\\/+$/, '')",
    )
    .replace(/\bBASE \+ /g, 'sideBase() + ')
}

/**
 * The renamed scenarios carry no `scenario:perfgate` tag, so the thresholds that made k6's summary
 * list the load alone would match nothing: they become one per side (`side:base`, `side:pr`).
 */
function sideThresholds(thresholds: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [key, rules] of Object.entries(thresholds)) {
    const metric = new RegExp(`^(\\w+)\\{scenario:${SCENARIO_NAME}\\}$`).exec(key)?.[1]
    if (!metric) out[key] = rules
    else for (const side of ['base', 'pr'] as const) out[`${metric}{side:${side}}`] = rules
  }
  return out
}

/**
 * The stages held on until the stopping rule's maximum: the last stage's VUs (the peak's when the
 * stages end at 0 VUs, which would load nothing), so every look after the first sees the same load.
 */
export function extendedStages(stages: readonly Stage[], maxDurationS: number | undefined): Stage[] {
  const total = totalSeconds(stages)
  if (maxDurationS === undefined || maxDurationS <= total) return [...stages]
  const last = stages.at(-1)?.target ?? 0
  const target = last > 0 ? last : Math.max(1, ...stages.map((s) => s.target))
  return [...stages, { duration: `${round3(maxDurationS - total)}s`, target }]
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

function totalSeconds(stages: readonly Stage[]): number {
  return stages.reduce((s, st) => s + Number.parseFloat(st.duration), 0)
}

function alternatingScenarios(
  stages: readonly Stage[],
  sliceS: number,
  sides: { base: string; pr: string },
): Record<string, unknown> {
  const total = Math.max(2 * sliceS, totalSeconds(stages))
  const vus = Math.max(1, ...stages.map((s) => s.target))
  const slices = Math.floor(total / sliceS)
  const out: Record<string, unknown> = {}
  for (let i = 0; i < slices; i++) {
    // A B B A: slice pairs (0,1) (2,3) …; the pair's order flips every other pair
    const side = (i % 2 === 0) === (Math.floor(i / 2) % 2 === 0) ? 'base' : 'pr'
    out[`${SIDE_SCENARIOS[side]}_${i}`] = {
      executor: 'constant-vus',
      vus,
      duration: `${sliceS}s`,
      startTime: `${i * sliceS}s`,
      gracefulStop: '0s',
      env: { PERFGATE_SIDE_URL: sides[side] },
      tags: { side, slice: String(Math.floor(i / 2)) },
    }
  }
  return out
}
