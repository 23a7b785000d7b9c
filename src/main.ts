// The action's front door: only this module touches @actions/core.
import * as core from '@actions/core'
import { INPUT_NAMES } from './plan/inputs.ts'
import { loadPlan, SECRET_INPUTS, type Inputs } from './plan/load.ts'
import { runPipeline } from './pipeline.ts'
import { secretParts } from './secrets.ts'
import { oneLine } from './errors.ts'

export function readInputs(): Inputs {
  const inputs: Inputs = {}
  for (const name of INPUT_NAMES) inputs[name] = core.getInput(name)
  // Mask before anything can print them.
  for (const name of SECRET_INPUTS) secretParts(inputs[name]).forEach((part) => core.setSecret(part))
  return inputs
}

export async function run(): Promise<void> {
  let debug = false
  try {
    const inputs = readInputs()
    debug = /^(true|1|yes)$/i.test(inputs.debug ?? '')
    const plan = await loadPlan(inputs, { cwd: process.cwd(), env: process.env })
    const result = await runPipeline(plan, {
      env: process.env,
      log: (line) => core.info(line),
      onProgress: (p) =>
        core.info(
          `load ${Math.round(p.elapsedS)}/${p.totalS}s: ${p.vus} VUs, ${p.requests} requests, ${p.errors} errors`,
        ),
    })
    core.setOutput('result-path', result.resultPath)
  } catch (error) {
    if (debug && error instanceof Error && error.stack) core.debug(error.stack)
    core.setFailed(oneLine(error))
  }
}
