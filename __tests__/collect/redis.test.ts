import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { startCollectors } from '../../src/collect/index.ts'
import { analyseInfo, groupKeys, keyPrefix, parseInfo, ttlBucket } from '../../src/collect/redis.ts'
import type { RedisData } from '../../src/record/collectors.ts'
import { makeDeps, makePlan, serve, startRedis, tempDir } from './helpers.ts'

describe('Redis INFO and keys', () => {
  it('computes the hit rate and commands from INFO deltas', () => {
    const before = parseInfo(
      '# Stats\r\nkeyspace_hits:100\r\nkeyspace_misses:50\r\ntotal_commands_processed:1000\r\nevicted_keys:0\r\nexpired_keys:3\r\n# Commandstats\r\ncmdstat_get:calls=150,usec=300,usec_per_call=2.00\r\n',
    )
    const after = parseInfo(
      'redis_version:7.2.4\r\nkeyspace_hits:190\r\nkeyspace_misses:60\r\ntotal_commands_processed:1300\r\nevicted_keys:2\r\nexpired_keys:5\r\nused_memory:2048\r\nused_memory_peak:4096\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\ncmdstat_get:calls=250,usec=600,usec_per_call=2.40\r\ncmdstat_set:calls=10,usec=50\r\n# Keyspace\r\ndb0:keys=12,expires=10,avg_ttl=5000\r\n',
    )
    const data = analyseInfo(before, after)
    assert.equal(data.hitsCount, 90)
    assert.equal(data.missesCount, 10)
    assert.equal(data.hitRate, 0.9)
    assert.equal(data.evictedKeysCount, 2)
    assert.equal(data.expiredKeysCount, 2)
    assert.equal(data.commandsCount, 300)
    assert.deepEqual(data.commands, [
      { command: 'get', callsCount: 100, usecPerCall: 3 },
      { command: 'set', callsCount: 10, usecPerCall: 5 },
    ])
    assert.deepEqual(data.keysPerDb, [{ db: 'db0', keysCount: 12, expiresCount: 10 }])
    assert.equal(data.memory.policy, 'noeviction')
  })

  it('groups keys by the segments before the first id-like one', () => {
    assert.equal(keyPrefix('clip:123'), 'clip:*')
    assert.equal(keyPrefix('feed:hot:25:0'), 'feed:hot:*')
    assert.equal(keyPrefix('session:9f1c2d3e-4b5a-6789-abcd-ef0123456789'), 'session:*')
    assert.equal(keyPrefix('a:b:c:d:e'), 'a:b:c:*')
    assert.equal(keyPrefix('123:x'), '*')
    assert.equal(keyPrefix('settings'), 'settings')
    assert.equal(keyPrefix('user123'), 'user*')
  })

  it('buckets TTLs and drops keys that vanished during the scan', () => {
    assert.equal(ttlBucket(-1), 'none')
    assert.equal(ttlBucket(-2), undefined)
    assert.equal(ttlBucket(30_000), 'lt1m')
    assert.equal(ttlBucket(7_200_000), 'ge1h')
    const groups = groupKeys([
      { key: 'clip:1', pttlMs: 30_000, memoryBytes: 100 },
      { key: 'clip:2', pttlMs: -1, memoryBytes: 50 },
      { key: 'feed:hot:1', pttlMs: 120_000, memoryBytes: 500 },
      { key: 'gone:1', pttlMs: -2, memoryBytes: 0 },
    ])
    assert.deepEqual(groups, [
      {
        prefix: 'feed:hot:*',
        keysCount: 1,
        memoryBytes: 500,
        ttl: { none: 0, lt1m: 0, lt10m: 1, lt1h: 0, ge1h: 0 },
      },
      {
        prefix: 'clip:*',
        keysCount: 2,
        memoryBytes: 150,
        ttl: { none: 1, lt1m: 1, lt10m: 0, lt1h: 0, ge1h: 0 },
      },
    ])
  })
})

describe('a redis-url that is not Redis', () => {
  it('ends in unavailable saying an HTTP server is not a Redis server, without the URL', async () => {
    const server = await serve((_req, res) => res.end('hello'))
    const port = new URL(server.url).port
    try {
      const url = `redis://:hidden-pass-1@127.0.0.1:${port}`
      const session = await startCollectors(makePlan({ redisUrl: url }), await tempDir(), makeDeps())
      await session.finish()
      assert.equal(
        (session.parts().redis as { unavailable: string }).unavailable,
        'redis-url does not point at a Redis server: it answered "HTTP/1.1 400 Bad Request" to PING (an HTTP server); give the host and port of Redis itself, e.g. redis://host:6379',
      )
    } finally {
      await server.close()
    }
  })
})

describe('the Redis collector against a real redis-server', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>
  let secured: Awaited<ReturnType<typeof startRedis>>
  before(async () => {
    ;[redis, secured] = await Promise.all([startRedis(), startRedis(['--requirepass', 'hunter2-redis'])])
  })
  after(async () => {
    await Promise.all([redis?.stop(), secured?.stop()])
  })

  it('fills the part with deltas over the load and a key sample', async () => {
    const app = new Redis(redis.url)
    try {
      for (let i = 0; i < 30; i++) await app.set(`clip:${i}`, 'x'.repeat(100), 'EX', 300)
      await app.set('settings', '{}')
      const session = await startCollectors(makePlan({ redisUrl: redis.url }), await tempDir(), makeDeps())
      for (let i = 0; i < 40; i++) await app.get(`clip:${i}`) // 30 hits, 10 misses
      await session.finish()
      const part = session.parts().redis as RedisData
      assert.equal(part.hitsCount, 30)
      assert.equal(part.missesCount, 10)
      assert.equal(part.hitRate, 0.75)
      assert.equal(part.commands.find((c) => c.command === 'get')!.callsCount, 40)
      assert.deepEqual(part.keysPerDb, [{ db: 'db0', keysCount: 31, expiresCount: 30 }])
      assert.equal(part.sample.complete, true)
      const clip = part.sample.prefixes.find((p) => p.prefix === 'clip:*')!
      assert.equal(clip.keysCount, 30)
      assert.equal(clip.ttl.lt10m, 30)
      assert.ok(clip.memoryBytes > 30 * 100)
      assert.deepEqual(part.files, ['cache_stats_before.json', 'cache_stats_after.json'])
    } finally {
      app.disconnect()
    }
  })

  it('ends in unavailable when Redis requires a password', async () => {
    const session = await startCollectors(makePlan({ redisUrl: secured.url }), await tempDir(), makeDeps())
    await session.finish()
    assert.match(
      (session.parts().redis as { unavailable: string }).unavailable,
      /requires a password \(NOAUTH\)/,
    )
  })

  it('ends in unavailable on a wrong password without showing it', async () => {
    const url = `redis://:wrong-password-1@127.0.0.1:${secured.port}`
    const session = await startCollectors(makePlan({ redisUrl: url }), await tempDir(), makeDeps())
    await session.finish()
    const reason = (session.parts().redis as { unavailable: string }).unavailable
    assert.match(reason, /rejected the password/)
    assert.ok(!reason.includes('wrong-password-1'))
  })

  it('works with the password in the URL', async () => {
    const url = `redis://:hunter2-redis@127.0.0.1:${secured.port}`
    const session = await startCollectors(makePlan({ redisUrl: url }), await tempDir(), makeDeps())
    await session.finish()
    assert.equal((session.parts().redis as RedisData).memory.policy, 'noeviction')
  })
})
