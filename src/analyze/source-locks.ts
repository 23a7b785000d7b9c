// Package-level mutexes held across I/O, from a scan of the Go source: one lock shared by every
// request that takes it, held while the request waits on the database or the network, so
// requests queue behind each other. Static evidence only; the finding that uses it also says
// what the profiles measured (findings/locks-static.ts).

import type { SourceFile } from './source.ts'

export interface GlobalLockSite {
  /** The variable, e.g. `voteMu`. */
  mutex: string
  /** `sync.Mutex` or `sync.RWMutex`. */
  type: string
  /** `FILE:LINE` of the declaration. */
  declaredAt: string
  /** The function that takes the lock (Go name, without receiver). */
  function: string
  /** Its receiver type, when it is a method. */
  receiver?: string
  /** `FILE:LINE` of the `Lock()` call. */
  lockAt: string
  /** `FILE:LINE` of the first I/O call made while the lock is held. */
  ioAt: string
  /** That call's line, trimmed. */
  ioCall: string
}

const FUNC = /^func\s+(?:\(\s*\w*\s*\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*)?(\w+)\s*[([]/
const VAR_ONE = /^var\s+(\w+)\s+(?:=\s*)?&?(sync\.(?:RW)?Mutex)\b/
const VAR_IN_BLOCK = /^\s+(\w+)\s+(?:=\s*)?&?(sync\.(?:RW)?Mutex)\b/
/**
 * A call that waits on something outside the process: one taking a context (Go's convention for
 * calls that block on I/O), a database/sql or pgx method, an HTTP request, or a sleep.
 */
const IO_CALL =
  /\w\s*\(\s*(?:ctx\b|r\.Context\(\)|req\.Context\(\)|context\.)|\.(?:Query|QueryRow|QueryContext|QueryRowContext|Exec|ExecContext|Begin|BeginTx|SendBatch|CopyFrom)\(|\bhttp\.(?:Get|Post|Head)\(|\.Do\(\s*req\b|\btime\.Sleep\(/

function dirOf(path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? '' : path.slice(0, i)
}

function isTest(path: string): boolean {
  return /_test\.go$/.test(path) || /(^|\/)(testdata|vendor)\//.test(path)
}

/** globalLocksAroundIo finds functions that lock a package-level mutex and make an I/O call before unlocking it. */
export function globalLocksAroundIo(files: SourceFile[]): GlobalLockSite[] {
  const goFiles = files.filter((f) => f.path.endsWith('.go') && !isTest(f.path))
  const declared = new Map<string, { mutex: string; type: string; at: string }>()
  for (const f of goFiles) {
    let inVarBlock = false
    f.text.split('\n').forEach((line, i) => {
      if (/^var\s*\(\s*$/.test(line)) inVarBlock = true
      else if (inVarBlock && /^\)/.test(line)) inVarBlock = false
      const m = (inVarBlock ? VAR_IN_BLOCK : VAR_ONE).exec(line)
      if (m) declared.set(`${dirOf(f.path)}:${m[1]}`, { mutex: m[1]!, type: m[2]!, at: `${f.path}:${i + 1}` })
    })
  }
  if (declared.size === 0) return []
  const out: GlobalLockSite[] = []
  for (const f of goFiles) {
    const lines = f.text.split('\n')
    let fn: { name: string; receiver?: string } | undefined
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      const start = FUNC.exec(line)
      if (start) fn = { name: start[2]!, ...(start[1] ? { receiver: start[1] } : {}) }
      if (/^}/.test(line)) fn = undefined
      const lock = /\b(\w+)\.Lock\(\)/.exec(line)
      if (!fn || !lock || line.trim().startsWith('//')) continue
      const decl = declared.get(`${dirOf(f.path)}:${lock[1]}`)
      if (!decl) continue
      const io = heldIo(lines, i, decl.mutex)
      if (io === undefined) continue
      out.push({
        mutex: decl.mutex,
        type: decl.type,
        declaredAt: decl.at,
        function: fn.name,
        ...(fn.receiver ? { receiver: fn.receiver } : {}),
        lockAt: `${f.path}:${i + 1}`,
        ioAt: `${f.path}:${io + 1}`,
        ioCall: lines[io]!.trim().slice(0, 120),
      })
    }
  }
  return out
}

/** The first line with an I/O call between a Lock() at `from` and its Unlock() (or the function's end after a deferred one). */
function heldIo(lines: string[], from: number, mutex: string): number | undefined {
  const unlock = new RegExp(String.raw`^\s*${mutex}\.Unlock\(\)`)
  for (let j = from + 1; j < lines.length; j++) {
    const l = lines[j]!
    if (/^}/.test(l) || unlock.test(l)) return undefined
    const t = l.trim()
    if (t.startsWith('//') || t.startsWith('defer ')) continue
    if (IO_CALL.test(l)) return j
  }
  return undefined
}
