// Finds the k6 to run: the `k6-path` input, then $PERFGATE_K6, then PATH, then the pinned
// release installed into the tool cache.
import { execFile } from 'node:child_process'
import { delimiter, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { installK6, isExecutableFile, type InstallOptions } from './k6-install.ts'

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
  source: 'k6-path' | 'PERFGATE_K6' | 'PATH' | 'tool-cache'
}

export async function findK6(options: LocateOptions): Promise<LocatedK6> {
  const env = options.env ?? process.env
  if (options.k6Path) return located(options.k6Path, 'k6-path', 'k6-path')
  if (env.PERFGATE_K6) return located(env.PERFGATE_K6, 'PERFGATE_K6', 'PERFGATE_K6')
  const onPath = await searchPath(env)
  if (onPath) return located(onPath, 'PATH', 'k6 on PATH')
  let installed: string
  try {
    installed = await installK6({
      log: options.log,
      baseUrl: env.PERFGATE_K6_DOWNLOAD_URL,
      ...options.install,
    })
  } catch (error) {
    throw new Error(
      `k6 not found (no k6-path, no k6 on PATH) and not installable: ${(error as Error).message}`,
    )
  }
  return located(installed, 'tool-cache', 'installed k6')
}

async function located(path: string, source: LocatedK6['source'], label: string): Promise<LocatedK6> {
  const full = resolve(path)
  if (!(await isExecutableFile(full))) throw new Error(`${label} ${path} is not an executable file`)
  return { path: full, version: await k6Version(full), source }
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
