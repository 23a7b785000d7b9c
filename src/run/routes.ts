// Which endpoint a k6 sample belongs to: its `endpoint` tag, else the config's route patterns
// matched against its `name`/`url` tags, else a normalised URL (ids collapsed into `:id`).
import type { EndpointSpec } from '../plan/types.ts'

export interface SampleTags {
  endpoint?: string
  name?: string
  url?: string
  method?: string
}

interface CompiledRoute {
  name: string
  method: string
  pattern: RegExp
  literalSegments: number
}

export type EndpointResolver = (tags: SampleTags) => string

/** Builds the resolver once per run; it is called once per distinct tag set (results are cached upstream). */
export function endpointResolver(endpoints: EndpointSpec[]): EndpointResolver {
  // More literal segments first, so `/clips/trending` wins over `/clips/:id`.
  const routes = endpoints.map(compileRoute).sort((a, b) => b.literalSegments - a.literalSegments)
  return (tags) => {
    if (tags.endpoint) return tags.endpoint
    const method = (tags.method ?? '').toUpperCase()
    for (const candidate of [tags.name, tags.url]) {
      if (!candidate) continue
      const path = pathOf(candidate)
      const sameMethod = routes.find((r) => (method === '' || r.method === method) && r.pattern.test(path))
      if (sameMethod) return sameMethod.name
    }
    const path = pathOf(tags.name || tags.url || '')
    return `${method ? method + ' ' : ''}${normaliseUrlPath(path)}`
  }
}

function compileRoute(spec: EndpointSpec): CompiledRoute {
  const segments = spec.route.split('/').filter((s) => s !== '')
  const parts = segments.map((s) => (s.startsWith(':') || s === '${}' ? '[^/]+' : escapeRegExp(s)))
  return {
    name: spec.name,
    method: spec.method.toUpperCase(),
    pattern: new RegExp(`^/${parts.join('/')}/?$`),
    literalSegments: segments.filter((s) => !s.startsWith(':')).length,
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Path of a URL or of a bare path, without query or fragment. */
export function pathOf(urlOrPath: string): string {
  let rest = urlOrPath
  const scheme = rest.indexOf('://')
  if (scheme >= 0) {
    const slash = rest.indexOf('/', scheme + 3)
    rest = slash >= 0 ? rest.slice(slash) : '/'
  }
  const cut = rest.search(/[?#]/)
  if (cut >= 0) rest = rest.slice(0, cut)
  return rest === '' ? '/' : rest
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const NUMBER = /^\d+$/
const LONG_HEX = /^[0-9a-f]{16,}$/i
// Opaque ids such as base62 or ULIDs: long-ish and mixing letters with digits.
const OPAQUE_ID = /^(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{8,}$/
const K6_TEMPLATE = '${}'

/** `/api/v1/clips/8f2c…/related?x=1` → `/api/v1/clips/:id/related`: bounded cardinality for raw URLs. */
export function normaliseUrlPath(path: string): string {
  const segments = pathOf(path)
    .split('/')
    .map((segment) =>
      segment === K6_TEMPLATE ||
      NUMBER.test(segment) ||
      UUID.test(segment) ||
      LONG_HEX.test(segment) ||
      OPAQUE_ID.test(segment)
        ? ':id'
        : segment,
    )
  return segments.join('/') || '/'
}
