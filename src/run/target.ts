// Fail fast before minutes of load: the target must answer HTTP at all (any status will do;
// a 404 on `/` still proves the server is up).

export interface TargetCheckOptions {
  attempts?: number
  timeoutMs?: number
  /** Pause between attempts (a preview deployment may still be waking up). */
  retryDelayMs?: number
}

export async function assertTargetAnswers(
  targetUrl: string,
  options: TargetCheckOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 3
  const timeoutMs = options.timeoutMs ?? 5000
  let url: URL
  try {
    url = new URL(targetUrl)
  } catch {
    throw new Error(
      `target-url ${JSON.stringify(targetUrl)} is not a URL (expected e.g. http://127.0.0.1:8080)`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`target-url ${targetUrl} must be http:// or https://`)
  }
  let cause = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
      await response.body?.cancel()
      return
    } catch (error) {
      cause = describeFetchError(error, timeoutMs)
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000))
  }
  throw new Error(`target-url ${targetUrl} does not answer: ${cause}`)
}

/** fetch hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no response within ${timeoutMs / 1000} s`
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)
}
