import { eventFileProblem } from './event-file.ts'
import { inputProblem, secretInputValues } from './input-check.ts'

// main.ts (and the pipeline bundle behind it) is loaded only once the event file parses (see
// event-file.ts) and the inputs make a plan, so a wrong input is reported in a blink.
const problem = eventFileProblem(process.env) ?? (await inputProblem(process.env, process.cwd()))
if (problem) {
  // Masked first, as main.ts does, so the runner hides them in every later line too.
  for (const secret of secretInputValues(process.env)) process.stdout.write(`::add-mask::${secret}\n`)
  process.stdout.write(`::error::${problem}\n`)
  process.exitCode = 1
} else {
  const { run } = await import('./main.ts')
  await run()
}
