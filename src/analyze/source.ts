// Finding code in the checked-out repository: where a SQL statement is written, where a
// function is defined, started with `go f()`, or called. Pure over in-memory files; reading
// the files is load-inputs.ts's job (scanRepository).

import { globalLocksAroundIo, type GlobalLockSite } from './source-locks.ts'
import { createLoopScanner, type RepeatSite } from './source-loops.ts'

export interface SourceFile {
  /** Relative to the repository root, with forward slashes. */
  path: string
  text: string
}

export interface SourceIndex {
  /** Files searched (after the limits). */
  filesCount: number
  /** Why the search was cut short, if it was. */
  truncated?: string
  /** `FILE:LINE` where the statement's text is written, best match first; undefined when not found. */
  locateStatement(query: string): string | undefined
  /** `FILE:LINE` of a function's definition (Go), by its pprof name. */
  locateFunction(name: string): string | undefined
  /**
   * Functions that call or start (`go f()`) the given function, each with where the call is:
   * `{ caller: 'handleClipDetail', location: 'internal/app/handlers.go:138' }`.
   */
  callersOf(name: string): { caller: string; location: string; go: boolean }[]
  /** From where a statement is written: the call that runs it and the loop that repeats it (source-loops.ts). */
  repeatSite(statementLocation: string): RepeatSite | undefined
  /** Package-level mutexes locked around an I/O call, and where (source-locks.ts). */
  globalLocks(): GlobalLockSite[]
}

/** The short name of a pprof function name: `github.com/a/b.(*Server).handle.func1` → `handle`. */
export function shortFunctionName(name: string): string {
  const slash = name.lastIndexOf('/')
  let rest = name.slice(slash + 1)
  const dot = rest.indexOf('.')
  if (dot >= 0) rest = rest.slice(dot + 1)
  const parts = rest.split('.').filter((p) => !/^(func\d+|gowrap\d+|deferwrap\d+|\d+)$/.test(p))
  const last = parts[parts.length - 1] ?? rest
  return last.replace(/^\(\*?|\)$/g, '').replace(/\[.*\]$/, '')
}

/** Lowercase, one space between tokens, spaces around punctuation dropped. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/ ?([(),=<>;]) ?/g, '$1')
    .trim()
}

interface Normalised {
  text: string
  /** For each character of `text`, the 1-based line it came from. */
  lines: Int32Array
}

function normaliseWithLines(raw: string): Normalised {
  // Same rules as normalise(), keeping a line number per output character.
  const out: string[] = []
  const lines: number[] = []
  let line = 1
  let pendingSpace = false
  const punct = new Set(['(', ')', ',', '=', '<', '>', ';'])
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!
    if (c === '\n') line++
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      pendingSpace = out.length > 0
      continue
    }
    const lower = c.toLowerCase()
    if (pendingSpace && !punct.has(lower) && !punct.has(out[out.length - 1] ?? '')) {
      out.push(' ')
      lines.push(line)
    }
    pendingSpace = false
    out.push(lower)
    lines.push(line)
  }
  return { text: out.join(''), lines: Int32Array.from(lines) }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Lower is better: application source before tests, fixtures, docs and generated code. */
