import { eventFileProblem } from './event-file.ts'

// main.ts is loaded only once the event file is known to parse (see event-file.ts).
const problem = eventFileProblem(process.env)
if (problem) {
  process.stdout.write(`::error::${problem}\n`)
  process.exitCode = 1
} else {
  const { run } = await import('./main.ts')
  await run()
}
