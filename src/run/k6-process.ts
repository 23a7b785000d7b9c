// Runs k6 as a child process: keeps its summary text (stdout) and the tail of its log
// (stderr), reports progress from k6's own REST API, and stops it when asked.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

export interface K6Progress {
  elapsedS: number
  totalS: number
  vus: number
  requests: number
  errors: number
}

export interface K6ProcessOptions {
  k6Path: string
  args: string[]
  cwd?: string
  env: NodeJS.ProcessEnv
  /** Expected length of the load, for progress. */
  totalS: number
  onProgress?: (p: K6Progress) => void
  progressIntervalMs?: number
  signal?: AbortSignal
  /** Sees every line of k6's log; a line it returns true for is left out of `stderrTail`. */
  onStderrLine?: (line: string) => boolean
  /**
   * Aborted when the load has done its job early (the paired stopping rule): k6 is told to stop
   * over its REST API, writes its summary and exits with K6_STOPPED_FROM_API. Not an interruption.
   */
  finish?: AbortSignal
}

export interface K6ProcessOutcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  aborted: boolean
  /** The `finish` signal ended the test (k6 then exits with K6_STOPPED_FROM_API). */
  finished: boolean
  stdout: string
  stderrTail: string[]
  elapsedS: number
}

/**
 * k6 failed before any request of the load completed (setup() threw, the script did not compile,
 * its options were refused): `reason` is one line with k6's own message, for the record.
 */
export class K6RunFailed extends Error {
  constructor(
    message: string,
    readonly reason: string,
    /** k6's error came from the script's setup(): no VU started, so the load did not run at all. */
    readonly inSetup = false,
  ) {
    super(message)
    this.name = 'K6RunFailed'
  }
}

const STDERR_TAIL_LINES = 30
const STDOUT_LIMIT = 1 << 20
const KILL_GRACE_MS = 10_000

export async function runK6Process(options: K6ProcessOptions): Promise<K6ProcessOutcome> {
  // k6's REST API on a free loopback port: the cheapest exact progress (no file tailing).
  const port = await freePort()
  const args = [...options.args.slice(0, 1), '--address', `127.0.0.1:${port}`, ...options.args.slice(1)]
  const started = Date.now()
  const child = spawn(options.k6Path, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a signal is delivered to k6 (and anything it starts) by perfgate
    // alone, and the whole group can be killed, so no k6 outlives perfgate.
    detached: true,
  })
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, sig)
    } catch {
      // Already gone.
    }
  }
  // If perfgate exits while k6 runs (a second Ctrl-C, a crash), the load stops with it.
  const onExit = () => killGroup('SIGKILL')
  process.once('exit', onExit)

  let stdout = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (text: string) => {
    if (stdout.length < STDOUT_LIMIT) stdout += text
  })
  const tail = new LineTail(STDERR_TAIL_LINES, options.onStderrLine)
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => tail.push(text))

  let aborted = false
  let killTimer: NodeJS.Timeout | undefined
  const stop = () => {
    aborted = true
    killGroup('SIGINT') // k6 stops gracefully on SIGINT and still writes its summary
    killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS)
  }
  if (options.signal?.aborted) stop()
  else options.signal?.addEventListener('abort', stop, { once: true })

  let finished = false
  const finish = () => {
    if (aborted) return
    finished = true
    void stopOverApi(port).then((ok) => {
      // k6 did not take the request (its API not up, or gone): SIGINT ends it just as cleanly.
      if (!ok && !aborted) killGroup('SIGINT')
    })
  }
  if (options.finish?.aborted) finish()
  else options.finish?.addEventListener('abort', finish, { once: true })

  const interval = options.onProgress
    ? setInterval(() => {
        void pollProgress(port, started, options.totalS).then((p) => p && options.onProgress?.(p))
      }, options.progressIntervalMs ?? 5000)
    : undefined

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`k6 could not be started (${options.k6Path}): ${error.message}`)),
    )
    child.once('close', (code, sig) => resolve([code, sig]))
  }).finally(() => {
    if (interval) clearInterval(interval)
    if (killTimer) clearTimeout(killTimer)
    options.signal?.removeEventListener('abort', stop)
    options.finish?.removeEventListener('abort', finish)
    process.off('exit', onExit)
  })
  return {
    exitCode,
    signal,
    aborted,
    finished,
    stdout,
    stderrTail: tail.lines(),
    elapsedS: (Date.now() - started) / 1000,
  }
}

/** Ends the test over k6's REST API (`PATCH /v1/status`, stopped); false when k6 did not take it. */
async function stopOverApi(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/status`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: { type: 'status', id: 'default', attributes: { stopped: true } } }),
      signal: AbortSignal.timeout(5000),
    })
    return response.ok
  } catch {
    return false
  }
}

async function pollProgress(port: number, started: number, totalS: number): Promise<K6Progress | undefined> {
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) })
    if (!response.ok) return undefined
    return ((await response.json()) as { data?: { attributes?: Record<string, unknown> } }).data?.attributes
  }
  try {
    const [status, reqs, failed] = await Promise.all([
      get('/v1/status'),
      get('/v1/metrics/http_reqs'),
      get('/v1/metrics/http_req_failed'),
    ])
    const requests = Number((reqs?.sample as { count?: number } | undefined)?.count ?? 0)
    const failRate = Number((failed?.sample as { rate?: number } | undefined)?.rate ?? 0)
    return {
      elapsedS: Math.round((Date.now() - started) / 100) / 10,
      totalS,
      vus: Number(status?.vus ?? 0),
      requests,
      errors: Math.round(requests * failRate),
    }
  } catch {
    return undefined // not up yet, or already gone: progress is best effort
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The last N lines of a stream, however long it runs. */
class LineTail {
  private buffer: string[] = []
  private partial = ''
  constructor(
    private readonly max: number,
    private readonly consumed: (line: string) => boolean = () => false,
  ) {}

  push(text: string): void {
    const parts = (this.partial + text).split('\n')
    this.partial = parts.pop() ?? ''
    for (const line of parts) if (line.trim() !== '' && !this.consumed(line)) this.buffer.push(line)
    if (this.buffer.length > this.max * 2) this.buffer = this.buffer.slice(-this.max)
  }

  lines(): string[] {
    // The last line, if k6 ended without a newline, is seen here once.
    if (this.partial.trim() !== '' && this.consumed(this.partial)) this.partial = ''
    const all = this.partial.trim() ? [...this.buffer, this.partial] : this.buffer
    return all.slice(-this.max)
  }
}
