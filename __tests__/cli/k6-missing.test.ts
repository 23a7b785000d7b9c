// `perfgate run` without k6 anywhere and no way to download it (issue 18): one line on stderr
// naming what to do, exit 1, and no workflow command (`::debug::`, `::error::`) on stdout, which
// only the action may print.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { perfgate } from './helpers.ts'

test('the CLI without k6 fails in one line and prints no workflow command', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'perfgate-cli-k6-'))
  // A closed port as the release host: the download is refused at once, as offline.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const releases = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  try {
    await mkdir(path.join(dir, 'home'))
    const result = await perfgate(['run', '--target-url', 'http://127.0.0.1:52099', '--out', 'out'], dir, {
      // No k6 on PATH, none in perfgate's own folder under HOME, none in the tool cache.
      PATH: path.join(dir, 'empty'),
      HOME: path.join(dir, 'home'),
      RUNNER_TOOL_CACHE: path.join(dir, 'tool-cache'),
      PERFGATE_K6_DOWNLOAD_URL: releases,
    })
    assert.equal(result.code, 1)
    assert.equal(result.stdout, '')
    const errors = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('perfgate: ') && !line.startsWith('perfgate: stage '))
    assert.equal(errors.length, 1, result.stderr)
    assert.match(
      errors[0]!,
      /k6 not found .* give the k6-path input, put k6 on PATH, or run scripts\/install-k6\.sh$/,
    )
    assert.doesNotMatch(result.stdout + result.stderr, /^::/m)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
