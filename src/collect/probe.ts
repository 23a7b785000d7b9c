// The query attribution probe's requests: each endpoint of the plan with its route params filled
// from real values. Values come, as in the generated k6 script, from the scenario's fixtures file
// (`ids`, `tags`, `terms`/`searchTerms`, `tokens`, singular or plural) and from the items listed
// by the plan's GET endpoints without route params (the feed). Endpoints that change data are
// probed too (the load test itself sent the same requests), with their configured body; those
// with `auth: true` only when a token is known (fixtures `tokens` or PERFGATE_TOKEN).
import { readFile } from 'node:fs/promises'
import type { EndpointSpec } from '../plan/types.ts'
import type { CollectContext, CollectDeps } from './types.ts'

/** What gatherPools reads of a collector's context (the re-request after a user's script has no other). */
export type PoolContext = Pick<CollectContext, 'plan' | 'signal'> & {
  deps: Pick<CollectDeps, 'fetch' | 'log'>
}

export type Pools = Record<string, string[]>

const ALIASES: Record<string, string> = {
  ids: 'id',
  tags: 'tag',
  terms: 'term',
  searchTerms: 'term',
  tokens: 'token',
}

export function addToPool(pools: Pools, key: string, values: unknown): void {
  const name = ALIASES[key] ?? key
  const pool = (pools[name] ??= [])
  for (const v of ([] as unknown[]).concat(values)) {
    if (v === undefined || v === null || v === '' || typeof v === 'object') continue
    if (!pool.includes(String(v))) pool.push(String(v))
  }
}

/** The first list of objects in a JSON answer: `[...]`, `{data: [...]}`, `{items: [...]}`, … */
export function itemsOf(json: unknown, depth = 0): Record<string, unknown>[] {
  if (Array.isArray(json))
    return json.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null)
  if (typeof json !== 'object' || json === null || depth > 2) return []
  for (const value of Object.values(json)) {
    const items = itemsOf(value, depth + 1)
    if (items.length) return items
  }
  return []
}

/** Adds ids, tags, terms and route-param-named fields of listed items to the pools. */
export function addItems(pools: Pools, items: Record<string, unknown>[], params: string[]): void {
  for (const item of items) {
    addToPool(pools, 'id', item.id ?? item.uuid ?? item.slug)
    const tags = ([] as unknown[]).concat(item.tags ?? [])
    for (const t of tags) {
      const tag =
        typeof t === 'object' && t !== null
          ? ((t as Record<string, unknown>).slug ?? (t as Record<string, unknown>).name)
          : t
      addToPool(pools, 'tag', tag)
      if (typeof t === 'string') addToPool(pools, 'term', t)
    }
    for (const word of String(item.title ?? item.name ?? '').split(/[^A-Za-z0-9]+/))
      if (word.length >= 4) addToPool(pools, 'term', word.toLowerCase())
    for (const key of Object.keys(item)) if (params.includes(key)) addToPool(pools, key, item[key])
  }
}

export interface ProbeRequest {
  endpoint: string
  method: string
  /** Path and query, to append to the target URL. */
  path: string
  body?: string
  headers: Record<string, string>
}

export function routeParams(route: string): string[] {
  return [...route.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => m[1]!)
}

