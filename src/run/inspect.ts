// A user's k6 script, read before any load: `k6 inspect --execution-requirements` gives its
// resolved options (scenarios, executors, stages, max VUs). perfgate then passes the `vus` and
// `duration` inputs as k6's own CLI overrides, or refuses when k6 would silently replace the
// script's scenarios with them, and places the collectors' windows on the script's timeline.
import { execFile } from 'node:child_process'
import { basename } from 'node:path'
import { parseDurationS } from '../plan/values.ts'
import type { ScriptRun, ScriptScenario } from '../record/scenario.ts'
import { lastK6Error } from './index.ts'

export type { ScriptRun } from '../record/scenario.ts'

/** The part of k6's inspect output perfgate reads (k6 writes null for unset options). */
interface InspectedOptions {
  maxVUs?: number | null
  scenarios?: Record<string, Record<string, unknown>> | null
}

const INSPECT_TIMEOUT_MS = 60_000

/** Runs `k6 inspect --execution-requirements` on the script; throws one line when k6 cannot read it. */
export async function inspectScript(
  k6Path: string,
  scriptPath: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ScriptRun> {
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      k6Path,
      ['inspect', '--execution-requirements', scriptPath],
      { cwd: options.cwd, env: options.env, timeout: INSPECT_TIMEOUT_MS, maxBuffer: 16 << 20 },
      (error, out, err) => {
        if (!error) return resolve(out)
        // The cause on the first line (what a one-line error shows), k6's stderr tail below it.
        const tail = err.trim().split('\n').slice(-30)
        const why = err.trim() ? lastK6Error(tail) : error.message
        reject(new Error(`k6 cannot read the script ${basename(scriptPath)}: ${why}\n${tail.join('\n')}`))
      },
    ),
  )
  return scriptRunOf(JSON.parse(stdout) as InspectedOptions)
}

/** The scenarios of k6's inspect output, with their start, length and VUs in seconds. Pure. */
export function scriptRunOf(options: InspectedOptions): ScriptRun {
  const scenarios = Object.entries(options.scenarios ?? {}).map(([name, s]) => scenarioOf(name, s))
  const durationS = Math.max(0, ...scenarios.map((s) => s.startS + s.durationS))
  const maxVUs = options.maxVUs ?? Math.max(0, ...scenarios.map((s) => s.maxVUs))
  return { scenarios, maxVUs, durationS }
}

