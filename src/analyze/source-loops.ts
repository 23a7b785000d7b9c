// The loop behind a repeated statement, from the Go source: the line that issues the statement
// (the call its SQL text is passed to), and the `for` loop around it or around a call of its
// function, with whether the call's arguments change from one iteration to the next (an N+1)
// or not (the same fetch repeated). Pure over in-memory files; a heuristic scan of Go, not a
// parser: go/parser is not available to a JavaScript action, and the scan only needs braces,
// strings and comments told apart.

export interface RepeatSite {
  /** `FILE:LINE` of the call that runs the statement. */
  query: string
  /** `FILE:LINE` of the `for` that repeats it (around the query, or around a call of its function). */
  loop?: string
  /** Whether the repeated call's arguments use a value bound in the loop (its variables or what its body assigns). */
  varies?: boolean
}

interface GoFile {
  path: string
  /** The text with strings and comments blanked (newlines kept), so braces and names can be counted. */
  code: string
  literals: [number, number][]
  lineStarts: number[]
}

/**
 * Go source with string, rune and comment contents blanked (offsets and newlines kept), and the
 * [start, end) offsets of each string literal, quotes included.
 */
function maskWithLiterals(text: string): { code: string; literals: [number, number][] } {
  const literals: [number, number][] = []
  const out = text.split('')
  let i = 0
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i)
      const to = end < 0 ? text.length : end
      blank(i, to)
      i = to
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      const to = end < 0 ? text.length : end + 2
      blank(i, to)
      i = to
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1)
      const to = end < 0 ? text.length : end + 1
      blank(i + 1, to - 1)
      literals.push([i, to])
      i = to
    } else if (c === '"' || c === "'") {
      let k = i + 1
      while (k < text.length && text[k] !== c && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1
      blank(i + 1, k)
      if (c === '"') literals.push([i, k + 1])
      i = k + 1
    } else i++
  }
  return { code: out.join(''), literals }
}

function goFile(path: string, text: string): GoFile {
  const lineStarts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1)
  return { path, ...maskWithLiterals(text), lineStarts }
}

const lineOf = (f: GoFile, offset: number): number => {
  let lo = 0
  let hi = f.lineStarts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (f.lineStarts[mid]! <= offset) lo = mid
    else hi = mid - 1
  }
  return lo + 1
}

const lineText = (f: GoFile, line: number): string =>
  f.code.slice(f.lineStarts[line - 1] ?? 0, (f.lineStarts[line] ?? f.code.length + 1) - 1)

/** The offset of the bracket matching the opening one at `open`, or the end of the file. */
function matching(code: string, open: number): number {
  const o = code[open]!
  const c = o === '{' ? '}' : o === '(' ? ')' : ']'
  let depth = 0
  for (let i = open; i < code.length; i++) {
    if (code[i] === o) depth++
    else if (code[i] === c && --depth === 0) return i
  }
  return code.length
}

interface Block {
  /** 1-based line of the keyword. */
  line: number
  open: number
  close: number
  header: string
}

