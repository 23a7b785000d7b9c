// What the security tests share: a tiny HTTP target on 127.0.0.1 and the real CLI as a child
// process (real k6), bounded in time, with every process stopped at the end.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { k6ForTests } from '../run/support/k6.ts'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface Target {
  url: string
  requests: number
  /** Every request line seen (method, path and query). */
  seen: string[]
  close(): Promise<void>
}

/** Answers every request with a small JSON body. */
export async function startTarget(onRequest?: (req: IncomingMessage) => void): Promise<Target> {
  const target: Target = { url: '', requests: 0, seen: [], close: async () => {} }
  const server: Server = createServer((req, res) => {
    target.requests++
    if (target.seen.length < 1000) target.seen.push(`${req.method} ${req.url}`)
    onRequest?.(req)
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  target.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return target
}

export interface CliRun {
  child: ChildProcess
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>
}

/** Starts `perfgate <args>` from the sources with k6 on PATH; killed after `timeoutMs`. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 90_000): CliRun {
  const k6Dir = dirname(k6ForTests())
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, PATH: `${k6Dir}${delimiter}${process.env.PATH ?? ''}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (stdout += t))
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const done = new Promise<{
    code: number | null
    signal: NodeJS.Signals | null
    stdout: string
    stderr: string
  }>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    }),
  )
  return { child, done }
}

export const runCli = (args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number) =>
  startCli(args, env, timeoutMs).done
