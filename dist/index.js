import { createRequire as __perfgateCreateRequire } from 'node:module'
const require = __perfgateCreateRequire(import.meta.url)
import { e as eventFileProblem } from './pipeline.js';
import { l as loadPlan, C as ConfigError, S as SecretScrubber, i as inputSecrets, a as SECRET_INPUTS, o as oneLine, I as INPUT_NAMES } from './pipeline3.js';
import 'node:fs';
import 'node:path';
import 'node:fs/promises';
import 'process';
import 'buffer';

// The action's inputs checked before the pipeline bundle loads: a wrong input is reported in a
// blink instead of after the several megabytes the pipeline's modules weigh (issue 18). Only the
// plan's own modules (plan/, secrets.ts) load here; main.ts builds the plan again for the run.
/** The inputs as @actions/core's getInput reads them (INPUT_<NAME>, spaces as _, trimmed). */
function inputsFromEnv(env) {
    const inputs = {};
    for (const name of INPUT_NAMES)
        inputs[name] = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim();
    return inputs;
}
/**
 * The one-line configuration error of the action's inputs and perfgate.yml, secrets scrubbed, or
 * undefined when the plan loads. Other failures are left to the full run, which reports them.
 */
async function inputProblem(env, cwd) {
    const inputs = inputsFromEnv(env);
    try {
        await loadPlan(inputs, { cwd, env });
        return undefined;
    }
    catch (error) {
        if (!(error instanceof ConfigError))
            return undefined;
        return new SecretScrubber(inputSecrets(inputs, SECRET_INPUTS, env)).scrub(oneLine(error));
    }
}
/** The secret values among the inputs, masked in the log before any error line can name them. */
function secretInputValues(env) {
    return [...inputSecrets(inputsFromEnv(env), SECRET_INPUTS, env)];
}

// main.ts (and the pipeline bundle behind it) is loaded only once the event file parses (see
// event-file.ts) and the inputs make a plan, so a wrong input is reported in a blink.
const problem = eventFileProblem(process.env) ?? (await inputProblem(process.env, process.cwd()));
if (problem) {
    // Masked first, as main.ts does, so the runner hides them in every later line too.
    for (const secret of secretInputValues(process.env))
        process.stdout.write(`::add-mask::${secret}\n`);
    process.stdout.write(`::error::${problem}\n`);
    process.exitCode = 1;
}
else {
    const { run } = await import('./pipeline5.js');
    await run();
}
//# sourceMappingURL=index.js.map
