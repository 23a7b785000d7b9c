// Imported first by the CLI: an empty or broken GITHUB_EVENT_PATH (read by @actions/github when
// its module loads) becomes one warning line, and the CLI goes on without the payload.
import { eventFileProblem } from './event-file.ts'

const problem = eventFileProblem(process.env)
if (problem) {
  process.stderr.write(`perfgate: warning: ${problem}; going on without it\n`)
  delete process.env.GITHUB_EVENT_PATH
}
