// The one place perfgate builds its GitHub REST client. Every request goes through a hook that
// waits out GitHub's secondary rate limits (403/429 with `retry-after`) a bounded number of times,
// and through the proxy the environment names (HTTPS_PROXY, NO_PROXY: see http.ts).
import { Octokit } from '@octokit/rest'
import { describeProxy, proxyAwareFetch, proxyConfigured } from './http.ts'

export type GitHubClient = Octokit

export interface ClientOptions {
  token: string
  /** Default: GITHUB_API_URL, then https://api.github.com. */
  baseUrl?: string
  /** Default: a fetch that honours the proxy variables of `env`. */
  fetch?: typeof fetch
  /** Where proxy variables are read (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Waits before a retry; injectable so tests do not sleep. */
  sleep?: (ms: number) => Promise<void>
  /** Longest wait accepted for one retry; a longer `retry-after` is not waited for (default 60 s). */
  maxRetryWaitS?: number
  /** Retries per request (default 3). */
  maxRetries?: number
  log?: (line: string) => void
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Builds the Octokit perfgate uses, with the rate-limit retry installed. */
export function createOctokit(options: ClientOptions): GitHubClient {
  const env = options.env ?? process.env
  if (!options.fetch && proxyConfigured(env)) options.log?.(`GitHub requests: ${describeProxy(env)}`)
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    request: { fetch: options.fetch ?? proxyAwareFetch(env) },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  })
  installRateLimitRetry(octokit, options)
  return octokit
}

interface HttpError {
  status?: number
  message?: string
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown }
}

/** Seconds GitHub asks us to wait before retrying, when the error is a rate limit; undefined otherwise. */
export function rateLimitWaitS(error: unknown, now = Date.now()): number | undefined {
  const e = error as HttpError
  if (e?.status !== 403 && e?.status !== 429) return undefined
  const headers = e.response?.headers ?? {}
  const retryAfter = headers['retry-after']
  if (retryAfter !== undefined && retryAfter !== '') {
    const seconds = Number(retryAfter)
    if (Number.isFinite(seconds)) return Math.max(0, seconds)
    const date = Date.parse(String(retryAfter))
    if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - now) / 1000))
  }
  if (String(headers['x-ratelimit-remaining']) === '0' && headers['x-ratelimit-reset'] !== undefined)
    return Math.max(0, Number(headers['x-ratelimit-reset']) - Math.floor(now / 1000))
  // A secondary limit without retry-after: GitHub says to wait at least a minute.
  if (/secondary rate limit/i.test(e.message ?? '')) return 60
  return undefined
}

/** Retries a request after GitHub's `retry-after` when it hits a (secondary) rate limit. */
export function installRateLimitRetry(
  octokit: Octokit,
  options: Pick<ClientOptions, 'sleep' | 'maxRetryWaitS' | 'maxRetries' | 'log'> = {},
): void {
  const sleep = options.sleep ?? defaultSleep
  const maxWaitS = options.maxRetryWaitS ?? 60
  const maxRetries = options.maxRetries ?? 3
  octokit.hook.wrap('request', async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions)
      } catch (error) {
        const waitS = rateLimitWaitS(error)
        if (waitS === undefined || attempt >= maxRetries) throw error
        if (waitS > maxWaitS) {
          const e = error as Error
          e.message = `${e.message} (GitHub asked to retry after ${waitS}s, more than the ${maxWaitS}s perfgate waits)`
          throw e
        }
        options.log?.(
          `GitHub rate limit on ${requestOptions.method} ${requestOptions.url}: retrying in ${waitS}s (${attempt + 1}/${maxRetries})`,
        )
        await sleep(waitS * 1000)
      }
    }
  })
}

/** True for the 403 a read-only token (a fork's pull_request run) gets on any write. */
export function isReadOnlyTokenError(error: unknown): boolean {
  const e = error as HttpError
  return e?.status === 403 && /Resource not accessible by integration/i.test(e.message ?? '')
}

/** One line describing a failed GitHub call. */
export function describeError(error: unknown): string {
  const e = error as HttpError
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim()
  return e?.status ? `HTTP ${e.status}: ${message}` : message
}