function seconds(value: unknown): number {
  return typeof value === 'string' || typeof value === 'number' ? (parseDurationS(value) ?? 0) : 0
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function scenarioOf(name: string, s: Record<string, unknown>): ScriptScenario {
  const executor = String(s.executor ?? 'unknown')
  const stages = Array.isArray(s.stages)
    ? (s.stages as { duration?: unknown; target?: unknown }[]).map((stage) => ({
        duration: String(stage.duration ?? '0s'),
        target: numberOf(stage.target) ?? 0,
      }))
    : undefined
  const vus = numberOf(s.vus)
  const rate = numberOf(s.rate)
  const durationS = stages
    ? stages.reduce((sum, stage) => sum + seconds(stage.duration), 0)
    : seconds(s.duration ?? s.maxDuration)
  const maxVUs =
    numberOf(s.maxVUs) ??
    (executor === 'ramping-vus' && stages
      ? Math.max(numberOf(s.startVUs) ?? 0, ...stages.map((stage) => stage.target))
      : (vus ?? numberOf(s.preAllocatedVUs) ?? 1))
  const exec = typeof s.exec === 'string' && s.exec !== 'default' ? s.exec : undefined
  return {
    name,
    executor,
    ...(exec ? { exec } : {}),
    startS: seconds(s.startTime),
    durationS,
    maxVUs,
    ...(stages ? { stages } : {}),
    ...(vus !== undefined ? { vus } : {}),
    ...(rate !== undefined ? { rate, timeUnit: String(s.timeUnit ?? '1s') } : {}),
  }
}

/**
 * Executors whose single `default` scenario k6's `--vus`/`--duration` replace with the same
 * script function at constant VUs. Any other shape k6 replaces too ("cli level configuration
 * overrode scenarios configuration entirely"), dropping the script's executors and exec functions.
 */
const OVERRIDABLE = new Set(['constant-vus', 'ramping-vus', 'per-vu-iterations', 'shared-iterations'])

/**
 * The k6 CLI arguments for the `vus`/`duration` inputs and the run they make; throws one line
 * naming the input(s) to drop when the script's scenarios cannot be shortened that way. Pure.
 */
export function applyOverrides(
  script: string,
  inspected: ScriptRun,
  given: { vus?: number; durationS?: number },
): { args: string[]; run: ScriptRun } {
  if (given.vus === undefined && given.durationS === undefined) return { args: [], run: inspected }
  const only = inspected.scenarios.length === 1 ? inspected.scenarios[0] : undefined
  if (!only || only.exec || only.startS > 0 || !OVERRIDABLE.has(only.executor)) {
    const inputs = [given.durationS !== undefined ? 'duration' : '', given.vus !== undefined ? 'vus' : '']
      .filter(Boolean)
      .join(' and ')
    const described = inspected.scenarios
      .map((s) => `${s.name}: ${s.executor}${s.exec ? ` → ${s.exec}()` : ''}`)
      .join(', ')
    throw new Error(
      `script ${basename(script)} defines k6 scenarios (${described}) that k6's --vus/--duration would replace entirely: drop the ${inputs} input${inputs.includes(' and ') ? 's' : ''} to run the script as written (${Math.round(inspected.durationS)} s, up to ${inspected.maxVUs} VUs), or shorten its scenarios`,
    )
  }
  // Both flags: with one of them k6 keeps or drops the script's stages depending on the shape.
  const vus = given.vus ?? inspected.maxVUs
  const durationS = given.durationS ?? inspected.durationS
  const run: ScriptRun = {
    scenarios: [{ name: 'default', executor: 'constant-vus', startS: 0, durationS, maxVUs: vus, vus }],
    maxVUs: vus,
    durationS,
    overrides: given,
  }
  return { args: ['--vus', String(vus), '--duration', `${durationS}s`], run }
}

/** Seconds of a constant load left out of the steady state at its start (connections, caches). */
const WARM_UP_S = 5

/**
 * The steady part of a script's timeline, in seconds since the start: for stages, the longest
 * hold at the highest target; for constant VUs or rates, the run after a short warm-up. The
 * busiest scenario (most VUs) decides. Pure.
 */
export function steadyWindow(run: ScriptRun): { startS: number; endS: number } {
  const busiest = [...run.scenarios].sort((a, b) => b.maxVUs - a.maxVUs || b.durationS - a.durationS)[0]
  if (!busiest || busiest.durationS <= 0) return { startS: 0, endS: run.durationS }
  const start = busiest.startS
  if (!busiest.stages) {
    const warm = Math.min(WARM_UP_S, busiest.durationS * 0.2)
    return { startS: start + warm, endS: start + busiest.durationS }
  }
  let at = start
  let previous = 0
  let best: { startS: number; endS: number; target: number } | undefined
  for (const stage of busiest.stages) {
    const length = seconds(stage.duration)
    const hold = stage.target === previous && stage.target > 0
    if (
      hold &&
      (!best ||
        stage.target > best.target ||
        (stage.target === best.target && length > best.endS - best.startS))
    )
      best = { startS: at, endS: at + length, target: stage.target }
    at += length
    previous = stage.target
  }
  if (best) return { startS: best.startS, endS: best.endS }
  // Only ramps: from where the highest target is reached to the end of the stages.
  at = start
  let peakAt = start
  let peak = -1
  for (const stage of busiest.stages) {
    at += seconds(stage.duration)
    if (stage.target > peak) {
      peak = stage.target
      peakAt = at
    }
  }
  return peakAt < at ? { startS: peakAt, endS: at } : { startS: start + (at - start) / 2, endS: at }
}
