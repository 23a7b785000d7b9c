// Markdown building blocks. Everything that comes from the target (query texts, function names,
// URLs, error messages) goes through these, so a hostile string renders inert in a PR comment.
import { markdownTable } from 'markdown-table'

/**
 * Text for inline markdown and table cells: HTML is escaped, pipes and backticks cannot break a
 * table or start code, newlines are flattened, and @mentions and #references cannot ping anyone.
 */
export function inline(text: string | number | undefined | null): string {
  if (text === undefined || text === null) return ''
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/#(?=\d)/g, '#\u200b')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\\/g, '&#92;')
    .replace(/([*_~[\]])/g, '\\$1')
}

/** Inline code for a short identifier (function, table, endpoint); falls back to escaped text. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, ' ')
  if (flat.includes('`') || flat.includes('|')) return inline(flat)
  return `\`${flat}\``
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

/** A collapsed section; the summary is escaped, the body is trusted markdown built here. */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${inline(summary)}</summary>\n\n${body}\n\n</details>`
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
