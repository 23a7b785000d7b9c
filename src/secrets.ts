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
