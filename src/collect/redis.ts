// Redis collector: INFO before and after the load (deltas of hits, misses, evictions, commands),
// memory, keys per db, and a bounded SCAN sample grouped by key prefix. Read-only commands only:
// INFO, SCAN, PTTL, MEMORY USAGE.
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { Redis } from 'ioredis'
import type { RedisData, RedisPrefix } from '../record/collectors.ts'
import { Unavailable, type CollectContext, type Collector } from './types.ts'

export type Info = Record<string, string>

/** `INFO` text → `{ key: value }` (sections flattened; `# Section` lines dropped). */
export function parseInfo(text: string): Info {
  const out: Info = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const i = line.indexOf(':')
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1)
  }
  return out
}

/** `keys=1,expires=0,avg_ttl=0` → `{ keys: 1, expires: 0, avg_ttl: 0 }`. */
export function parseFields(value: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const part of value.split(',')) {
    const [k, v] = part.split('=')
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v)
  }
  return out
}

const num = (info: Info, key: string): number => {
  const n = Number(info[key])
  return Number.isFinite(n) ? n : 0
}

const grew = (before: Info, after: Info, key: string): number => {
  const a = num(after, key)
  const b = num(before, key)
  return a >= b ? a - b : a
}

/**
 * The prefix a key is grouped under: segments (split on `:`) up to the first one that looks like
 * an id (digits, a UUID, a long hex or base64-ish run), at most three, then `*`.
 */
export function keyPrefix(key: string): string {
  const segments = key.split(':')
  if (segments.length === 1) return /\d/.test(key) ? key.replace(/[0-9a-f-]{6,}|\d+/gi, '*') : key
  const kept: string[] = []
  for (const segment of segments.slice(0, -1)) {
    if (kept.length === 3 || isIdLike(segment)) break
    kept.push(segment)
  }
  return kept.length ? `${kept.join(':')}:*` : '*'
}

function isIdLike(segment: string): boolean {
  return /^\d+$/.test(segment) || /^[0-9a-f-]{16,}$/i.test(segment) || /^[A-Za-z0-9_-]{20,}$/.test(segment)
}

type TtlBucket = keyof RedisPrefix['ttl']

/** The TTL bucket of a PTTL answer in milliseconds (-1: no expiry, -2: gone). */
export function ttlBucket(pttlMs: number): TtlBucket | undefined {
  if (pttlMs === -2) return undefined
  if (pttlMs < 0) return 'none'
  if (pttlMs < 60_000) return 'lt1m'
  if (pttlMs < 600_000) return 'lt10m'
  if (pttlMs < 3_600_000) return 'lt1h'
  return 'ge1h'
}

export interface SampledKey {
  key: string
  pttlMs: number
  memoryBytes: number
}

/** Keys grouped by prefix, most memory first. */
export function groupKeys(keys: SampledKey[]): RedisPrefix[] {
  const groups = new Map<string, RedisPrefix>()
  for (const k of keys) {
    const bucket = ttlBucket(k.pttlMs)
    if (!bucket) continue
    const prefix = keyPrefix(k.key)
    let g = groups.get(prefix)
    if (!g) {
      g = { prefix, keysCount: 0, memoryBytes: 0, ttl: { none: 0, lt1m: 0, lt10m: 0, lt1h: 0, ge1h: 0 } }
      groups.set(prefix, g)
    }
    g.keysCount++
    g.memoryBytes += k.memoryBytes
    g.ttl[bucket]++
  }
  return [...groups.values()].sort((a, b) => b.memoryBytes - a.memoryBytes || b.keysCount - a.keysCount)
}

