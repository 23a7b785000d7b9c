import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { checkOutputDir, prepareOutputDir } from '../../src/plan/output-dir.ts'

const scratch = () => mkdtemp(path.join(tmpdir(), 'perfgate-outdir-'))

async function refusal(dir: string): Promise<string> {
  try {
    await prepareOutputDir(dir)
  } catch (error) {
    assert.equal((error as Error).name, 'ConfigError')
    assert.ok(!(error as Error).message.includes('\n'), 'one line')
    return (error as Error).message
  }
  assert.fail(`expected ${dir} to be refused`)
}

test('an output-dir under /proc is refused at once instead of hanging', async () => {
  const started = Date.now()
  assert.equal(
    await refusal('/proc/x/y'),
    'output-dir "/proc/x/y" is inside /proc, a kernel file system where reports cannot be written: choose a folder such as perfgate-report',
  )
  assert.ok(Date.now() - started < 1000)
})

test('a symbolic link into /sys is followed and refused', async () => {
  const dir = await scratch()
  await symlink('/sys', path.join(dir, 'link'))
  await assert.rejects(checkOutputDir(path.join(dir, 'link', 'out')), /is inside \/sys, a kernel file system/)
})

test('an output-dir that is a file says so in words, naming output-dir', async () => {
  const dir = await scratch()
  const file = path.join(dir, 'report')
  await writeFile(file, 'x')
  assert.equal(
    await refusal(file),
    `output-dir "${file}" cannot be created: a file (not a folder) already has that name`,
  )
  assert.equal(
    await refusal(path.join(file, 'sub')),
    `output-dir "${path.join(file, 'sub')}" cannot be created: a part of the path is a file, not a folder (at ${file})`,
  )
})

test(
  'an output-dir in a folder without write permission says permission denied',
  { skip: process.getuid?.() === 0 && 'root may write anywhere' },
  async () => {
    const dir = await scratch()
    const locked = path.join(dir, 'locked')
    await mkdir(locked)
    await chmod(locked, 0o500)
    try {
      assert.equal(
        await refusal(path.join(locked, 'a', 'b')),
        `output-dir "${path.join(locked, 'a', 'b')}" cannot be created: permission denied (at ${path.join(locked, 'a')})`,
      )
    } finally {
      await chmod(locked, 0o700)
    }
  },
)

test('missing parents are created and an existing folder is fine', async () => {
  const dir = path.join(await scratch(), 'a', 'b', 'c')
  await prepareOutputDir(dir)
  await prepareOutputDir(dir)
  assert.ok((await stat(dir)).isDirectory())
})

test('perfgate run with --output-dir /proc/x exits 1 in under 5 s with one line', () => {
  const started = Date.now()
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'run', '--target-url', 'http://127.0.0.1:9', '--output-dir', '/proc/x'],
    { encoding: 'utf8', timeout: 20_000 },
  )
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
  assert.equal(result.status, 1)
  assert.equal(
    result.stderr,
    'perfgate: output-dir "/proc/x" is inside /proc, a kernel file system where reports cannot be written: choose a folder such as perfgate-report\n',
  )
})
