// Every collector against the testbed (real PostgreSQL, Redis, Go app with Prometheus and pprof)
// around a bounded, loopback-only load sent with fetch.
import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { before, describe, it } from 'node:test'
import { decodeProfile } from '../../src/pprof/decode.ts'
import { startCollectors } from '../../src/collect/index.ts'
import { cpuSeconds, createPprofCollector } from '../../src/collect/pprof.ts'
import type {
  AppStatsData,
  PostgresData,
  PrometheusData,
  ProfilesData,
  RedisData,
} from '../../src/record/collectors.ts'
import { ensureStack, stackAvailable } from '../helpers/stack.ts'
import { makeDeps, makePlan, serve, tempDir } from './helpers.ts'

const PATHS = [
  '/api/v1/clips?sort=hot&limit=25',
  '/api/v1/clips?sort=new&limit=25',
  '/api/v1/clips/1',
  '/api/v1/clips/2/related',
  '/api/v1/clips/3/comments?limit=20',
  '/api/v1/search?q=tower&limit=25',
]

describe('pprof', () => {
  it('profiles CPU for the rest of the hold, less a margin', () => {
    assert.equal(cpuSeconds(30, 180), 148)
    assert.equal(cpuSeconds(10, 12), 0)
  })

  it('ends in unavailable with the reason for a 404 or a timeout', async () => {
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end(), 3000)
      res.statusCode = 404
      res.end('404 page not found')
    })
    try {
      for (const [url, reason] of [
        [`${server.url}/debug/pprof`, /answered 404 Not Found/],
        [`${server.url}/slow/debug/pprof`, /timed out/],
      ] as const) {
        const plan = makePlan({ pprofUrl: url, timeoutS: 0.5 })
        const session = await startCollectors(plan, await tempDir(), makeDeps(), {
          collectors: [createPprofCollector(url)],
        })
        await session.finish()
        assert.match((session.parts().profiles as { unavailable: string }).unavailable, reason)
      }
    } finally {
      await server.close()
    }
  })
})