/** Everything but the sample and files, from INFO before and after; pure. */
export function analyseInfo(before: Info, after: Info): Omit<RedisData, 'files' | 'sample' | 'notes'> {
  const hitsCount = grew(before, after, 'keyspace_hits')
  const missesCount = grew(before, after, 'keyspace_misses')
  const commands: RedisData['commands'] = []
  for (const [key, value] of Object.entries(after)) {
    if (!key.startsWith('cmdstat_')) continue
    const a = parseFields(value)
    const b = parseFields(before[key] ?? '')
    const calls = (a.calls ?? 0) - (b.calls ?? 0)
    if (calls <= 0) continue
    const usec = (a.usec ?? 0) - (b.usec ?? 0)
    commands.push({
      command: key.slice('cmdstat_'.length),
      callsCount: calls,
      usecPerCall: Math.round((usec / calls) * 100) / 100,
    })
  }
  commands.sort((x, y) => y.callsCount - x.callsCount)
  const keysPerDb = Object.entries(after)
    .filter(([key]) => /^db\d+$/.test(key))
    .map(([db, value]) => {
      const f = parseFields(value)
      return { db, keysCount: f.keys ?? 0, expiresCount: f.expires ?? 0 }
    })
  const fragmentation = Number(after.mem_fragmentation_ratio)
  return {
    version: after.redis_version ?? 'unknown',
    hitsCount,
    missesCount,
    ...(hitsCount + missesCount > 0
      ? { hitRate: Math.round((hitsCount / (hitsCount + missesCount)) * 1e4) / 1e4 }
      : {}),
    evictedKeysCount: grew(before, after, 'evicted_keys'),
    expiredKeysCount: grew(before, after, 'expired_keys'),
    // INFO itself counts as a command; the collector's own two INFOs are left in (two calls).
    commandsCount: grew(before, after, 'total_commands_processed'),
    commands: commands.slice(0, 20),
    memory: {
      usedBytes: num(after, 'used_memory'),
      peakBytes: num(after, 'used_memory_peak'),
      maxmemoryBytes: num(after, 'maxmemory'),
      policy: after.maxmemory_policy ?? 'unknown',
      ...(Number.isFinite(fragmentation) ? { fragmentationRatio: fragmentation } : {}),
    },
    keysPerDb,
    ...(after.connected_clients !== undefined
      ? { connectedClientsCount: num(after, 'connected_clients') }
      : {}),
  }
}

/** One line for a Redis error, with what to do about the usual ones. */
export function redisReason(error: unknown): string {
  const message = (error as Error).message ?? String(error)
  if (/NOAUTH/i.test(message))
    return 'Redis requires a password (NOAUTH): put it in redis-url (redis://:password@host:port)'
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message))
    return 'Redis rejected the password in redis-url (WRONGPASS)'
  if (/NOPERM/i.test(message))
    return `the Redis user lacks a permission: ${message.split('\n')[0]} (grant +info +scan +pttl +memory)`
  return `Redis: ${message.split('\n')[0]}`
}

/** First bytes of a RESP (2 or 3) reply: whatever a Redis server says to PING starts with one. */
const RESP_TYPE_BYTES = '+-:$*%_,#!=(|~>'

/**
 * Whether the server at a redis-url speaks Redis: sends an inline PING and reads the first reply
 * bytes. ioredis reports a non-Redis peer only as EPIPE, ECONNRESET or a protocol parse error,
 * so when connecting fails this says what the server is instead. Resolves undefined for a Redis
 * server (or no answer: then ioredis's own reason stands), else a one-line reason.
 */
export function notRedisReason(url: string, timeoutMs = 2000): Promise<string | undefined> {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return Promise.resolve(undefined)
  }
  const port = Number(target.port || 6379)
  const host = target.hostname.replace(/^\[|\]$/g, '')
  return new Promise((resolve) => {
    let answer = ''
    const socket: Socket =
      target.protocol === 'rediss:'
        ? tlsConnect({ host, port, servername: host, rejectUnauthorized: false })
        : netConnect({ host, port })
    const done = (reason: string | undefined) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(reason)
    }
    const timer = setTimeout(() => done(describe(answer)), timeoutMs)
    socket.setEncoding('latin1')
    socket.once(target.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk: string) => {
      answer += chunk
      if (answer.length >= 1 && (RESP_TYPE_BYTES.includes(answer[0]!) || answer.includes('\n')))
        done(describe(answer))
    })
    socket.once('end', () => done(describe(answer)))
    socket.once('error', () => done(describe(answer)))
  })

  function describe(answer: string): string | undefined {
    if (answer === '' || RESP_TYPE_BYTES.includes(answer[0]!)) return undefined
    const first = answer
      .split(/\r?\n/)[0]!
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, 40)
    const what = /^HTTP\/\d/.test(first) ? ' (an HTTP server)' : ''
    return `redis-url does not point at a Redis server: it answered ${JSON.stringify(first)} to PING${what}; give the host and port of Redis itself, e.g. redis://host:6379`
  }
}

