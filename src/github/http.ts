// The fetch perfgate uses towards GitHub (REST API, artifact downloads). Node's global fetch
// ignores HTTPS_PROXY/HTTP_PROXY/NO_PROXY, so self-hosted runners behind a proxy could not reach
// GitHub; undici's EnvHttpProxyAgent (the library Node's fetch is built on) reads them the way
// curl does; the k6 download (run/k6-install.ts) uses it too. The artifact upload client
// (@actions/http-client, Azure's pipeline) honours the same variables on its own.
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici'

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']

/** True when the environment names a proxy for http or https. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name]?.trim()))
}

/** Where requests go: "direct", or the proxies and exceptions the environment names (no credentials). */
export function describeProxy(env: NodeJS.ProcessEnv = process.env): string {
  if (!proxyConfigured(env)) return 'direct'
  const show = (value: string | undefined) => {
    if (!value) return undefined
    try {
      const url = new URL(value)
      return `${url.protocol}//${url.host}`
    } catch {
      return 'a malformed URL'
    }
  }
  const https = show(env.HTTPS_PROXY ?? env.https_proxy)
  const http = show(env.HTTP_PROXY ?? env.http_proxy)
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').trim()
  return [
    https ? `https via ${https}` : undefined,
    http ? `http via ${http}` : undefined,
    noProxy ? `except ${noProxy}` : undefined,
  ]
    .filter(Boolean)
    .join(', ')
}

/**
 * A fetch that honours the proxy variables of `env` (read once, here). Without any, it is the
 * global fetch, unchanged.
 */
export function proxyAwareFetch(env: NodeJS.ProcessEnv = process.env): typeof fetch {
  if (!proxyConfigured(env)) return globalThis.fetch
  const pick = (upper: string) => env[upper] ?? env[upper.toLowerCase()]
  const dispatcher = new EnvHttpProxyAgent({
    ...(pick('HTTP_PROXY') ? { httpProxy: pick('HTTP_PROXY') } : {}),
    ...(pick('HTTPS_PROXY') ? { httpsProxy: pick('HTTPS_PROXY') } : {}),
    ...(pick('NO_PROXY') !== undefined ? { noProxy: pick('NO_PROXY') } : {}),
  })
  // undici's own fetch: a dispatcher from this undici is not guaranteed to fit the (different)
  // undici version inside Node's global fetch.
  const proxied = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })
  return proxied as unknown as typeof fetch
}
