// The action's inputs checked before the pipeline bundle loads: a wrong input is reported in a
// blink instead of after the several megabytes the pipeline's modules weigh (issue 18). Only the
// plan's own modules (plan/, secrets.ts) load here; main.ts builds the plan again for the run.
import { oneLine } from './errors.ts'
import { ConfigError } from './plan/errors.ts'
import { INPUT_NAMES } from './plan/inputs.ts'
import { loadPlan, SECRET_INPUTS, type Inputs } from './plan/load.ts'
import { inputSecrets, SecretScrubber } from './secrets.ts'

/** The inputs as @actions/core's getInput reads them (INPUT_<NAME>, spaces as _, trimmed). */
export function inputsFromEnv(env: NodeJS.ProcessEnv): Inputs {
  const inputs: Inputs = {}
  for (const name of INPUT_NAMES) inputs[name] = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim()
  return inputs
}

/**
 * The one-line configuration error of the action's inputs and perfgate.yml, secrets scrubbed, or
 * undefined when the plan loads. Other failures are left to the full run, which reports them.
 */
export async function inputProblem(env: NodeJS.ProcessEnv, cwd: string): Promise<string | undefined> {
  const inputs = inputsFromEnv(env)
  try {
    await loadPlan(inputs, { cwd, env })
    return undefined
  } catch (error) {
    if (!(error instanceof ConfigError)) return undefined
    return new SecretScrubber(inputSecrets(inputs, SECRET_INPUTS, env)).scrub(oneLine(error))
  }
}

/** The secret values among the inputs, masked in the log before any error line can name them. */
export function secretInputValues(env: NodeJS.ProcessEnv): string[] {
  return [...inputSecrets(inputsFromEnv(env), SECRET_INPUTS, env)]
}
