// Running the bundled action as the GitHub runner does, and reading back what the runner reads:
// INPUT_* env (every input of action.yml, defaults filled in), the files GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY name, and the exit code. The child is spawned asynchronously so that a fake
// GitHub served from the test process keeps answering while the action runs.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { REPO_ROOT } from '../helpers/stack.ts'

// PERFGATE_E2E_DIST runs another build of the bundle (one made outside the work tree).
export const DIST_INDEX = process.env.PERFGATE_E2E_DIST ?? path.join(REPO_ROOT, 'dist', 'index.js')

interface ActionMetadata {
  inputs: Record<string, { default?: string }>
}

/**
 * The INPUT_* variables the runner sets for a `uses:` step: one per input of action.yml, the
 * default when the workflow gives none (`${{ github.token }}` becomes `token`). The name is
 * upper-cased with spaces as underscores and hyphens kept, as @actions/core reads it.
 */
export function inputEnv(given: Record<string, string>, token = ''): Record<string, string> {
  const meta = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as ActionMetadata
  for (const name of Object.keys(given))
    if (!(name in meta.inputs)) throw new Error(`action.yml has no input ${name}`)
  const env: Record<string, string> = {}
  for (const [name, spec] of Object.entries(meta.inputs)) {
    const fallback = String(spec.default ?? '').replace(/\$\{\{\s*github\.token\s*\}\}/, token)
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = given[name] ?? fallback
  }
  return env
}

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ms: number
}

/** `node dist/index.js` in `cwd` with exactly `env`; killed (SIGKILL) after `timeoutMs`. */
export function runDist(cwd: string, env: Record<string, string>, timeoutMs: number): Promise<ActionRun> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST_INDEX], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started })
    })
  })
}

/**
 * Parses a GITHUB_OUTPUT file as the runner does: `name<<DELIMITER` … `DELIMITER` blocks (what
 * @actions/core writes) and plain `name=value` lines. A name set twice keeps the last value.
 */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line === '') continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const end = lines.indexOf(delimiter!, i + 1)
      if (end < 0) throw new Error(`GITHUB_OUTPUT: ${name} has no closing ${delimiter}`)
      out[name!] = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const plain = /^([^=]+)=(.*)$/.exec(line)
    if (!plain) throw new Error(`GITHUB_OUTPUT: malformed line ${JSON.stringify(line)}`)
    out[plain[1]!] = plain[2]!
  }
  return out
}

/** The entry names of a zip, from its central directory. */
export function zipEntryNames(zip: Buffer): string[] {
  let eocd = -1
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--)
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  if (eocd < 0) throw new Error('not a zip: no end of central directory')
  const count = zip.readUInt16LE(eocd + 10)
  let at = zip.readUInt32LE(eocd + 16)
  const names: string[] = []
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip: bad central directory entry at ${at}`)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'))
    at += 46 + nameLength + extraLength + commentLength
  }
  return names
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
}

/** `where: secret-label` for each secret found in `text` (empty when clean). */
export function secretsIn(where: string, text: string | Buffer, secrets: Record<string, string>): string[] {
  const found: string[] = []
  for (const [label, value] of Object.entries(secrets))
    if (value && (typeof text === 'string' ? text.includes(value) : text.includes(Buffer.from(value))))
      found.push(`${where}: ${label}`)
  return found
}

/** The log as the runner shows it: `::add-mask::` commands are consumed by the runner, not printed. */
export function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}