function pathRank(p: string): number {
  if (/(^|\/)(__tests__|tests?|spec|fixtures|testdata|mocks?|examples?)\//i.test(p)) return 2
  if (/(_test\.go|\.test\.[jt]s|\.spec\.[jt]s|_spec\.rb|Test\.(java|kt))$/.test(p)) return 2
  if (/\.sql$/.test(p)) return 1
  return 0
}

const GO_FUNC = /^func\s+(?:\(\s*\w*\s*\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*)?(\w+)\s*[([]/

/**
 * createSourceIndex builds the index over the given files. Statements are matched on
 * whitespace- and case-normalised text; `$1`-style placeholders of pg_stat_statements also
 * match a literal, `?`, `%s`, `:name` or `@name` in the source. When the whole statement is not found,
 * its first 8 tokens are tried (statements assembled from pieces).
 */
export function createSourceIndex(files: SourceFile[], truncated?: string): SourceIndex {
  const sorted = [...files].sort((a, b) => pathRank(a.path) - pathRank(b.path) || (a.path < b.path ? -1 : 1))
  let normalised: { path: string; n: Normalised }[] | undefined
  const norm = () => (normalised ??= sorted.map((f) => ({ path: f.path, n: normaliseWithLines(f.text) })))

  const goFiles = sorted.filter((f) => f.path.endsWith('.go'))
  let goFuncs: { path: string; lines: string[]; starts: { line: number; name: string }[] }[] | undefined
  const goIndex = () =>
    (goFuncs ??= goFiles.map((f) => {
      const lines = f.text.split('\n')
      const starts: { line: number; name: string }[] = []
      lines.forEach((l, i) => {
        const m = GO_FUNC.exec(l)
        if (m) starts.push({ line: i + 1, name: m[2]! })
      })
      return { path: f.path, lines, starts }
    }))

  const find = (pattern: RegExp): string | undefined => {
    for (const { path, n } of norm()) {
      const m = pattern.exec(n.text)
      if (m) return `${path}:${n.lines[m.index]}`
    }
    return undefined
  }

  let loops: ReturnType<typeof createLoopScanner> | undefined
  let locks: GlobalLockSite[] | undefined
  return {
    globalLocks: () => (locks ??= globalLocksAroundIo(sorted)),
    repeatSite: (location: string) => (loops ??= createLoopScanner(sorted)).repeatSite(location),
    filesCount: files.length,
    ...(truncated ? { truncated } : {}),
    locateStatement(query: string) {
      const q = normalise(query)
      if (q.length < 12) return undefined
      const toPattern = (text: string) =>
        text
          .split(/\$\d+/)
          .map(escapeRegExp)
          .join(String.raw`(?:\$\d+|\?|:\w+|@\w+|%s|%\(\w+\)s|'[^']*'|-?[\w.]+)`)
      const full = find(new RegExp(toPattern(q)))
      if (full) return full
      const tokens = q.split(' ')
      if (tokens.length > 8) {
        const prefix = find(new RegExp(toPattern(tokens.slice(0, 8).join(' '))))
        if (prefix) return prefix
      }
      // A statement assembled from a column list and a literal tail: find the tail from FROM on.
      const from = q.indexOf(' from ')
      if (from < 0 || q.length - from < 24) return undefined
      const tail = q.slice(from + 1)
      const found = find(new RegExp(toPattern(tail)))
      if (found) return found
      const tailTokens = tail.split(' ')
      return tailTokens.length > 6 ? find(new RegExp(toPattern(tailTokens.slice(0, 6).join(' ')))) : undefined
    },
    locateFunction(name: string) {
      const short = shortFunctionName(name)
      const receiver = /\(\*?(\w+)\)\.[^.]+$/.exec(name.replace(/\.(func|gowrap)\d+(\.\d+)*$/, ''))?.[1]
      let fallback: string | undefined
      for (const f of goIndex()) {
        for (const s of f.starts) {
          if (s.name !== short) continue
          const line = f.lines[s.line - 1]!
          const m = GO_FUNC.exec(line)
          if (!receiver || m?.[1] === receiver) return `${f.path}:${s.line}`
          fallback ??= `${f.path}:${s.line}`
        }
      }
      return fallback
    },
    callersOf(name: string) {
      const short = shortFunctionName(name)
      const call = new RegExp(String.raw`(^|[^\w])(go\s+)?(?:[\w.]+\.)?${escapeRegExp(short)}\s*\(`)
      const out: { caller: string; location: string; go: boolean }[] = []
      for (const f of goIndex()) {
        let current: string | undefined
        let next = 0
        f.lines.forEach((l, i) => {
          while (next < f.starts.length && f.starts[next]!.line <= i + 1) current = f.starts[next++]!.name
          if (GO_FUNC.test(l)) return
          const trimmed = l.trim()
          if (trimmed.startsWith('//')) return
          const m = call.exec(l)
          if (m && current && current !== short)
            out.push({ caller: current, location: `${f.path}:${i + 1}`, go: Boolean(m[2]) })
        })
        if (out.length >= 20) break
      }
      return out
    },
  }
}

/** An index over nothing: every lookup answers undefined. */
export const EMPTY_SOURCE_INDEX: SourceIndex = createSourceIndex([])
