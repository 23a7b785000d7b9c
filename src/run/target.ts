// Before minutes of load, the target must answer HTTP at all (any status will do: a 404 on `/`
// still proves the server is up). Preview platforms put idle deployments to sleep and take
// 10–30 s to wake one, so a silent target is polled with backoff for `target-wait` seconds
// before it is declared down.

export interface TargetCheckOptions {
  /** The input the URL came from, for the messages (default `target-url`). */
  input?: string
  /** How long to keep polling a silent target, in seconds; 0 means one try. Default 60. */
  waitS?: number
  /** Timeout of one request; default 5 s (less when the wait is nearly over). */
  timeoutMs?: number
  /** First pause between attempts; it doubles up to `maxDelayMs` (default 2 s: a waking preview is seen within 2 s). */
  retryDelayMs?: number
  maxDelayMs?: number
  log?: (line: string) => void
  /** Tests substitute the clock. */
  now?: () => number
}

export interface TargetAnswer {
  /** Seconds from the first attempt until the target answered. */
  waitedS: number
  attempts: number
}

const DEFAULT_WAIT_S = 60

export async function assertTargetAnswers(
  targetUrl: string,
  options: TargetCheckOptions = {},
): Promise<TargetAnswer> {
  const name = options.input ?? 'target-url'
  const url = parseTargetUrl(targetUrl, name)
  const now = options.now ?? Date.now
  const waitMs = Math.max(0, (options.waitS ?? DEFAULT_WAIT_S) * 1000)
  const timeoutMs = options.timeoutMs ?? 5000
  const started = now()
  const deadline = started + waitMs
  let delayMs = options.retryDelayMs ?? 500
  let cause = ''
  let told = false
  for (let attempt = 1; ; attempt++) {
    const budget = Math.max(250, Math.min(timeoutMs, deadline - now()))
    try {
      const response = await fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(waitMs === 0 ? timeoutMs : budget),
      })
      await response.body?.cancel()
      const waitedS = round1((now() - started) / 1000)
      if (attempt > 1) options.log?.(`target answered after ${waitedS} s (${attempt} attempts)`)
      return { waitedS, attempts: attempt }
    } catch (error) {
      cause = describeFetchError(error, waitMs === 0 ? timeoutMs : budget)
    }
    const left = deadline - now()
    if (left <= 0) {
      const waited = round1((now() - started) / 1000)
      const how =
        waitMs === 0
          ? 'target-wait is 0, one try'
          : `waited ${waited} s (target-wait ${waitMs / 1000} s, ${attempt} attempts)`
      throw new Error(
        `${name} ${targetUrl} does not answer: ${cause}; ${how}` +
          (waitMs === 0 ? '' : '; raise target-wait if the deployment takes longer to wake up'),
      )
    }
    if (!told) {
      options.log?.(
        `${name} does not answer yet (${cause}); waiting up to ${waitMs / 1000} s for it to wake up`,
      )
      told = true
    }
    await new Promise((r) => setTimeout(r, Math.min(delayMs, left)))
    delayMs = Math.min(delayMs * 2, options.maxDelayMs ?? 2000)
  }
}

function parseTargetUrl(targetUrl: string, name: string): URL {
  let url: URL
  try {
    url = new URL(targetUrl)
  } catch {
    throw new Error(`${name} ${JSON.stringify(targetUrl)} is not a URL (expected e.g. http://127.0.0.1:8080)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} ${targetUrl} must be http:// or https://`)
  }
  return url
}

const round1 = (x: number) => Math.round(x * 10) / 10

/** fetch hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no response within ${Math.round(timeoutMs / 100) / 10} s`
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)
}
