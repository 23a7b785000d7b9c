// App stats collector: JSON endpoints such as `/health/stats` and `/health/cache`, read before and
// after the load; numeric fields (numbers written as strings included) are flattened and diffed.
import type { AppStatsData, AppStatsSource, AppStatsValue } from '../record/collectors.ts'
import { displayUrl, get, looksLikeHtml, text } from './http.ts'
import { Unavailable, type Collector } from './types.ts'

/** A number, or a string holding one (`"1234"`, `"85.20%"`, `"1.5e3"`); undefined otherwise. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'boolean') return undefined
  if (typeof value !== 'string') return undefined
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*%?\s*$/.exec(value)
  return m ? Number(m[1]) : undefined
}

/** Numeric leaves of a JSON value keyed by dotted path (`database.acquire_count`, `items.0.n`). */
export function flattenNumbers(
  value: unknown,
  prefix = '',
  out: Record<string, number> = {},
): Record<string, number> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value)
    for (const [k, v] of entries) flattenNumbers(v, prefix ? `${prefix}.${k}` : k, out)
    return out
  }
  const n = numeric(value)
  if (n !== undefined && prefix) out[prefix] = n
  return out
}

const round = (n: number) => Math.round(n * 1e6) / 1e6

/** Before, after and delta of every numeric field present in either snapshot; pure. */
export function diffNumbers(
  before: Record<string, number> | undefined,
  after: Record<string, number> | undefined,
): Record<string, AppStatsValue> {
  const out: Record<string, AppStatsValue> = {}
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort()
  for (const key of keys) {
    const b = before?.[key]
    const a = after?.[key]
    out[key] = {
      ...(b !== undefined ? { before: b } : {}),
      ...(a !== undefined ? { after: a } : {}),
      ...(a !== undefined && b !== undefined ? { delta: round(a - b) } : {}),
    }
  }
  return out
}

function fileStem(url: string, index: number): string {
  let stem = `source${index + 1}`
  try {
    const p = new URL(url).pathname.replace(/^\/+|\/+$/g, '').replace(/[^a-zA-Z0-9]+/g, '_')
    if (p) stem = p
  } catch {
    // keep the index name
  }
  return stem
}

export function createAppStatsCollector(urls: string[]): Collector<AppStatsData> {
  const snapshots = urls.map(
    () => ({}) as { before?: Record<string, number>; after?: Record<string, number>; error?: string },
  )
  const files: string[] = []
  const stems = urls.map(fileStem)

  async function snapshot(ctx: Parameters<Collector['before']>[0], phase: 'before' | 'after') {
    await Promise.all(
      urls.map(async (url, i) => {
        const snap = snapshots[i]!
        try {
          const fetched = await get(ctx, url, { Accept: 'application/json' })
          if (looksLikeHtml(fetched)) throw new Unavailable(`${displayUrl(url)} answered HTML, not JSON`)
          const body = text(fetched)
          let json: unknown
          try {
            json = JSON.parse(body)
          } catch {
            throw new Unavailable(`${displayUrl(url)} answered something that is not JSON`)
          }
          snap[phase] = flattenNumbers(json)
          files.push(await ctx.writeFile(`app_stats_${stems[i]}_${phase}.json`, body))
        } catch (error) {
          snap.error ??= `${phase}: ${ctx.scrubber.scrub((error as Error).message.split('\n')[0]!)}`
        }
      }),
    )
  }

  return {
    name: 'appStats',
    before: (ctx) => snapshot(ctx, 'before'),
    after: (ctx) => snapshot(ctx, 'after'),
    result() {
      const sources: AppStatsSource[] = urls.map((url, i) => {
        const snap = snapshots[i]!
        return {
          url: displayUrl(url),
          values: diffNumbers(snap.before, snap.after),
          ...(snap.error ? { error: snap.error } : {}),
        }
      })
      if (sources.every((s) => s.error && Object.keys(s.values).length === 0))
        throw new Unavailable(sources.map((s) => s.error).join('; '))
      return { files, sources }
    },
  }
}
