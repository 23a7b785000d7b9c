// Cache findings from Redis INFO and the keyspace sample. A hit rate alone is not a finding
// (the cache-hit-rate SLO judges it): a finding needs a cause perfgate can show.
import type { CacheAnalysis } from '../../record/analysis.ts'
import type { RedisData } from '../../record/collectors.ts'
import { isUnavailable, type Part } from '../../record/common.ts'
import type { Finding } from '../../record/findings.ts'
import { percent } from '../recommend.ts'
import { finding, unavailable } from './rules.ts'

/** Prefixes with fewer sampled keys than this are too small to judge their TTLs. */
const MIN_PREFIX_KEYS = 10

export function cacheAnalysis(
  redis: Part<RedisData>,
  target: number,
  findings: Finding[],
  notes: string[],
): Part<CacheAnalysis> {
  if (isUnavailable(redis)) return unavailable(`Redis: ${redis.unavailable}`)
  const lookups = redis.hitsCount + redis.missesCount
  const prefixes = redis.sample.prefixes.map((p) => ({
    prefix: p.prefix,
    keys: p.keysCount,
    noTtl: p.ttl.none,
    shortTtl: p.ttl.lt1m,
    memoryBytes: p.memoryBytes,
  }))
  const data: CacheAnalysis = {
    ...(redis.hitRate !== undefined ? { hitRate: redis.hitRate } : {}),
    target,
    hits: redis.hitsCount,
    misses: redis.missesCount,
    evictions: redis.evictedKeysCount,
    expired: redis.expiredKeysCount,
    memoryUsedBytes: redis.memory.usedBytes,
    maxmemoryBytes: redis.memory.maxmemoryBytes,
    policy: redis.memory.policy,
    prefixes: prefixes.map(({ prefix, keys, noTtl, shortTtl }) => ({ prefix, keys, noTtl, shortTtl })),
  }
  if (redis.hitRate !== undefined && lookups >= 20 && redis.hitRate < target) {
    const shortLived = prefixes.filter((p) => p.keys > 0 && p.shortTtl / p.keys >= 0.8).map((p) => p.prefix)
    notes.push(
      `cache hit rate ${percent(redis.hitRate)} is below the ${percent(target, 0)} target (${redis.hitsCount} hits, ` +
        `${redis.missesCount} misses); no finding: ${redis.evictedKeysCount > 0 ? 'see the eviction finding' : 'no evictions'}` +
        (shortLived.length
          ? `, and keys of ${shortLived.join(', ')} expire within a minute (a short TTL may be by design)`
          : ''),
    )
  }
  if (redis.evictedKeysCount > 0) {
    findings.push(
      finding({
        kind: 'cache',
        title: `${redis.evictedKeysCount} keys evicted during the load`,
        detail: `Redis evicted keys under its ${redis.memory.policy} policy (used ${redis.memory.usedBytes} of ${redis.memory.maxmemoryBytes} bytes); an evicted key is a miss the TTL did not ask for.`,
        impact: lookups > 0 ? Math.min(1, redis.evictedKeysCount / lookups) : 0,
        impactBasis: 'evictions per cache lookup',
        effort: 'low',
        fix: 'Raise maxmemory, or shrink values and give every key a TTL so expiry, not eviction, frees memory.',
        evidence: { evictions: redis.evictedKeysCount },
      }),
    )
  }
  const used = Math.max(redis.memory.usedBytes, 1)
  for (const p of prefixes) {
    if (p.keys < MIN_PREFIX_KEYS || p.noTtl / p.keys < 0.5) continue
    findings.push(
      finding({
        kind: 'cache',
        title: `Keys without TTL: ${p.prefix}`,
        detail: `${p.noTtl} of ${p.keys} sampled ${p.prefix} keys never expire (${p.memoryBytes} bytes sampled); they grow until eviction.`,
        impact: Math.min(1, p.memoryBytes / used),
        impactBasis: 'share of Redis memory',
        effort: 'low',
        fix: `Set a TTL when writing ${p.prefix} keys (SET … EX, or EXPIRE after INCR).`,
        evidence: { prefix: p.prefix, noTtl: p.noTtl, keys: p.keys },
      }),
    )
  }
  return data
}
