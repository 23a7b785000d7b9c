// Markdown building blocks. Everything that comes from the target (query texts, function names,
// URLs, error messages) goes through these, so a hostile string renders inert in a PR comment.
import { markdownTable } from 'markdown-table'

/**
 * Mentions (`@user`, `@org/team`) and references (`#12`, `GH-12`) GitHub would turn into a ping or a
 * cross-reference; inline() puts them in code spans, where GitHub leaves them alone, so no
 * invisible character has to be slipped into the text.
 */
const PINGS = /((?<![\w.])@[A-Za-z0-9][\w-]*(?:\/[\w.-]+)?|#\d+|\bGH-\d+)/gi

/** Plain text with HTML escaped and every markdown punctuation that could start markup backslashed. */
function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_~[\]|]/g, '\\$&')
}

/** A code span whose fence is longer than any backtick run inside (CommonMark's rule). */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const bar = '`'.repeat(longest + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${bar}${pad}${text}${pad}${bar}`
}

/**
 * Text for inline markdown and table cells: HTML is escaped, markdown punctuation (pipes,
 * backticks, emphasis, links) is backslash-escaped, newlines are flattened, and @mentions and
 * #references are put in code spans so they cannot ping anyone.
 */
export function inline(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return ''
  const flat = String(text).replace(/\r?\n|\r/g, ' ')
  return flat
    .split(PINGS)
    .map((part, i) => (i % 2 === 1 ? codeSpan(part) : escapeText(part)))
    .join('')
}

/** Inline code for a short identifier (function, table, endpoint, SQL); a pipe would end a table cell, so text with one is escaped text instead. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, ' ')
  if (flat.includes('|') || flat.trim() === '') return inline(flat)
  return codeSpan(flat)
}

/** A fenced block whose fence is longer than any backtick run inside, so it cannot be closed early. */
export function fence(text: string, language = ''): string {
  const body = inertCode(text.replace(/\s+$/, ''))
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length))
  const bar = '`'.repeat(longest + 1)
  return `${bar}${language.replace(/[^A-Za-z0-9_+-]/g, '')}\n${body}\n${bar}`
}

/**
 * Text for the inside of a code block: shown literally, but a zero-width space keeps `@team` from
 * pinging and `</details>`-like tags from being matched by anything that scans the raw comment.
 */
export function inertCode(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/<(?=\/?[A-Za-z!])/g, '<\u200b')
    .replace(/\r\n?/g, '\n')
}

/** A table whose cells are already escaped with inline()/code(). */
export function table(header: string[], rows: string[][], align?: ('l' | 'r' | 'c')[]): string {
  return markdownTable([header, ...rows], { align })
}

export function heading(level: number, text: string): string {
  return `${'#'.repeat(level)} ${text}`
}

export const fmt = {
  ms(value: number | undefined): string {
    if (value === undefined || !Number.isFinite(value)) return 'n/a'
    if (value >= 1000) return `${(value / 1000).toFixed(2)} s`
    if (value >= 100) return `${Math.round(value)} ms`
    if (value >= 10) return `${value.toFixed(1)} ms`
    return `${value.toFixed(2)} ms`
  },
  pct(fraction: number | undefined, digits = 1): string {
    if (fraction === undefined || !Number.isFinite(fraction)) return 'n/a'
    return `${(fraction * 100).toFixed(digits)}%`
  },
  signedPct(fraction: number | undefined): string {
    if (fraction === undefined || !Number.isFinite(fraction)) return 'n/a'
    const value = fraction * 100
    return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)}%`
  },
  rps(value: number | undefined): string {
    if (value === undefined || !Number.isFinite(value)) return 'n/a'
    return `${value >= 100 ? Math.round(value) : value.toFixed(1)} req/s`
  },
  count(value: number | undefined): string {
    if (value === undefined || !Number.isFinite(value)) return 'n/a'
    return Math.round(value).toLocaleString('en-US')
  },
  bytes(value: number | undefined): string {
    if (value === undefined || !Number.isFinite(value)) return 'n/a'
    const units = ['B', 'kB', 'MB', 'GB', 'TB']
    let v = value
    let i = 0
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024
      i++
    }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
  },
}
