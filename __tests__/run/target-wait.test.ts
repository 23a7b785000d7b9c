import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkTarget } from '../../src/run/index.ts'
import { testPlan } from './support/plan.ts'

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}

test('a target that starts answering after 8 s is waited for, and the log says how long', async () => {
  const port = await freePort()
  let server: Server | undefined
  const wake = setTimeout(() => {
    server = createHttpServer((_req, res) => res.end('awake')).listen(port, '127.0.0.1')
  }, 8000)
  const lines: string[] = []
  try {
    const plan = { ...testPlan(`http://127.0.0.1:${port}`), targetWaitS: 30 }
    const answer = await checkTarget(plan, { log: (line) => lines.push(line) })
    assert.ok(answer.waitedS >= 7.5 && answer.waitedS < 10.5, `waited ${answer.waitedS} s`)
    assert.match(lines[0]!, /^target-url does not answer yet \(ECONNREFUSED\); waiting up to 30 s/)
    assert.equal(lines.at(-1), `target answered after ${answer.waitedS} s (${answer.attempts} attempts)`)
  } finally {
    clearTimeout(wake)
    await new Promise((r) => (server ? server.close(r) : r(undefined)))
  }
})

test('a target that accepts connections but never answers fails after target-wait, in one line', async () => {
  const sockets: Socket[] = []
  const silent = createServer((socket) => sockets.push(socket))
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  const { port } = silent.address() as AddressInfo
  const started = Date.now()
  try {
    const plan = { ...testPlan(`http://127.0.0.1:${port}`), targetWaitS: 3 }
    await assert.rejects(checkTarget(plan), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `^target-url http://127\\.0\\.0\\.1:${port} does not answer: no response within [\\d.]+ s; ` +
            'waited 3(\\.\\d)? s \\(target-wait 3 s, \\d+ attempts\\); raise target-wait if the deployment takes longer to wake up$',
        ),
      )
      return true
    })
    const elapsedS = (Date.now() - started) / 1000
    assert.ok(elapsedS >= 2.9 && elapsedS < 5, `gave up after ${elapsedS} s`)
  } finally {
    for (const socket of sockets) socket.destroy()
    await new Promise((r) => silent.close(r))
  }
})

test('perfgate run against a target that never answers exits 1 with one line after target-wait', async () => {
  const port = await freePort()
  const out = await mkdtemp(join(tmpdir(), 'perfgate-wait-'))
  const started = Date.now()
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli.ts',
      'run',
      '--target-url',
      `http://127.0.0.1:${port}`,
      '--target-wait',
      '2s',
      '--out',
      out,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  )
  assert.equal(result.status, 1, result.stderr)
  assert.ok(Date.now() - started < 20_000)
  assert.match(
    result.stderr.trim().split('\n').at(-1)!,
    new RegExp(
      `^perfgate: target-url http://127\\.0\\.0\\.1:${port} does not answer: ECONNREFUSED; waited 2(\\.\\d)? s \\(target-wait 2 s, \\d+ attempts\\)`,
    ),
  )
})
