// The runner's event payload (GITHUB_EVENT_PATH) is read by @actions/github when its module loads:
// an empty or broken file would end the action with a stack trace before run() starts. It is
// checked first, so the action fails with one line instead.
import { readFileSync } from 'node:fs'

/** What is wrong with the event file named by GITHUB_EVENT_PATH, or undefined when it is fine or unset. */
export function eventFileProblem(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.GITHUB_EVENT_PATH
  if (!file) return undefined
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    // A missing file is tolerated (the environment still names the ref and sha).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return `GITHUB_EVENT_PATH ${file} cannot be read: ${(error as Error).message.split('\n')[0]}`
  }
  if (text.trim() === '')
    return `GITHUB_EVENT_PATH ${file} is empty: the runner writes the event's JSON payload there; run perfgate in a GitHub Actions job or unset GITHUB_EVENT_PATH`
  try {
    JSON.parse(text)
  } catch (error) {
    return `GITHUB_EVENT_PATH ${file} is not JSON (${(error as Error).message.split('\n')[0]}): the runner writes the event's JSON payload there`
  }
  return undefined
}
