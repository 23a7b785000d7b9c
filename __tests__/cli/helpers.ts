// Running the CLI from source (src/cli.ts through tsx) in a folder of the test's choosing, and
// fingerprinting folders to prove what a command did or did not write.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { REPO_ROOT } from '../helpers/stack.ts'

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const CLI = path.join(REPO_ROOT, 'src', 'cli.ts')

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** `perfgate <args>` in `cwd`; killed after 60 s. */
export function perfgate(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Every file under `dir` with the sha256 of its bytes, sorted by path. */
export async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    out[path.relative(dir, file)] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex')
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)))
}
