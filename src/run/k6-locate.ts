// Finds the k6 to run: the `k6-path` input, then $PERFGATE_K6, then PATH, then perfgate's own
// folder (where scripts/install-k6.sh puts it), then the pinned release in the tool cache
// (downloaded when absent).
import { execFile } from 'node:child_process'
import { delimiter, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { installK6, isExecutableFile, type InstallOptions } from './k6-install.ts'
import { K6_VERSION } from './k6-version.ts'

const run = promisify(execFile)

export interface LocateOptions {
  k6Path?: string
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
  install?: InstallOptions
}

export interface LocatedK6 {
  path: string
  version: string
  /** Where it came from, for the log. */
  source: 'k6-path' | 'PERFGATE_K6' | 'PATH' | 'perfgate-bin' | 'tool-cache'
}

export async function findK6(options: LocateOptions): Promise<LocatedK6> {
  const env = options.env ?? process.env
  if (options.k6Path) return located(options.k6Path, 'k6-path', 'k6-path')
  if (env.PERFGATE_K6) return located(env.PERFGATE_K6, 'PERFGATE_K6', 'PERFGATE_K6')
  const onPath = await searchPath(env)
  if (onPath) return located(onPath, 'PATH', 'k6 on PATH')
  const own = await ownK6(env)
  if (own) return own
  let installed: string
  try {
    installed = await installK6({
      log: options.log,
      baseUrl: env.PERFGATE_K6_DOWNLOAD_URL,
      ...options.install,
    })
  } catch (error) {
    throw new Error(
      `k6 not found (no k6-path, no k6 on PATH or in ${perfgateBin(env) ?? '~/.cache/perfgate/bin'}) and not installable: ${(error as Error).message}; give the k6-path input, put k6 on PATH, or run scripts/install-k6.sh`,
    )
  }
  return located(installed, 'tool-cache', 'installed k6')
}

async function located(path: string, source: LocatedK6['source'], label: string): Promise<LocatedK6> {
  const full = resolve(path)
  if (!(await isExecutableFile(full))) throw new Error(`${label} ${path} is not an executable file`)
  return { path: full, version: await k6Version(full), source }
}

/** scripts/install-k6.sh's folder: $PERFGATE_BIN or ~/.cache/perfgate/bin (from the env's HOME). */
function perfgateBin(env: NodeJS.ProcessEnv): string | undefined {
  if (env.PERFGATE_BIN) return env.PERFGATE_BIN
  return env.HOME ? join(env.HOME, '.cache', 'perfgate', 'bin') : undefined
}

/** The k6 in perfgate's own folder, when it is the pinned version (an older build is skipped). */
async function ownK6(env: NodeJS.ProcessEnv): Promise<LocatedK6 | undefined> {
  const dir = perfgateBin(env)
  if (!dir) return undefined
  const candidate = join(dir, process.platform === 'win32' ? 'k6.exe' : 'k6')
  if (!(await isExecutableFile(candidate))) return undefined
  const version = await k6Version(candidate).catch(() => undefined)
  return version === K6_VERSION ? { path: candidate, version, source: 'perfgate-bin' } : undefined
}

async function searchPath(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const names = process.platform === 'win32' ? ['k6.exe', 'k6.cmd'] : ['k6']
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    for (const name of names) {
      const candidate = join(dir, name)
      if (await isExecutableFile(candidate)) return candidate
    }
  }
  return undefined
}

/** `k6 version` prints e.g. `k6 v1.8.1 (go1.26.8, linux/amd64)`. */
export async function k6Version(path: string): Promise<string> {
  let stdout: string
  try {
    ;({ stdout } = await run(path, ['version'], { timeout: 15_000 }))
  } catch (error) {
    throw new Error(
      `${path} does not run as k6 (\`k6 version\` failed: ${(error as Error).message.split('\n')[0]})`,
    )
  }
  const match = /v?(\d+\.\d+\.\d+[^\s]*)/.exec(stdout)
  if (!match)
    throw new Error(`${path} does not look like k6: \`k6 version\` printed "${stdout.trim().slice(0, 80)}"`)
  return match[1]!
}
