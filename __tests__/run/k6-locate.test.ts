import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chmod, copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { installK6, k6AssetName } from '../../src/run/k6-install.ts'
import { K6_VERSION } from '../../src/run/k6-version.ts'
import { locateK6 } from '../../src/run/index.ts'
import { k6ForTests } from './support/k6.ts'
import { testPlan } from './support/plan.ts'

const asset = k6AssetName(K6_VERSION, 'linux', 'x64')
let dir: string
let server: Server
let baseUrl: string
/** What the fake release server answers for the checksums file. */
let checksums = ''
let downloads = 0

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'perfgate-k6-install-'))
  // A real release-shaped tarball around the real k6 binary.
  const folder = join(dir, 'release', `k6-v${K6_VERSION}-linux-amd64`)
  await mkdir(folder, { recursive: true })
  await copyFile(k6ForTests(), join(folder, 'k6'))
  const tarball = join(dir, asset)
  execFileSync('tar', [
    '-C',
    dirname(folder),
    '-I',
    'gzip -1',
    '-cf',
    tarball,
    `k6-v${K6_VERSION}-linux-amd64`,
  ])
  const bytes = await readFile(tarball)
  const sha = createHash('sha256').update(bytes).digest('hex')
  checksums = `${'0'.repeat(64)}  k6-v${K6_VERSION}-linux-arm64.tar.gz\n${sha}  ${asset}\n`
  const good = checksums
  server = createServer((req, res) => {
    if (req.url === `/v${K6_VERSION}/${asset}`) {
      downloads++
      res.writeHead(200, { 'content-length': bytes.length })
      return res.end(bytes)
    }
    if (req.url === `/v${K6_VERSION}/k6-v${K6_VERSION}-checksums.txt`) return res.end(checksums || good)
    res.writeHead(404).end('not found')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function freshToolCache(name: string): Promise<void> {
  process.env.RUNNER_TOOL_CACHE = join(dir, name, 'cache')
  process.env.RUNNER_TEMP = join(dir, name, 'temp')
}

test('the pinned version in scripts/k6-version is the one perfgate installs', async () => {
  assert.equal((await readFile('scripts/k6-version', 'utf8')).trim(), K6_VERSION)
})

test('a downloaded k6 whose sha256 matches the checksums file is installed and then reused from the cache', async () => {
  await freshToolCache('good')
  const before = downloads
  const path = await installK6({ baseUrl, platform: 'linux', arch: 'x64' })
  assert.match(execFileSync(path, ['version'], { encoding: 'utf8' }), new RegExp(`k6 v${K6_VERSION}`))
  assert.equal(downloads, before + 1)
  assert.equal(await installK6({ baseUrl, platform: 'linux', arch: 'x64' }), path)
  assert.equal(downloads, before + 1, 'the second call used the tool cache')
})

test('a download whose sha256 does not match is refused with a clear error', async () => {
  await freshToolCache('bad')
  const saved = checksums
  checksums = `${'ab'.repeat(32)}  ${asset}\n`
  try {
    await assert.rejects(installK6({ baseUrl, platform: 'linux', arch: 'x64' }), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`^k6 download .*${asset} refused: sha256 [0-9a-f]{64} does not match ${'ab'.repeat(32)}`),
      )
      return true
    })
  } finally {
    checksums = saved
  }
})

test('k6 that is neither given, on PATH nor downloadable fails with one clear line', async () => {
  await freshToolCache('missing')
  const env = { PATH: join(dir, 'empty-path'), PERFGATE_K6_DOWNLOAD_URL: `${baseUrl}/nothing-here` }
  await assert.rejects(locateK6(testPlan('http://127.0.0.1:1'), { env }), (error: Error) => {
    assert.match(
      error.message,
      /^k6 not found \(no k6-path, no k6 on PATH or in ~\/\.cache\/perfgate\/bin\) and not installable: download of .* failed: HTTP 404; give the k6-path input, put k6 on PATH, or run scripts\/install-k6\.sh$/,
    )
    return true
  })
})

test('an unreachable release host fails in one line within seconds, with what to do', async () => {
  await freshToolCache('offline')
  // A port that accepts connections and never answers: an offline runner behind a black hole.
  const { createServer: net } = await import('node:net')
  const silent = net(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const port = (silent.address() as AddressInfo).port
  const started = Date.now()
  try {
    await assert.rejects(
      installK6({
        baseUrl: `http://127.0.0.1:${port}`,
        platform: 'linux',
        arch: 'x64',
        connectTimeoutMs: 1000,
      }),
      /^Error: download of http:\/\/127\.0\.0\.1:\d+\/.* failed: no answer within 1s$/,
    )
  } finally {
    silent.close()
  }
  assert.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`)
})

test("the k6 that scripts/install-k6.sh put in perfgate's own folder is found without PATH", async () => {
  const bin = join(dir, 'perfgate-bin')
  await mkdir(bin, { recursive: true })
  await copyFile(k6ForTests(), join(bin, 'k6'))
  await chmod(join(bin, 'k6'), 0o755)
  const found = await locateK6(testPlan('http://127.0.0.1:1'), { env: { PATH: '', PERFGATE_BIN: bin } })
  assert.equal(found.path, join(bin, 'k6'))
})

test('k6-path pointing at nothing is refused with the path', async () => {
  await assert.rejects(
    locateK6(testPlan('http://127.0.0.1:1', { k6Path: '/nonexistent/k6' }), { env: {} }),
    /Error: k6-path \/nonexistent\/k6 is not an executable file$/,
  )
})

test('k6-path wins over PATH, and PATH is searched before installing', async () => {
  const k6 = k6ForTests()
  const viaInput = await locateK6(testPlan('http://127.0.0.1:1', { k6Path: k6 }), { env: { PATH: '' } })
  assert.equal(viaInput.version, K6_VERSION)
  const bin = join(dir, 'path-bin')
  await mkdir(bin, { recursive: true })
  await copyFile(k6, join(bin, 'k6'))
  await chmod(join(bin, 'k6'), 0o755)
  const viaPath = await locateK6(testPlan('http://127.0.0.1:1'), { env: { PATH: bin } })
  assert.equal(viaPath.path, join(bin, 'k6'))
})

test('a k6-path that is not k6 says so', async () => {
  const fake = join(dir, 'not-k6.sh')
  await writeFile(fake, '#!/bin/sh\necho hello\n')
  await chmod(fake, 0o755)
  await assert.rejects(locateK6(testPlan('http://x', { k6Path: fake }), { env: {} }), /does not look like k6/)
})
