import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { before, describe, it } from 'node:test'
import { startCollectors } from '../../src/collect/index.ts'
import {
  connectReadOnly,
  databaseDelta,
  explainable,
  statementDeltas,
  summarisePlan,
  type StatementRow,
} from '../../src/collect/postgres.ts'
import { probeRequests } from '../../src/collect/probe.ts'
import { DEFAULT_ENDPOINTS } from '../../src/plan/defaults.ts'
import type { PostgresData } from '../../src/record/collectors.ts'
import { ensureStack, stackAvailable } from '../helpers/stack.ts'
import { freePort, makeDeps, makePlan, tempDir } from './helpers.ts'

const row = (queryid: string, calls: number, totalExecMs: number, query = 'SELECT 1'): StatementRow => ({
  queryid,
  query,
  calls,
  totalExecMs,
  rows: calls,
  sharedBlksHit: calls * 2,
  sharedBlksRead: 0,
})

describe('PostgreSQL deltas', () => {
  it('diffs statements by queryid, sums roles, leaves perfgate out and sorts by total time', () => {
    const d = statementDeltas(
      [row('1', 10, 100), row('2', 5, 5), row('9', 1, 1, '/* perfgate */ SELECT')],
      [
        row('1', 30, 400),
        row('1', 2, 10),
        row('2', 5, 5),
        row('3', 4, 8),
        row('9', 9, 9, '/* perfgate */ SELECT'),
      ],
    )
    assert.deepEqual(
      d.map((s) => [s.queryid, s.calls, s.totalExecMs, s.meanExecMs]),
      [
        ['1', 22, 310, 14.091],
        ['3', 4, 8, 2],
      ],
    )
  })

  it('computes the cache hit ratio from block deltas', () => {
    const zero = {
      blksHit: 0,
      blksRead: 0,
      deadlocks: 0,
      tempBytes: 0,
      tempFiles: 0,
      xactCommit: 0,
      xactRollback: 0,
    }
    const d = databaseDelta(zero, { ...zero, blksHit: 90, blksRead: 10, tempBytes: 4096 })
    assert.equal(d.cacheHitRatio, 0.9)
    assert.equal(d.tempBytes, 4096)
    assert.equal(databaseDelta(zero, zero).cacheHitRatio, undefined)
  })

  it('explains only single DML statements', () => {
    assert.ok(explainable('SELECT * FROM clips WHERE id = $1'))
    assert.ok(explainable('/* app */ WITH x AS (SELECT 1) SELECT * FROM x'))
    assert.ok(!explainable('EXPLAIN (ANALYZE) SELECT 1'))
    assert.ok(!explainable('BEGIN'))
    assert.ok(!explainable('SELECT 1; DROP TABLE x'))
  })

  it('summarises a JSON plan with its sequential scans', () => {
    const plan = [
      {
        Plan: {
          'Node Type': 'Limit',
          'Total Cost': 12.5,
          Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'clips' }],
        },
      },
    ]
    assert.deepEqual(summarisePlan(plan), { nodeType: 'Limit', totalCost: 12.5, seqScans: ['clips'] })
  })

  it('builds one probe request per endpoint and skips writes without a token', () => {
    const pools = { id: ['42'], tag: ['fps'], term: ['tower'] }
    const { requests, skipped } = probeRequests(DEFAULT_ENDPOINTS, pools)
    assert.deepEqual(
      requests.map((r) => r.path),
      [
        '/api/v1/clips?sort=hot&limit=25',
        '/api/v1/clips/42',
        '/api/v1/clips/42/related',
        '/api/v1/search?q=tower&limit=25',
        '/api/v1/clips/42/comments?limit=20',
        '/api/v1/tags/fps/clips',
      ],
    )
    assert.deepEqual(
      skipped.map((s) => s.endpoint),
      ['create_comment', 'vote'],
    )
    const withToken = probeRequests(DEFAULT_ENDPOINTS, { ...pools, token: ['t0ken'] })
    const vote = withToken.requests.find((r) => r.endpoint === 'vote')!
    assert.equal(vote.headers.Authorization, 'Bearer t0ken')
    assert.equal(vote.body, '{"vote":1}')
  })
})

