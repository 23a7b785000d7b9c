// Constructors of the model's blocks, spans and sections, so the section modules read as the
// report they build. Pure.
import { NO_ANALYSIS, sentence } from './format.ts'
import type { Block, ListItem, ReportModel, Section, Span, Text } from './model.ts'

export const note = (text: string): Block => ({ kind: 'note', text })
/** The one-line note of a part that is not there: not collected, or not analysed. */
export const notCollected = (reason: string): Block =>
  note(`${reason === NO_ANALYSIS ? 'Not analysed' : 'Not collected'}: ${sentence(reason)}.`)
export const para = (text: Text): Block => ({ kind: 'paragraph', text })
export const list = (items: ListItem[], ordered = false): Block => ({ kind: 'list', items, ordered })
export const codeBlock = (text: string, language = ''): Block => ({ kind: 'code', text, language })
export const section = (id: string, title: string, blocks: Block[], children: Section[] = []): Section => ({
  id,
  title,
  blocks,
  children,
})
export const strong = (text: string): Span => ({ text, strong: true })
export const plain = (text: string): Span => ({ text })
export const codeSpan = (text: string): Span => ({ text, code: true })
/** A `**Label:** value` list item. */
export const kv = (label: string, value: Text): ListItem => ({
  text: [strong(label + ':'), plain(' '), ...(typeof value === 'string' ? [plain(value)] : value)],
})

/** Characters a code span from the analysis helpers' texts may hold (SQL, names); others stay plain. */
const SAFE_CODE = /^[\w\s.,:;=()$*'"+\-/[\]{}…%!?&#>]+$/

/** Text with `code` spans (the analysis helpers' item texts) as spans; the renderer escapes both. */
export function withCode(text: string): Span[] {
  return text.split(/(`[^`\n]+`)/).flatMap((part) => {
    if (part === '') return []
    const inner = part.slice(1, -1)
    return /^`[^`\n]+`$/.test(part) && SAFE_CODE.test(inner) ? [codeSpan(inner)] : [plain(part)]
  })
}

/**
 * An EXPLAIN output: FORMAT JSON pretty-printed, text plans as they are; with `maxLines`, only its
 * first lines and where the full plan is (`file`, beside the report).
 */
export function planBlock(text: string, file?: string, maxLines?: number): Block {
  let body = text.trim()
  let language = ''
  try {
    body = JSON.stringify(JSON.parse(text), null, 2)
    language = 'json'
  } catch {
    // A text plan: shown as it is.
  }
  const lines = body.split('\n')
  if (maxLines !== undefined && lines.length > maxLines)
    body = [
      ...lines.slice(0, maxLines),
      `… ${lines.length - maxLines} more lines in ${file ?? 'the full plan'}`,
    ].join('\n')
  return codeBlock(body, language)
}

/** The comment's and summary's line when no finding came out, naming what was looked at. */
export function noFindingsLine(model: Pick<ReportModel, 'overall' | 'findingSources'>): string {
  if (!model.overall) return '**Top findings**: none, the load test measured nothing to analyse.'
  const sources = model.findingSources
  const only = sources.length === 1
  const list = only ? sources[0]! : `${sources.slice(0, -1).join(', ')} and ${sources.at(-1)!}`
  return `**Top findings**: none, nothing stood out in ${list}${only ? ' (no database, Redis, metrics or pprof URL was given, so nothing else was looked at)' : ''}.`
}
