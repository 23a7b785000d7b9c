// Secrets the user gave us (DSNs, tokens, auth headers): collected once from the plan, masked
// in the runner's log, and scrubbed from anything perfgate writes (report, logs, artifacts).

/** The secret strings inside one value: the whole value plus the parts a log line could show alone. */
export function secretParts(value: string | undefined): string[] {
  if (!value) return []
  const parts = new Set<string>([value])
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try {
      const url = new URL(value)
      if (url.password) {
        parts.add(url.password)
        parts.add(decodeURIComponent(url.password))
      }
      // Tokens in the query (`?access_token=…`, `&api_key=…`), raw and decoded.
      for (const [name, v] of url.searchParams) {
        if (!SECRET_PARAM.test(name) || !v) continue
        parts.add(v)
        parts.add(encodeURIComponent(v))
      }
    } catch {
      // Malformed: the whole value stays masked.
    }
  } else {
    // An auth header such as "Authorization: Bearer x", or a bare token.
    const header = /^[A-Za-z0-9-]+:\s*(.+)$/.exec(value)
    if (header) {
      parts.add(header[1]!)
      const scheme = /^(?:Bearer|Basic|Token)\s+(.+)$/i.exec(header[1]!)
      if (scheme) parts.add(scheme[1]!)
    }
  }
  // Very short strings would mask ordinary words; GitHub does the same.
  return [...parts].filter((part) => part.length >= 4)
}

/** Query parameter names whose values are credentials. */
const SECRET_PARAM = /token|secret|passw|pwd|key|auth|sig|credential|session/i

/** URL-valued inputs whose embedded credentials (user:password@, ?token=) are secrets too. */
const URL_INPUTS = [
  'target-url',
  'baseline-url',
  'metrics-url',
  'pprof-url',
  'app-stats-urls',
  'baseline-metrics-url',
  'baseline-pprof-url',
  'baseline-app-stats-urls',
] as const

/**
 * Every secret among raw inputs (before the plan exists, so input errors are scrubbed too): the
 * secret inputs whole, the credentials inside URL inputs, and PERFGATE_TOKEN.
 */
export function inputSecrets(
  inputs: Record<string, string | undefined>,
  secretInputs: readonly string[],
  env: NodeJS.ProcessEnv,
): string[] {
  const urlCredentials = URL_INPUTS.flatMap((name) =>
    (inputs[name] ?? '')
      .split(',')
      .map((u) => u.trim())
      // Only what is a URL can carry credentials: "localhost:8080" is not a header with a secret.
      .filter((u) => /^[a-z][a-z0-9+.-]*:\/\//i.test(u))
      .flatMap((u) => secretParts(u).filter((part) => part !== u)),
  )
  return [
    ...secretInputs.flatMap((name) => secretParts(inputs[name])),
    ...urlCredentials,
    ...secretParts(env.PERFGATE_TOKEN),
  ]
}

/** The tokens of a scenario fixtures file (`token`, `tokens`): they become Bearer headers. */
export function fixtureTokens(text: string): string[] {
  try {
    const data = JSON.parse(text) as Record<string, unknown>
    return ['token', 'tokens']
      .flatMap((key) => (Array.isArray(data[key]) ? (data[key] as unknown[]) : [data[key]]))
      .filter((t): t is string => typeof t === 'string')
  } catch {
    return []
  }
}

export class SecretScrubber {
  private readonly secrets: string[]

  constructor(values: (string | undefined)[]) {
    // Longest first, so a DSN is replaced whole before its password alone.
    this.secrets = [...new Set(values.flatMap(secretParts))].sort((a, b) => b.length - a.length)
  }

  get values(): readonly string[] {
    return this.secrets
  }

  scrub(text: string): string {
    let out = text
    for (const secret of this.secrets) out = out.split(secret).join('***')
    return out
  }

  /** Scrubs every string value inside a JSON-serialisable value; keys are perfgate's own and stay. */
  scrubDeep<T>(value: T): T {
    if (this.secrets.length === 0) return value
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.scrub(v)
      if (Array.isArray(v)) return v.map(walk)
      if (v && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
      return v
    }
    return walk(value) as T
  }
}

/** A DSN with its password replaced, for logs and reports (`postgres://app:***@db:5432/app`). */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return '***'
  }
}

/**
 * A pg_stat_statements text safe to publish. Plain DML and SELECT come normalised (constants are
 * `$1`); utility statements (`ALTER ROLE … PASSWORD '…'`, `COPY … FROM PROGRAM '…'`) and anything
 * else are kept verbatim by PostgreSQL, so their string literals are replaced with `'***'`.
 */
export function redactStatement(query: string): string {
  const body = query.trim().replace(/^(\/\*.*?\*\/\s*)+/s, '')
  const plain = /^(select|with|update|delete|insert|values|table)\b/i.test(body) && !/;\s*\S/.test(body)
  if (plain && !/\b(password|program)\b/i.test(body)) return query
  return (
    query
      // Dollar-quoted strings ($$…$$, $tag$…$tag$), then E'…', '…' and U&'…' literals ('' escapes
      // a quote).
      .replace(/\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\1\$/g, "'***'")
      // An unterminated literal (a text cut by track_activity_query_size) runs to the end.
      .replace(/(?:[EeUu]&?)?'(?:[^'\\]|''|\\.)*(?:'|$)/g, "'***'")
  )
}