/** One request per endpoint, or the reason it is skipped; pure. */
export function probeRequests(
  endpoints: EndpointSpec[],
  pools: Pools,
): { requests: ProbeRequest[]; skipped: { endpoint: string; reason: string }[] } {
  const requests: ProbeRequest[] = []
  const skipped: { endpoint: string; reason: string }[] = []
  const token = pools.token?.[0]
  const first = (param: string) => pools[param]?.[0]
  for (const e of endpoints) {
    if (e.auth && !token) {
      skipped.push({
        endpoint: e.name,
        reason: 'needs a token (auth: true): give fixtures "tokens" or PERFGATE_TOKEN',
      })
      continue
    }
    const missing = routeParams(e.route).filter((p) => !first(p))
    if (missing.length) {
      skipped.push({ endpoint: e.name, reason: `no value for ${missing.map((p) => `:${p}`).join(', ')}` })
      continue
    }
    const fill = (text: string) => text.replace(/\{(\w+)\}/g, (whole, p: string) => first(p) ?? whole)
    const path = e.route.replace(/:([A-Za-z_]\w*)/g, (_, p: string) => encodeURIComponent(first(p)!))
    const qs = Object.entries(e.query ?? {})
      .map(
        ([k, v]) =>
          `${encodeURIComponent(k)}=${encodeURIComponent(fill(String(Array.isArray(v) ? v[0] : v)))}`,
      )
      .join('&')
    const headers: Record<string, string> = {}
    let body: string | undefined
    if (e.body !== undefined) {
      body = fill(JSON.stringify(e.body))
      headers['Content-Type'] = 'application/json'
    }
    if (e.auth && token) headers.Authorization = `Bearer ${token}`
    requests.push({
      endpoint: e.name,
      method: e.method,
      path: path + (qs ? `?${qs}` : ''),
      ...(body !== undefined ? { body } : {}),
      headers,
    })
  }
  return { requests, skipped }
}

/** Values for the probe from the fixtures file, PERFGATE_TOKEN and the plan's list endpoints. */
export async function gatherPools(ctx: PoolContext, token?: string): Promise<Pools> {
  const pools: Pools = {}
  const fixtures = ctx.plan.scenario.fixtures
  if (fixtures) {
    try {
      const json = JSON.parse(await readFile(fixtures, 'utf8')) as Record<string, unknown>
      for (const [key, value] of Object.entries(json)) addToPool(pools, key, value)
    } catch (error) {
      ctx.deps.log(
        `perfgate: probe: cannot read the fixtures file: ${(error as Error).message.split('\n')[0]}`,
      )
    }
  }
  if (token) addToPool(pools, 'token', token)
  const params = [...new Set(ctx.plan.endpoints.flatMap((e) => routeParams(e.route)))]
  const base = ctx.plan.targetUrl.replace(/\/+$/, '')
  for (const seed of ctx.plan.endpoints.filter(
    (e) => e.method === 'GET' && routeParams(e.route).length === 0,
  )) {
    if (params.every((p) => pools[p]?.length)) break
    const query = Object.entries(seed.query ?? {})
      .filter(([, v]) => !String(Array.isArray(v) ? v[0] : v).includes('{'))
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(Array.isArray(v) ? v[0] : v))}`)
      .join('&')
    try {
      const response = await ctx.deps.fetch(`${base}${seed.route}${query ? `?${query}` : ''}`, {
        signal: ctx.signal,
      })
      if (response.ok) addItems(pools, itemsOf(await response.json()), params)
    } catch {
      // Another list endpoint may answer.
    }
  }
  // Lists often leave fields out (tags): one item's own GET can fill the params still missing.
  const missing = () => params.filter((p) => !pools[p]?.length)
  for (const detail of ctx.plan.endpoints.filter(
    (e) => e.method === 'GET' && routeParams(e.route).length > 0,
  )) {
    if (missing().length === 0) break
    if (!routeParams(detail.route).every((p) => pools[p]?.length)) continue
    const path = detail.route.replace(/:([A-Za-z_]\w*)/g, (_, p: string) => encodeURIComponent(pools[p]![0]!))
    try {
      const response = await ctx.deps.fetch(`${base}${path}`, { signal: ctx.signal })
      if (!response.ok) continue
      const json = (await response.json()) as unknown
      const items = itemsOf(json)
      const own =
        typeof json === 'object' && json !== null && !Array.isArray(json)
          ? [json as Record<string, unknown>]
          : []
      addItems(pools, items.length ? items : own, params)
    } catch {
      // The probe skips endpoints whose params stay unknown.
    }
  }
  return pools
}
