// Parsers for the small value languages of inputs and perfgate.yml: durations, targets, lists.
// Each returns undefined on bad input so callers can name the input or key in their error.
import type { Target } from './types.ts'

/** `90`, `90s`, `3m`, `1m30s`, `1h` → seconds. */
export function parseDurationS(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text : undefined
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) > 0 ? Number(trimmed) : undefined
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(trimmed)
  if (!match || trimmed === '') return undefined
  const [, h, m, s] = match
  const seconds = Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)
  return seconds > 0 ? seconds : undefined
}

export type TargetKind = 'ms' | 'fraction' | 'rps'

const OPERATOR = /^(<=|>=|<|>)?\s*/

/**
 * Parses a target as users write it: latency `<100ms`, `0.1s`, `75`; rates `<1%`, `0.01`;
 * throughput `>=100`, `100 req/s`. Keeps the user's text beside the value.
 */
export function parseTarget(input: string | number, kind: TargetKind): Target | undefined {
  const text = String(input).trim()
  const body = text.replace(OPERATOR, '')
  let value: number | undefined
  if (kind === 'ms') {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|us|µs)?$/.exec(body)
    if (match) {
      const n = Number(match[1])
      const unit = match[2] ?? 'ms'
      value = unit === 's' ? n * 1000 : unit === 'ms' ? n : n / 1000
    }
  } else if (kind === 'fraction') {
    const match = /^(\d+(?:\.\d+)?)\s*(%)?$/.exec(body)
    if (match) {
      const n = Number(match[1])
      value = match[2] ? n / 100 : n
      if (value > 1) value = undefined
    }
  } else {
    const match = /^(\d+(?:\.\d+)?)\s*(req\/s|rps|\/s)?$/.exec(body)
    if (match) value = Number(match[1])
  }
  return value === undefined || !Number.isFinite(value) ? undefined : { text, value }
}

/** Comma or newline separated list, blanks dropped. */
export function parseList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean)
}

/** `+10%` or `10%` or `0.1` → 0.1 (a relative tolerance). */
export function parseTolerance(input: string | number): number | undefined {
  const text = String(input).trim().replace(/^[+-]/, '')
  const match = /^(\d+(?:\.\d+)?)\s*(%)?$/.exec(text)
  if (!match) return undefined
  return match[2] ? Number(match[1]) / 100 : Number(match[1])
}
