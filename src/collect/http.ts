// HTTP for collectors: one request, its failure as a one-line reason (status, HTML, timeout).
import type { CollectContext } from './types.ts'
import { Unavailable } from './types.ts'

/** A URL for logs and the record: no credentials, no query string (tokens hide there). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

function statusHint(status: number): string {
  if (status === 401 || status === 403) return ': check debug-auth-header (the endpoint needs credentials)'
  if (status === 404) return ': check the path'
  return ''
}

/** Turns a fetch failure into a one-line reason naming the URL without secrets. */
export function fetchFailure(error: unknown, url: string, signal: AbortSignal): Unavailable {
  if (signal.aborted) return new Unavailable(`${displayUrl(url)} timed out`)
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  const detail = cause?.code ?? cause?.message ?? (error as Error).message
  return new Unavailable(`${displayUrl(url)} unreachable: ${String(detail).split('\n')[0]}`)
}

export interface Fetched {
  status: number
  contentType: string
  body: Uint8Array
}

/** GET url; throws Unavailable on a network error, a timeout or a non-2xx status. */
export async function get(
  ctx: CollectContext,
  url: string,
  headers: Record<string, string> = {},
  signal: AbortSignal = ctx.signal,
): Promise<Fetched> {
  let response: Response
  let body: Uint8Array
  try {
    response = await ctx.deps.fetch(url, { headers, signal, redirect: 'follow' })
    body = new Uint8Array(await response.arrayBuffer())
  } catch (error) {
    throw fetchFailure(error, url, signal)
  }
  if (!response.ok) {
    throw new Unavailable(
      `${displayUrl(url)} answered ${response.status} ${response.statusText}${statusHint(response.status)}`.trim(),
    )
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body }
}

export function text(fetched: Fetched): string {
  return new TextDecoder().decode(fetched.body)
}

/** True when a body is an HTML page (a login page, a proxy's error page, an SPA fallback). */
export function looksLikeHtml(fetched: Fetched): boolean {
  if (/text\/html/i.test(fetched.contentType)) return true
  const start = text({ ...fetched, body: fetched.body.subarray(0, 256) })
    .trimStart()
    .slice(0, 15)
    .toLowerCase()
  return start.startsWith('<!doctype') || start.startsWith('<html') || start.startsWith('<')
}

/** `Authorization: Bearer x` → `{ Authorization: 'Bearer x' }`; a bare token becomes a bearer header. */
export function headerFromLine(line: string | undefined): Record<string, string> {
  if (!line) return {}
  const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line.trim())
  if (m) return { [m[1]!]: m[2]! }
  return { Authorization: `Bearer ${line.trim()}` }
}