/** `func` bodies and `for` bodies of a file, as offset ranges. */
function blocks(f: GoFile, keyword: 'func' | 'for'): Block[] {
  const out: Block[] = []
  const re = keyword === 'func' ? /^func\b[^\n]*?\{\s*$/gm : /^[ \t]*for\b[^\n]*\{\s*$/gm
  for (let m = re.exec(f.code); m; m = re.exec(f.code)) {
    const open = m.index + m[0].lastIndexOf('{')
    out.push({ line: lineOf(f, m.index), open, close: matching(f.code, open), header: m[0] })
  }
  return out
}

const inside = (b: Block, offset: number) => offset > b.open && offset < b.close

/** The innermost block containing the offset. */
function innermost(list: Block[], offset: number): Block | undefined {
  let best: Block | undefined
  for (const b of list) if (inside(b, offset) && (!best || b.open > best.open)) best = b
  return best
}

/** Names a loop binds: its header's variables and whatever its body assigns or scans before `until`. */
function boundNames(f: GoFile, loop: Block, until: number): Set<string> {
  const names = new Set<string>()
  const header = /for\s+([\w\s,]+?)\s*:?=/.exec(loop.header)?.[1]
  for (const n of header?.split(',') ?? []) if (n.trim() && n.trim() !== '_') names.add(n.trim())
  const body = f.code.slice(loop.open, until)
  for (const m of body.matchAll(/(?:^|[;{\n])\s*([\w\s,.[\]]+?)\s*:?=[^=]/g))
    for (const n of m[1]!.split(',')) {
      const root = /^\s*(\w+)/.exec(n)?.[1]
      if (root && root !== '_') names.add(root)
    }
  for (const m of body.matchAll(/&(\w+)/g)) names.add(m[1]!)
  for (const m of body.matchAll(/\bvar\s+(\w+)/g)) names.add(m[1]!)
  return names
}

/** The identifiers a call's arguments use (not field names after a dot). */
function argumentNames(f: GoFile, callOpen: number): Set<string> {
  const args = f.code.slice(callOpen + 1, matching(f.code, callOpen))
  return new Set([...args.matchAll(/(?<![.\w])([A-Za-z_]\w*)/g)].map((m) => m[1]!))
}

/** The `(` of the innermost call that is still open at the offset, if any, within the block. */
function openCall(f: GoFile, offset: number, from: number): number | undefined {
  let depth = 0
  for (let i = offset - 1; i > from; i--) {
    const c = f.code[i]
    if (c === ')') depth++
    else if (c === '(') {
      if (depth === 0) return i
      depth--
    } else if ((c === '{' || c === '}') && depth === 0) return undefined
  }
  return undefined
}

/** The function declared by a `func` header: its name without receiver. */
const funcName = (header: string) => /^func\s+(?:\([^)]*\)\s*)?(\w+)/.exec(header)?.[1]

export interface LoopScanner {
  repeatSite(location: string): RepeatSite | undefined
}

/**
 * createLoopScanner: given where a statement's SQL text is written (`FILE:LINE`), finds the call
 * that runs it, then a `for` around that call in its function, else around a call of that function
 * (two callers up), and whether that call's arguments depend on the loop.
 */
export function createLoopScanner(files: { path: string; text: string }[]): LoopScanner {
  const go = files.filter((f) => f.path.endsWith('.go') && !f.path.endsWith('_test.go'))
  const parsed = new Map<string, { file: GoFile; funcs: Block[]; loops: Block[] }>()
  const get = (p: string) => {
    let e = parsed.get(p)
    if (!e) {
      const src = go.find((f) => f.path === p)
      if (!src) return undefined
      const file = goFile(p, src.text)
      e = { file, funcs: blocks(file, 'func'), loops: blocks(file, 'for') }
      parsed.set(p, e)
    }
    return e
  }

  /** A loop around the offset within its function, with whether the call at `callOpen` varies with it. */
  const loopAround = (p: string, offset: number, callOpen: number | undefined) => {
    const e = get(p)!
    const fn = innermost(e.funcs, offset)
    const loop = innermost(
      e.loops.filter((l) => !fn || (l.open > fn.open && l.close < fn.close)),
      offset,
    )
    if (!loop) return undefined
    const bound = boundNames(e.file, loop, offset)
    const used = callOpen !== undefined ? argumentNames(e.file, callOpen) : new Set<string>()
    return { loop: `${p}:${loop.line}`, varies: [...used].some((n) => bound.has(n)) }
  }

  /** Call sites of a function (by name) in every Go file: path, offset of its `(`. */
  const callSites = (name: string) => {
    const out: { path: string; offset: number }[] = []
    const re = new RegExp(String.raw`(?<![\w])${name}\s*\(`, 'g')
    for (const f of go) {
      const e = get(f.path)!
      for (const m of e.file.code.matchAll(re)) {
        const at = m.index
        if (/func\s+(\([^)]*\)\s*)?$/.test(e.file.code.slice(Math.max(0, at - 80), at))) continue
        out.push({ path: f.path, offset: at + m[0].length - 1 })
      }
    }
    return out
  }

  return {
    repeatSite(location) {
      const m = /^(.*):(\d+)$/.exec(location)
      if (!m) return undefined
      const e = get(m[1]!)
      if (!e) return undefined
      const { file, funcs } = e
      const lineStart = file.lineStarts[Number(m[2]) - 1]
      if (lineStart === undefined) return undefined
      // The statement text starts on this line: inside a literal opened earlier, or in one opened here.
      const lineEnd = file.lineStarts[Number(m[2])] ?? file.code.length
      const literal =
        file.literals.find(([a, b]) => a < lineStart && b > lineStart) ??
        file.literals.find(([a]) => a >= lineStart && a < lineEnd)
      if (!literal) return { query: location }
      const lit = literal[0]
      const textLine = lineText(file, lineOf(file, lit))
      const fn = innermost(funcs, lit)
      let callOpen = fn ? openCall(file, lit, fn.open) : undefined
      let queryAt = callOpen
      const assigned = /(\w+)\s*(?::=|=)\s*[`"]?\s*$/.exec(
        textLine.slice(0, lit - file.lineStarts[lineOf(file, lit) - 1]!),
      )
      if (callOpen === undefined && assigned) {
        // `q := "SELECT …"` then `db.Query(ctx, q, …)`, or a `const Q = "…"` used elsewhere.
        const name = assigned[1]!
        const uses = fn
          ? [
              ...file.code.slice(lit, fn.close).matchAll(new RegExp(String.raw`(?<![.\w])${name}\b`, 'g')),
            ].map((u) => ({ path: file.path, offset: lit + u.index }))
          : go.flatMap((g) =>
              [...get(g.path)!.file.code.matchAll(new RegExp(String.raw`(?<![\w])${name}\b`, 'g'))]
                .map((u) => ({ path: g.path, offset: u.index }))
                .filter(
                  (u) =>
                    (u.path !== file.path || u.offset !== lit) && innermost(get(u.path)!.funcs, u.offset),
                ),
            )
        const use = uses.find((u) => openCall(get(u.path)!.file, u.offset, 0) !== undefined)
        if (!use) return undefined
        const useFile = get(use.path)!.file
        callOpen = openCall(useFile, use.offset, 0)
        queryAt = callOpen
        return this.repeatFrom(use.path, callOpen!)
      }
      if (queryAt === undefined) return { query: location }
      return this.repeatFrom(file.path, queryAt)
    },
    // The query call at `callOpen` in `p`: the loop around it, or around its function's callers.
    repeatFrom(p: string, callOpen: number): RepeatSite {
      const e = get(p)!
      const query = `${p}:${lineOf(e.file, callOpen)}`
      const here = loopAround(p, callOpen, callOpen)
      if (here) return { query, ...here }
      let frontier = [innermost(e.funcs, callOpen)]
      for (let depth = 0; depth < 2; depth++) {
        const next: (Block | undefined)[] = []
        for (const fn of frontier) {
          const name = fn && funcName(fn.header)
          if (!name) continue
          for (const site of callSites(name)) {
            const found = loopAround(site.path, site.offset, site.offset)
            if (found) return { query, ...found }
            next.push(innermost(get(site.path)!.funcs, site.offset))
          }
        }
        frontier = next.slice(0, 10)
      }
      return { query }
    },
  } as LoopScanner & { repeatFrom(p: string, callOpen: number): RepeatSite }
}
