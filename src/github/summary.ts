// The job summary: appended to the file GITHUB_STEP_SUMMARY names, within GitHub's 1 MiB per step.
import { appendFile, stat } from 'node:fs/promises'

/** GitHub refuses to show a step summary over 1 MiB. */
export const MAX_SUMMARY_BYTES = 1024 * 1024

export const SUMMARY_TRIMMED_NOTE =
  '\n\n> **Trimmed:** the job summary is limited to 1 MiB; the full report is in the run artifact.\n'

export type SummaryResult = { file: string; bytes: number; trimmed: boolean } | { skipped: string }

/** Cuts markdown to at most `maxBytes` UTF-8 bytes (note included), at a line end when there is one. */
export function trimToBytes(
  markdown: string,
  maxBytes: number,
  note = SUMMARY_TRIMMED_NOTE,
): { text: string; trimmed: boolean } {
  if (Buffer.byteLength(markdown) <= maxBytes) return { text: markdown, trimmed: false }
  const room = Math.max(0, maxBytes - Buffer.byteLength(note))
  // Decoding a cut buffer may end in half a character: drop the replacement character it becomes.
  let cut = Buffer.from(markdown)
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '')
  const lineEnd = cut.lastIndexOf('\n')
  if (lineEnd > room / 2) cut = cut.slice(0, lineEnd)
  return { text: `${cut}${note}`, trimmed: true }
}

/** Appends the summary to GITHUB_STEP_SUMMARY, trimmed (with a note) to what is left of 1 MiB. */
export async function writeJobSummary(
  markdown: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SummaryResult> {
  const file = env.GITHUB_STEP_SUMMARY
  if (!file) return { skipped: 'GITHUB_STEP_SUMMARY is not set (not running on a GitHub runner)' }
  const used = await stat(file).then(
    (s) => s.size,
    () => 0,
  )
  const room = MAX_SUMMARY_BYTES - used
  if (room < Buffer.byteLength(SUMMARY_TRIMMED_NOTE) + 1)
    return { skipped: `the step summary already holds ${used} bytes of its 1 MiB` }
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`
  const trimmed = trimToBytes(text, room)
  await appendFile(file, trimmed.text)
  return { file, bytes: Buffer.byteLength(trimmed.text), trimmed: trimmed.trimmed }
}