describe(
  'every collector against the testbed',
  { skip: !stackAvailable() && 'scripts/stack.mjs is missing', timeout: 600_000 },
  () => {
    let stack: Record<string, string>
    before(async () => {
      stack = await ensureStack()
    })

    it('ends in unavailable when pprof answers 401', async () => {
      const plan = makePlan({ pprofUrl: stack.PPROF_URL }, { targetUrl: stack.TARGET_URL! })
      const session = await startCollectors(plan, await tempDir(), makeDeps())
      await session.finish()
      assert.match(
        (session.parts().profiles as { unavailable: string }).unavailable,
        /answered 401 Unauthorized: check debug-auth-header/,
      )
    })

    it('fills every part consistently with the load, and leaks no secret', async () => {
      const dir = await tempDir()
      const lines: string[] = []
      const authHeader = `Authorization: Bearer ${stack.ADMIN_TOKEN}`
      const plan = makePlan(
        {
          metricsUrl: stack.METRICS_URL,
          databaseUrl: stack.DATABASE_URL_RO,
          redisUrl: stack.REDIS_URL,
          appStatsUrls: stack.APP_STATS_URLS!.split(','),
          pprofUrl: stack.PPROF_URL,
          debugAuthHeader: authHeader,
          dependencies: [
            {
              name: 'Twitch API',
              metric: 'external_request_duration_seconds',
              labels: { service: 'twitch' },
            },
          ],
          coolDownS: 1,
          timeoutS: 20,
          probeRequests: 2,
        },
        {
          targetUrl: stack.TARGET_URL!,
          scenario: {
            ...makePlan().scenario,
            stages: [
              { duration: '2s', target: 4 },
              { duration: '6s', target: 4 },
            ],
          },
        },
      )
      const session = await startCollectors(plan, dir, makeDeps(lines), { sampleEveryS: 1 })
      // The load: 4 workers for 8 seconds, clip details spread so that Twitch is called on misses.
      const started = Date.now()
      let sent = 0
      const statuses: Record<number, number> = {}
      const ticker = setInterval(() => session.tick((Date.now() - started) / 1000), 250)
      await Promise.all(
        [0, 1, 2, 3].map(async (w) => {
          for (let i = 0; Date.now() - started < 8000; i++) {
            const p = i % 7 === 6 ? `/api/v1/clips/${100 + w * 1000 + i}` : PATHS[(i + w) % PATHS.length]!
            const r = await fetch(`${stack.TARGET_URL}${p}`)
            await r.arrayBuffer()
            statuses[r.status] = (statuses[r.status] ?? 0) + 1
            sent++
          }
        }),
      )
      clearInterval(ticker)
      await session.finish()
      const parts = session.parts()

      const prom = parts.prometheus as PrometheusData
      assert.ok(!('unavailable' in prom), JSON.stringify(prom))
      // Only this test's requests (plus the other collectors' own app-stats reads) fall between the scrapes.
      const apiCount = prom.routes
        .filter((r) => r.path.startsWith('/api/'))
        .reduce((sum, r) => sum + r.count, 0)
      assert.ok(
        Math.abs(apiCount - sent) <= Math.max(2, sent * 0.03),
        `prometheus ${apiCount} vs sent ${sent}`,
      )
      assert.ok(prom.routes.every((r) => r.p95Ms === undefined || r.p95Ms >= r.p50Ms!))
      assert.ok(prom.inFlightMax !== undefined && prom.samplesCount >= 3)
      assert.ok(prom.runtime.after.goroutines! > 0 && prom.runtimeDelta.cpuSeconds! > 0)
      const twitch = prom.dependencies.find((d) => d.name === 'Twitch API')!
      assert.ok(twitch.count > 0 && twitch.p95Ms! > 0, JSON.stringify(prom.dependencies))

      const pg = parts.postgres as PostgresData
      assert.ok(!('unavailable' in pg), JSON.stringify(pg))
      assert.ok(pg.statements.some((s) => s.query.includes('FROM clips')))
      assert.ok(pg.attribution.length >= 4)

      const redis = parts.redis as RedisData
      assert.ok(!('unavailable' in redis), JSON.stringify(redis))
      assert.equal(
        redis.hitRate,
        Math.round((redis.hitsCount / (redis.hitsCount + redis.missesCount)) * 1e4) / 1e4,
      )
      assert.ok(redis.hitsCount + redis.missesCount > 0)
      assert.ok(redis.sample.keysCount > 0)

      const app = parts.appStats as AppStatsData
      assert.ok(!('unavailable' in app), JSON.stringify(app))
      assert.ok(app.sources[0]!.values['database.acquire_count']!.delta! > 0)

      const profiles = parts.profiles as ProfilesData
      assert.ok(!('unavailable' in profiles), JSON.stringify(profiles))
      const kinds = profiles.files.map((f) => f.kind).sort()
      for (const kind of [
        'allocs',
        'block',
        'cpu',
        'goroutine_after',
        'goroutine_before',
        'goroutine_during',
        'heap',
        'mutex',
      ])
        assert.ok(
          kinds.includes(kind as never),
          `${kind} in ${kinds.join()} (missing ${JSON.stringify(profiles.missing)})`,
        )
      for (const f of profiles.files)
        assert.ok(decodeProfile(await readFile(path.join(dir, f.file))).ok, f.file)
      // The goroutine total at each sample (every second of 8), for the report's peak.
      assert.ok(
        profiles.goroutinesPeak && profiles.goroutinesPeak.samples >= 3 && profiles.goroutinesPeak.count > 0,
        JSON.stringify(profiles.goroutinesPeak),
      )

      // Raw files for the artifact.
      const names = await readdir(dir)
      for (const name of [
        'metrics_before.txt',
        'metrics_after.txt',
        'db_stats_before.json',
        'db_stats_after.json',
        'cache_stats_before.json',
        'cache_stats_after.json',
        'pg_stat_statements.json',
        'cpu.pb.gz',
        'heap.pb.gz',
      ])
        assert.ok(names.includes(name), `${name} in ${names.join()}`)

      // No DSN, password or token in the parts, the logs or the text files.
      const secrets = [stack.DATABASE_URL_RO!, new URL(stack.DATABASE_URL_RO!).password, stack.ADMIN_TOKEN!]
      const texts = [JSON.stringify(parts), lines.join('\n')]
      for (const name of names.filter((n) => !n.endsWith('.gz') && n !== 'explain'))
        texts.push(await readFile(path.join(dir, name), 'utf8'))
      for (const text of texts)
        for (const secret of secrets)
          assert.ok(!text.includes(secret), `a secret leaked: ${text.slice(0, 200)}`)
    })
  },
)
