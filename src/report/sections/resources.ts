// 2. Resource Utilization: the database pool and PostgreSQL, and the Redis cache, with analysis.
import { codeSpan, list, note, notCollected, para, plain, section, strong } from '../blocks.ts'
import { appValue, type ReportContext } from '../context.ts'
import { fmtNum, missingReason, pctOf } from '../format.ts'
import { fmt } from '../markdown.ts'
import type { Block, ListItem, Section, Text } from '../model.ts'

export function databaseUsage(ctx: ReportContext): Section {
  const app = ctx.app
  const pg = ctx.pg
  const blocks: Block[] = []
  if (app) {
    const rows: Text[][] = []
    for (const source of app.sources) {
      for (const [key, v] of Object.entries(source.values)) {
        if (!key.startsWith('database.')) continue
        rows.push([[codeSpan(key)], fmtNum(v.before), fmtNum(v.after), fmtNum(v.delta)])
      }
    }
    if (rows.length > 0)
      blocks.push({
        kind: 'table',
        header: ['Pool statistic', 'Before', 'After', 'Delta'],
        rows,
        align: ['l', 'r', 'r', 'r'],
      })
    else blocks.push(note('The app stats had no `database.*` figures.'))
    for (const source of app.sources)
      if (source.error) blocks.push(note(`App stats ${source.url}: ${source.error}`))
  } else
    blocks.push(notCollected(`app stats (pool figures): ${missingReason(ctx.record.appStats, 'app stats')}`))

  const maxConns = appValue(app, 'database.max_conns')
  const total = appValue(app, 'database.total_conns')
  const acquired = appValue(app, 'database.acquired_conns')
  const idle = appValue(app, 'database.idle_conns')
  const acqCount = appValue(app, 'database.acquire_count')
  const acqMs = appValue(app, 'database.acquire_duration_ms')
  const pool = maxConns.after ?? maxConns.before
  const peak = pg?.activity?.max.total ?? total.after
  const analysis: ListItem[] = []
  analysis.push({
    text:
      peak !== undefined && pool !== undefined
        ? `Connection pool usage: ${pctOf(peak, pool)} utilized (peak ${peak} of ${pool} connections${pg?.activity ? ', from pg_stat_activity samples' : ''})`
        : peak !== undefined
          ? `Connection pool usage: peak ${peak} connections; the pool size is unknown (no database.max_conns)`
          : 'Connection pool usage: unknown (neither app stats nor PostgreSQL activity samples)',
  })
  analysis.push({
    text:
      acqCount.delta !== undefined && acqMs.delta !== undefined && acqCount.delta > 0
        ? `Average acquire duration: ${fmt.ms(acqMs.delta / acqCount.delta)} over ${fmt.count(acqCount.delta)} acquires`
        : 'Average acquire duration: unknown (no database.acquire_count / acquire_duration_ms growth)',
  })
  const act = pg?.activity
  analysis.push({
    text: act
      ? `Idle vs. active connections: ${act.mean.idle.toFixed(1)} idle : ${act.mean.active.toFixed(1)} active on average (max ${act.max.idle} : ${act.max.active}, ${act.max.idleInTransaction} idle in transaction, ${act.max.waiting} waiting)`
      : idle.after !== undefined && acquired.after !== undefined
        ? `Idle vs. active connections: ${idle.after} idle : ${acquired.after} acquired after the load`
        : 'Idle vs. active connections: unknown (no activity samples or pool figures)',
  })
  if (pg) {
    analysis.push({
      text: `Buffer cache hit ratio: ${fmt.pct(pg.database.cacheHitRatio)}; commits ${fmt.count(pg.database.xactCommitCount)}, rollbacks ${fmt.count(pg.database.xactRollbackCount)}, deadlocks ${pg.database.deadlocksCount}, temp files ${pg.database.tempFilesCount} (${fmt.bytes(pg.database.tempBytes)})`,
    })
  } else
    analysis.push({
      text: `PostgreSQL statistics: not collected (${missingReason(ctx.record.postgres, 'PostgreSQL')})`,
    })
  blocks.push(para([strong('Analysis'), plain(':')]), list(analysis))
  return section('database', 'Database', blocks)
}

export function cacheUsage(ctx: ReportContext): Section {
  const redis = ctx.redis
  if (!redis)
    return section('cache', 'Cache (Redis)', [notCollected(missingReason(ctx.record.redis, 'Redis'))])
  const keys = redis.keysPerDb.reduce((s, d) => s + d.keysCount, 0)
  const b = ctx.base.redis
  const blocks: Block[] = [
    {
      kind: 'table',
      header: ['Figure', 'Value', ...(b ? ['Baseline'] : [])],
      rows: [
        ['hit rate', fmt.pct(redis.hitRate), fmt.pct(b?.hitRate)],
        [
          'keyspace hits / misses',
          `${fmt.count(redis.hitsCount)} / ${fmt.count(redis.missesCount)}`,
          `${fmt.count(b?.hitsCount)} / ${fmt.count(b?.missesCount)}`,
        ],
        ['commands', fmt.count(redis.commandsCount), fmt.count(b?.commandsCount)],
        [
          'used memory (peak)',
          `${fmt.bytes(redis.memory.usedBytes)} (${fmt.bytes(redis.memory.peakBytes)})`,
          `${fmt.bytes(b?.memory.usedBytes)} (${fmt.bytes(b?.memory.peakBytes)})`,
        ],
        [
          'fragmentation ratio',
          redis.memory.fragmentationRatio?.toFixed(2) ?? 'n/a',
          b?.memory.fragmentationRatio?.toFixed(2) ?? 'n/a',
        ],
        [
          'evicted / expired keys',
          `${fmt.count(redis.evictedKeysCount)} / ${fmt.count(redis.expiredKeysCount)}`,
          `${fmt.count(b?.evictedKeysCount)} / ${fmt.count(b?.expiredKeysCount)}`,
        ],
        ['connected clients', fmtNum(redis.connectedClientsCount), fmtNum(b?.connectedClientsCount)],
        ...redis.keysPerDb.map((d): Text[] => {
          const bd = b?.keysPerDb.find((x) => x.db === d.db)
          return [
            d.db,
            `${fmt.count(d.keysCount)} keys, ${fmt.count(d.expiresCount)} with TTL`,
            bd ? `${fmt.count(bd.keysCount)} keys, ${fmt.count(bd.expiresCount)} with TTL` : 'n/a',
          ]
        }),
      ].map((row) => (b ? row : row.slice(0, 2))),
      align: ['l', 'r', 'r'],
    },
    para([strong('Analysis'), plain(':')]),
    list([
      {
        text: `Hit rate: ${redis.hitRate !== undefined ? fmt.pct(redis.hitRate) : 'n/a (no lookups during the load)'}`,
      },
      {
        text: `Memory usage: ${fmt.bytes(redis.memory.usedBytes)} / ${redis.memory.maxmemoryBytes > 0 ? fmt.bytes(redis.memory.maxmemoryBytes) : 'no limit'}`,
      },
      { text: `Evictions: ${fmt.count(redis.evictedKeysCount)}` },
      { text: `Keys: ${fmt.count(keys)}` },
      ...redis.notes.map((n) => ({ text: n })),
    ]),
  ]
  return section('cache', 'Cache (Redis)', blocks)
}
