// Installs the pinned k6 release: download (one attempt, time-boxed), check its sha256 against
// the release's checksums file, extract, cache in the runner's tool cache (the layout
// @actions/tool-cache uses: <root>/k6/<version>/<arch> beside <arch>.complete). A cached copy is
// reused without the network. Downloading and caching are done here rather than with
// tool-cache's downloadTool/find/cacheDir: those retry an unreachable host for about a minute and
// print `::debug::` workflow commands on stdout, which a CLI must not (issue 18).
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { proxyAwareFetch } from '../github/http.ts'
import { K6_VERSION } from './k6-version.ts'

const run = promisify(execFile)

export const K6_RELEASES_URL = 'https://github.com/grafana/k6/releases/download'

/** How long the release host may take to answer before the download is given up (offline runners). */
const CONNECT_TIMEOUT_MS = 5000
/** The whole download of the ~30 MB archive. */
const DOWNLOAD_TIMEOUT_MS = 120_000

export interface InstallOptions {
  version?: string
  /** Release download base (tests point it at a local server); default GitHub releases. */
  baseUrl?: string
  platform?: NodeJS.Platform
  arch?: string
  log?: (line: string) => void
  /** Tests shorten it. */
  connectTimeoutMs?: number
}

/** Release asset name of k6 for a platform, e.g. `k6-v1.8.1-linux-amd64.tar.gz`. */
export function k6AssetName(version: string, platform: NodeJS.Platform, arch: string): string {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : 'linux'
  const cpu = arch === 'arm64' ? 'arm64' : 'amd64'
  return `k6-v${version}-${os}-${cpu}.${os === 'linux' ? 'tar.gz' : 'zip'}`
}

/** The runner's tool cache, or perfgate's own outside GitHub Actions (the CLI, tests). */
export function toolCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNNER_TOOL_CACHE || join(homedir(), '.cache', 'perfgate', 'tool-cache')
}

/** The cached k6 of a version, when a complete copy is in the tool cache. */
export async function cachedK6(version: string, arch: string, platform = process.platform) {
  const dir = join(toolCacheRoot(), 'k6', version, arch)
  const exe = join(dir, platform === 'win32' ? 'k6.exe' : 'k6')
  const complete = await stat(`${dir}.complete`).then(
    () => true,
    () => false,
  )
  return complete && (await isExecutableFile(exe)) ? exe : undefined
}

/** Returns the path of the k6 executable, installing the pinned release into the tool cache if needed. */
export async function installK6(options: InstallOptions = {}): Promise<string> {
  const version = options.version ?? K6_VERSION
  const platform = options.platform ?? process.platform
  const arch = options.arch ?? process.arch
  const exe = platform === 'win32' ? 'k6.exe' : 'k6'
  const cached = await cachedK6(version, arch, platform)
  if (cached) return cached

  const asset = k6AssetName(version, platform, arch)
  const base = `${(options.baseUrl ?? K6_RELEASES_URL).replace(/\/+$/, '')}/v${version}`
  const assetUrl = `${base}/${asset}`
  const sumsUrl = `${base}/k6-v${version}-checksums.txt`
  options.log?.(`downloading k6 v${version} from ${assetUrl}`)
  const tempRoot = process.env.RUNNER_TEMP || tmpdir()
  await mkdir(tempRoot, { recursive: true })
  const temp = await mkdtemp(join(tempRoot, 'perfgate-k6-'))
  try {
    const connectMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS
    const archive = join(temp, asset)
    const [, sums] = await Promise.all([
      download(assetUrl, archive, connectMs),
      download(sumsUrl, join(temp, 'checksums.txt'), connectMs).then((file) => readFile(file, 'utf8')),
    ])
    const expected = expectedSha256(sums, asset)
    if (!expected) throw new Error(`k6 checksums file ${sumsUrl} has no line for ${asset}`)
    const actual = await sha256File(archive)
    if (actual !== expected) {
      throw new Error(
        `k6 download ${assetUrl} refused: sha256 ${actual} does not match ${expected} from ${sumsUrl}`,
      )
    }
    const extracted = join(temp, 'extracted')
    await mkdir(extracted)
    await extract(archive, extracted)
    const dir = await findDirWith(extracted, exe)
    const cachedDir = join(toolCacheRoot(), 'k6', version, arch)
    await rm(cachedDir, { recursive: true, force: true })
    await cp(dir, cachedDir, { recursive: true })
    await writeFile(`${cachedDir}.complete`, '')
    return join(cachedDir, exe)
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}

/** One attempt: an unreachable host fails within `connectMs`, not after a minute of retries. */
async function download(url: string, dest: string, connectMs: number): Promise<string> {
  const connect = AbortSignal.timeout(connectMs)
  const whole = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)
  try {
    // Self-hosted runners behind a proxy: HTTPS_PROXY/NO_PROXY as curl reads them.
    const response = await proxyAwareFetch()(url, {
      signal: AbortSignal.any([connect, whole]),
      redirect: 'follow',
    })
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`)
    await pipeline(Readable.fromWeb(response.body), createWriteStream(dest), { signal: whole })
    return dest
  } catch (error) {
    const reason = connect.aborted
      ? `no answer within ${connectMs / 1000}s`
      : whole.aborted
        ? `not finished within ${DOWNLOAD_TIMEOUT_MS / 1000}s`
        : causeOf(error)
    throw new Error(`download of ${url} failed: ${reason}`)
  }
}

/** fetch's "fetch failed" hides the reason (ENOTFOUND, ECONNREFUSED) in its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (error as Error).message
}

async function extract(archive: string, dest: string): Promise<void> {
  // Linux and macOS have tar; Windows 10+ ships bsdtar as tar.exe, which reads zip files too.
  const args = archive.endsWith('.zip') ? ['-xf', archive, '-C', dest] : ['-xzf', archive, '-C', dest]
  await run('tar', args, { timeout: 60_000 })
}

/** Line format of k6's checksums file: `<sha256>  <asset name>`. */
export function expectedSha256(checksums: string, asset: string): string | undefined {
  for (const line of checksums.split('\n')) {
    const [sum, name] = line.trim().split(/\s+/)
    if (name?.replace(/^\*/, '') === asset && sum && /^[0-9a-f]{64}$/i.test(sum)) return sum.toLowerCase()
  }
  return undefined
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Release archives hold `k6-vX-os-arch/k6`; accept the binary at any depth. */
async function findDirWith(root: string, exe: string): Promise<string> {
  const entries = await readdir(root, { withFileTypes: true })
  if (entries.some((e) => e.isFile() && e.name === exe)) return root
  for (const e of entries) {
    if (!e.isDirectory()) continue
    const found = await findDirWith(join(root, e.name), exe).catch(() => undefined)
    if (found) return found
  }
  throw new Error(`the k6 archive has no ${exe} in it`)
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const s = await stat(path)
    return s.isFile() && (process.platform === 'win32' || (s.mode & 0o111) !== 0)
  } catch {
    return false
  }
}