export interface RedisOptions {
  /** Keys sampled by SCAN at most (default 2000). */
  sampleKeys?: number
}

export function createRedisCollector(url: string, options: RedisOptions = {}): Collector<RedisData> {
  const maxKeys = options.sampleKeys ?? 2000
  let client: Redis | undefined
  let before: Info | undefined
  let after: Info | undefined
  let sample: RedisData['sample'] | undefined
  const files: string[] = []
  const notes: string[] = []

  async function connect(ctx: CollectContext): Promise<Redis> {
    if (client) return client
    const timeoutMs = ctx.plan.collectors.timeoutS * 1000
    const c = new Redis(url, {
      lazyConnect: true,
      connectTimeout: Math.min(timeoutMs, 10_000),
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      connectionName: 'perfgate',
    })
    // Without a listener ioredis prints "Unhandled error event" to the console. The first error
    // (NOAUTH from the ready check, WRONGPASS from AUTH) says more than "Connection is closed".
    let firstError: unknown
    c.on('error', (error: unknown) => (firstError ??= error))
    try {
      await c.connect()
    } catch (error) {
      c.disconnect()
      const reason = redisReason(firstError ?? error)
      if (/NOAUTH|WRONGPASS|NOPERM/.test(reason)) throw new Unavailable(reason)
      throw new Unavailable((await notRedisReason(url, Math.min(timeoutMs, 2000))) ?? reason)
    }
    client = c
    return c
  }

  async function info(ctx: CollectContext, phase: 'before' | 'after'): Promise<Info> {
    const c = await connect(ctx)
    let text: string
    try {
      text = await c.info('everything')
    } catch (error) {
      // Redis < 7 has no `everything`; `all` misses only module sections.
      try {
        if (/NOAUTH|WRONGPASS|NOPERM/i.test((error as Error).message)) throw error
        text = await c.info('all')
      } catch (second) {
        throw new Unavailable(redisReason(second))
      }
    }
    files.push(
      await ctx.writeFile(`cache_stats_${phase}.json`, `${JSON.stringify(parseInfo(text), null, 2)}\n`),
    )
    return parseInfo(text)
  }

  async function scanSample(ctx: CollectContext): Promise<RedisData['sample']> {
    const c = await connect(ctx)
    const keys: SampledKey[] = []
    let cursor = '0'
    let complete = false
    let noMemory = false
    do {
      if (ctx.signal.aborted) break
      const [next, batch] = await c.scan(cursor, 'COUNT', 200)
      cursor = next
      const take = batch.slice(0, maxKeys - keys.length)
      const pipeline = c.pipeline()
      for (const key of take) {
        pipeline.pttl(key)
        pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')
      }
      const replies = take.length ? ((await pipeline.exec()) ?? []) : []
      take.forEach((key, i) => {
        const [, pttl] = replies[i * 2] ?? []
        const [memError, memory] = replies[i * 2 + 1] ?? []
        if (memError) noMemory = true
        keys.push({ key, pttlMs: Number(pttl ?? -2), memoryBytes: Number(memory ?? 0) })
      })
      if (cursor === '0') complete = true
    } while (cursor !== '0' && keys.length < maxKeys)
    if (noMemory) notes.push('MEMORY USAGE was refused for some keys: their memory counts as 0')
    if (!complete)
      notes.push(
        `SCAN sample stopped at ${keys.length} keys (of ${ctx.plan.collectors.timeoutS}s time box or limit)`,
      )
    return { keysCount: keys.length, complete, prefixes: groupKeys(keys).slice(0, 50) }
  }

  function close() {
    client?.disconnect()
    client = undefined
  }

  return {
    name: 'redis',
    async before(ctx) {
      // No connection is held during the load.
      try {
        before = await info(ctx, 'before')
      } finally {
        close()
      }
    },
    async after(ctx) {
      try {
        after = await info(ctx, 'after')
        try {
          sample = await scanSample(ctx)
        } catch (error) {
          notes.push(`key sample: ${redisReason(error)}`)
        }
      } finally {
        close()
      }
    },
    close,
    result() {
      if (!before || !after) throw new Unavailable('Redis INFO was not read before and after the load')
      return {
        files,
        ...analyseInfo(before, after),
        sample: sample ?? { keysCount: 0, complete: false, prefixes: [] },
        notes,
      }
    },
  }
}
