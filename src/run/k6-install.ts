// Installs the pinned k6 release with @actions/tool-cache: download, check its sha256 against
// the release's checksums file, extract, cache. A cached copy is reused without the network.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, readdir, stat } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tc from '@actions/tool-cache'
import { K6_VERSION } from './k6-version.ts'

export const K6_RELEASES_URL = 'https://github.com/grafana/k6/releases/download'

export interface InstallOptions {
  version?: string
  /** Release download base (tests point it at a local server); default GitHub releases. */
  baseUrl?: string
  platform?: NodeJS.Platform
  arch?: string
  log?: (line: string) => void
}

/** Release asset name of k6 for a platform, e.g. `k6-v1.8.1-linux-amd64.tar.gz`. */
export function k6AssetName(version: string, platform: NodeJS.Platform, arch: string): string {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : 'linux'
  const cpu = arch === 'arm64' ? 'arm64' : 'amd64'
  return `k6-v${version}-${os}-${cpu}.${os === 'linux' ? 'tar.gz' : 'zip'}`
}

/** Returns the path of the k6 executable, installing the pinned release into the tool cache if needed. */
export async function installK6(options: InstallOptions = {}): Promise<string> {
  ensureToolCacheEnv()
  const version = options.version ?? K6_VERSION
  const platform = options.platform ?? process.platform
  const arch = options.arch ?? process.arch
  const exe = platform === 'win32' ? 'k6.exe' : 'k6'
  const cached = tc.find('k6', version, arch)
  if (cached) return join(cached, exe)

  const asset = k6AssetName(version, platform, arch)
  const base = `${(options.baseUrl ?? K6_RELEASES_URL).replace(/\/+$/, '')}/v${version}`
  const assetUrl = `${base}/${asset}`
  const sumsUrl = `${base}/k6-v${version}-checksums.txt`
  options.log?.(`downloading k6 v${version} from ${assetUrl}`)
  const [archive, sums] = await Promise.all([
    download(assetUrl),
    download(sumsUrl).then((file) => readFile(file, 'utf8')),
  ])
  const expected = expectedSha256(sums, asset)
  if (!expected) throw new Error(`k6 checksums file ${sumsUrl} has no line for ${asset}`)
  const actual = await sha256File(archive)
  if (actual !== expected) {
    throw new Error(
      `k6 download ${assetUrl} refused: sha256 ${actual} does not match ${expected} from ${sumsUrl}`,
    )
  }
  const extracted = asset.endsWith('.zip') ? await tc.extractZip(archive) : await tc.extractTar(archive)
  const dir = await findDirWith(extracted, exe)
  const cachedDir = await tc.cacheDir(dir, 'k6', version, arch)
  return join(cachedDir, exe)
}

async function download(url: string): Promise<string> {
  try {
    return await tc.downloadTool(url)
  } catch (error) {
    throw new Error(`download of ${url} failed: ${(error as Error).message}`)
  }
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

/** tool-cache needs these outside GitHub Actions (the CLI, tests): give them stable defaults. */
function ensureToolCacheEnv(): void {
  process.env.RUNNER_TOOL_CACHE ||= join(homedir(), '.cache', 'perfgate', 'tool-cache')
  process.env.RUNNER_TEMP ||= join(tmpdir(), 'perfgate-runner-temp')
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const s = await stat(path)
    return s.isFile() && (process.platform === 'win32' || (s.mode & 0o111) !== 0)
  } catch {
    return false
  }
}