describe(
  'the PostgreSQL collector against the testbed',
  { skip: !stackAvailable() && 'scripts/stack.mjs is missing', timeout: 600_000 },
  () => {
    let stack: Record<string, string>
    before(async () => {
      stack = await ensureStack()
    })

    const run = async (databaseUrl: string, load?: () => Promise<void>) => {
      const lines: string[] = []
      const dir = await tempDir()
      const plan = makePlan({ databaseUrl, probeRequests: 3 }, { targetUrl: stack.TARGET_URL })
      const session = await startCollectors(plan, dir, makeDeps(lines))
      session.tick(0)
      await load?.()
      session.tick(5)
      await session.finish()
      return { part: session.parts().postgres, lines, dir }
    }

    it('fills the part with the testbed statements, tables, activity and the probe', async () => {
      let sent = 0
      const { part, lines, dir } = await run(stack.DATABASE_URL_RO!, async () => {
        for (let i = 0; i < 20; i++) {
          const r = await fetch(`${stack.TARGET_URL}/api/v1/search?q=tower&limit=25`)
          await r.arrayBuffer()
          sent++
        }
      })
      const pg = part as PostgresData
      assert.ok(!('unavailable' in pg), JSON.stringify(part))
      assert.equal(pg.versionNum >= 170000, true)
      assert.ok(pg.settings.some((s) => s.name === 'max_connections'))
      const search = pg.statements.find((s) => s.query.includes('clip_search_terms'))
      assert.ok(search, 'the search statement is in the deltas')
      assert.ok(search.calls >= 1 && search.calls <= sent)
      assert.ok(pg.database.cacheHitRatio !== undefined)
      assert.ok(pg.activity && pg.activity.samplesCount === 2)
      assert.ok(
        pg.explains.length >= 1 && pg.explains.every((e) => e.error || e.file?.startsWith('explain/')),
      )
      const comments = pg.attribution.find((a) => a.endpoint === 'comments_list')!
      assert.equal(comments.okCount, 3)
      assert.ok(comments.statementsPerRequest >= 1)
      assert.deepEqual(
        pg.attributionSkipped.map((s) => s.endpoint),
        ['create_comment', 'vote'],
      )
      // No DSN or password anywhere: the part, the logs, the raw files.
      const texts = [JSON.stringify(part), lines.join('\n')]
      for (const f of pg.files) texts.push(await readFile(path.join(dir, f), 'utf8'))
      for (const t of texts) {
        assert.ok(!t.includes(stack.DATABASE_URL_RO!))
        assert.ok(!t.includes('perfgate_ro:'))
      }
    })

    it('opens a session that cannot write', async () => {
      const client = await connectReadOnly(stack.DATABASE_URL!, 5)
      try {
        await assert.rejects(
          client.query('CREATE TABLE perfgate_should_not_exist (id int)'),
          /read-only transaction/,
        )
        await assert.rejects(
          client.query('UPDATE clips SET view_count = view_count WHERE id = -1'),
          /read-only transaction/,
        )
        await assert.rejects(client.query('SELECT pg_sleep(20)'), /statement timeout/)
      } finally {
        await client.end()
      }
    })

    const unavailable = (part: unknown) => (part as { unavailable: string }).unavailable
    const withUser = (dsn: string, user: string, password: string, db?: string) => {
      const u = new URL(dsn)
      u.username = user
      u.password = password
      if (db) u.pathname = `/${db}`
      return u.toString()
    }

    it('says the database went away when PostgreSQL is lost during the load', async () => {
      // A loopback proxy in front of PostgreSQL: cutting it is what the collector sees when the
      // server is killed mid-load (the shared stack's PostgreSQL stays up for the other tests).
      const pgUrl = new URL(stack.DATABASE_URL_RO!)
      const sockets: net.Socket[] = []
      const proxy = net.createServer((inbound) => {
        const outbound = net.connect(Number(pgUrl.port), pgUrl.hostname)
        sockets.push(inbound, outbound)
        inbound.pipe(outbound).pipe(inbound)
        inbound.on('error', () => undefined)
        outbound.on('error', () => undefined)
      })
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
      const viaProxy = new URL(pgUrl)
      viaProxy.port = String((proxy.address() as net.AddressInfo).port)
      const lines: string[] = []
      const plan = makePlan(
        { databaseUrl: viaProxy.toString(), probeRequests: 0 },
        { targetUrl: stack.TARGET_URL },
      )
      const session = await startCollectors(plan, await tempDir(), makeDeps(lines))
      session.tick(0)
      for (const socket of sockets) socket.destroy()
      await new Promise((r) => setTimeout(r, 200))
      session.tick(6)
      await session.finish()
      proxy.close()
      assert.match(
        unavailable(session.parts().postgres),
        /^the database went away during the load \((Connection terminated unexpectedly|connection closed|[^)]*ECONNRESET[^)]*) after [06] s of load\); statistics after it are missing$/,
      )
    })

    it('ends in unavailable for a wrong DSN', async () => {
      const { part } = await run(`postgres://x:y@127.0.0.1:${await freePort()}/clipper`)
      assert.match(unavailable(part), /PostgreSQL unreachable at .*: connection refused/)
    })

    it('ends in unavailable for a wrong password without showing it', async () => {
      const { part, lines } = await run(withUser(stack.DATABASE_URL_RO!, 'perfgate_ro', 'wrong-secret-pw'))
      assert.match(unavailable(part), /password authentication failed/)
      assert.ok(
        !JSON.stringify(part).includes('wrong-secret-pw') && !lines.join().includes('wrong-secret-pw'),
      )
    })

    it('ends in unavailable with what to do when pg_stat_statements is missing', async () => {
      const { part } = await run(
        withUser(stack.DATABASE_URL!, 'postgres', new URL(stack.DATABASE_URL!).password, 'template1'),
      )
      assert.match(
        unavailable(part),
        /pg_stat_statements is not installed in database "template1": .*CREATE EXTENSION/,
      )
    })

    it('ends in unavailable with the grant to run for a role without pg_read_all_stats', async () => {
      const { part } = await run(stack.DATABASE_URL_NOSTATS!)
      // The stack's role has its name as password, so the scrubber hides the name too.
      assert.match(unavailable(part), /cannot read other roles' statistics: GRANT pg_read_all_stats TO "/)
    })
  },
)
