// Test helpers for the collectors: a plan, deps that log to an array, small local servers.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { CollectDeps } from '../../src/collect/index.ts'
import {
  DEFAULT_COLLECTORS,
  DEFAULT_ENDPOINTS,
  DEFAULT_SLOS,
  DEFAULT_TOLERANCES,
  defaultScenario,
} from '../../src/plan/defaults.ts'
import type { CollectorsPlan, Plan } from '../../src/plan/types.ts'

export function makePlan(collectors: Partial<CollectorsPlan> = {}, overrides: Partial<Plan> = {}): Plan {
  return {
    targetUrl: 'http://127.0.0.1:1',
    scenario: {
      ...defaultScenario(10, 12),
      stages: [
        { duration: '4s', target: 5 },
        { duration: '8s', target: 10 },
      ],
    },
    endpoints: DEFAULT_ENDPOINTS,
    slos: DEFAULT_SLOS,
    collectors: { ...DEFAULT_COLLECTORS, coolDownS: 0, timeoutS: 5, ...collectors },
    baseline: { kind: 'none', history: 1 },
    gate: { failOn: [], tolerances: DEFAULT_TOLERANCES },
    mode: 'run',
    reportName: 'test',
    outputDir: '',
    shards: 1,
    shard: 0,
    debug: false,
    ...overrides,
  }
}

export function makeDeps(lines: string[] = []): CollectDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (line) => lines.push(line),
  }
}

export function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'perfgate-collect-'))
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

/** A loopback HTTP server; returns its base URL and a close function. */
export async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** A throwaway redis-server on a random loopback port (no persistence). */
export async function startRedis(
  extra: string[] = [],
): Promise<{ url: string; port: number; stop: () => Promise<void> }> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra],
    { stdio: 'ignore' },
  )
  const deadline = Date.now() + 10_000
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (ok) break
    if (Date.now() > deadline) throw new Error('redis-server did not start')
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
