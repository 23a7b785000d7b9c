// The URL and secret-valued inputs: target and collector URLs, DSNs, the debug header. Errors are
// one line; a secret's value is never in them.
import { ConfigError, shown } from './errors.ts'

export function requireUrl(name: string, value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(
      `${name} is ${shown(value)}: expected an absolute http(s) URL such as https://pr-42.example.com`,
    )
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(
      `${name} is ${shown(value)}: expected an http(s) URL, got ${url.protocol.slice(0, -1)}`,
    )
  return value
}

/** An app-stats URL: absolute, or a path such as `/health/stats` appended to target-url (as routes are). */
export function appStatsUrl(value: string, targetUrl: string, name = 'app-stats-urls'): string {
  if (/^\/(?!\/)/.test(value)) return targetUrl ? `${targetUrl.replace(/\/+$/, '')}${value}` : value
  const appendedTo = name === 'app-stats-urls' ? 'target-url' : 'baseline-url'
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value))
    throw new ConfigError(
      `${name} has ${shown(value)}: expected a path such as /health/stats (appended to ${appendedTo}) or an absolute http(s) URL`,
    )
  return requireUrl(name, value)
}

export function requireHttpUrl(name: string, value: string | undefined): string {
  if (!value)
    throw new ConfigError(
      `${name} is missing: give the base URL of the deployment under test, e.g. https://pr-42.example.com`,
    )
  return requireUrl(name, value)
}

/** DSNs are secrets: errors never show them, only what is wrong with them. */
export function optionalDsn(name: string, value: string | undefined, schemes: string[]): string | undefined {
  if (value === undefined) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(
      `${name} is not a URL (value hidden): expected ${schemes[0]}//user:password@host:port/db`,
    )
  }
  if (!schemes.includes(url.protocol))
    throw new ConfigError(
      `${name} has scheme ${shown(url.protocol)}: allowed schemes are ${schemes.join(', ')}`,
    )
  return value
}

export function optionalHeader(value: string | undefined, name = 'debug-auth-header'): string | undefined {
  if (value === undefined) return undefined
  if (!/^[A-Za-z0-9-]+:\s*\S/.test(value))
    throw new ConfigError(
      `${name} is malformed (value hidden): expected "Name: value", e.g. "Authorization: Bearer <token>"`,
    )
  return value
}
