import assert from 'node:assert/strict'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, it } from 'node:test'
import { loadTimeline, startCollectors, type Collector } from '../../src/collect/index.ts'
import { createPrometheusCollector } from '../../src/collect/prometheus.ts'
import { makeDeps, makePlan, serve, tempDir } from './helpers.ts'

function recorder(name: Collector['name'], calls: string[], extra: Partial<Collector> = {}): Collector {
  return {
    name,
    async before(ctx) {
      calls.push(`${name}.before@${ctx.elapsedS}`)
    },
    async sample(ctx) {
      calls.push(`${name}.sample@${ctx.elapsedS}`)
    },
    async steady(ctx) {
      calls.push(`${name}.steady@${ctx.elapsedS}`)
    },
    async after(ctx) {
      calls.push(`${name}.after@${ctx.elapsedS}`)
    },
    async probe() {
      calls.push(`${name}.probe`)
    },
    async coolDown(ctx) {
      calls.push(`${name}.coolDown@${ctx.elapsedS}`)
    },
    result: () => ({ ok: true }),
    ...extra,
  }
}

describe('the collectors timeline', () => {
  it('ends the ramp after every stage but the last', () => {
    const plan = makePlan()
    assert.deepEqual(loadTimeline(plan), { rampEndS: 4, totalS: 12 })
    plan.scenario.stages = [
      { duration: '1m', target: 5 },
      { duration: '1m30s', target: 5 },
      { duration: '2m', target: 5 },
    ]
    assert.deepEqual(loadTimeline(plan), { rampEndS: 150, totalS: 270 })
  })

  it('runs before, samples, steady once, after, probe, cool-down and coolDown in order', async () => {
    const calls: string[] = []
    const sleeps: number[] = []
    // A fake clock that sleeping advances: the cool-down samples once a second.
    let clock = 0
    const deps = {
      ...makeDeps(),
      now: () => clock,
      sleep: async (ms: number) => void (sleeps.push(ms), (clock += ms)),
    }
    const plan = makePlan({ coolDownS: 3 })
    const session = await startCollectors(plan, await tempDir(), deps, {
      sampleEveryS: 2,
      collectors: [recorder('prometheus', calls)],
    })
    for (const s of [0, 1, 2, 3, 4, 5, 6]) {
      session.tick(s)
      await new Promise((r) => setImmediate(r))
    }
    await session.finish()
    assert.deepEqual(calls, [
      'prometheus.before@0',
      'prometheus.sample@0',
      'prometheus.sample@2',
      'prometheus.steady@4',
      'prometheus.sample@4',
      'prometheus.sample@6',
      'prometheus.after@12',
      'prometheus.probe',
      'prometheus.coolDown@15',
    ])
    // Nothing reads a level to watch: the cool-down is its full maximum, in one-second samples.
    assert.deepEqual(sleeps, [1000, 1000, 1000])
    assert.deepEqual(session.parts().prometheus, { ok: true })
  })

  it('turns a throwing collector into unavailable while the others go on', async () => {
    const calls: string[] = []
    const lines: string[] = []
    const failing = recorder('redis', calls, {
      async before() {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6390\nstack line')
      },
    })
    const session = await startCollectors(makePlan(), await tempDir(), makeDeps(lines), {
      collectors: [failing, recorder('prometheus', calls)],
    })
    session.tick(0)
    await session.finish()
    const parts = session.parts()
    assert.deepEqual(parts.redis, { unavailable: 'connect ECONNREFUSED 127.0.0.1:6390' })
    assert.deepEqual(parts.prometheus, { ok: true })
    assert.ok(!calls.some((c) => c.startsWith('redis.')))
    assert.deepEqual(parts.postgres, { unavailable: 'database-url not set' })
    assert.ok(lines.some((l) => l.includes('redis collector unavailable')))
  })

  it('time-boxes a hook that hangs and aborts its signal', async () => {
    let aborted = false
    const hanging = recorder('postgres', [], {
      after: (ctx) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true
            resolve()
          })
        }),
    })
    const plan = makePlan({ timeoutS: 0.2 })
    const session = await startCollectors(plan, await tempDir(), makeDeps(), { collectors: [hanging] })
    const started = Date.now()
    await session.finish()
    assert.ok(Date.now() - started < 2000)
    assert.ok(aborted)
    assert.match(
      (session.parts().postgres as { unavailable: string }).unavailable,
      /^after timed out after 0.2s/,
    )
  })

  it('keeps a failing probe from making its collector unavailable', async () => {
    const probing = recorder('postgres', [], {
      async probe() {
        throw new Error('probe broke')
      },
    })
    const session = await startCollectors(makePlan(), await tempDir(), makeDeps(), { collectors: [probing] })
    await session.finish()
    assert.deepEqual(session.parts().postgres, { ok: true })
  })

  it('scrubs secrets from reasons, logs, data and raw files', async () => {
    const dsn = 'postgres://app:s3cretpw@127.0.0.1:5432/app'
    const lines: string[] = []
    const dir = await tempDir()
    const leaky = recorder('postgres', [], {
      async before(ctx) {
        await ctx.writeFile('db_stats_before.json', JSON.stringify({ dsn }))
        ctx.deps.log(`connecting to ${dsn}`)
      },
      async after() {
        throw new Error(`password authentication failed for s3cretpw`)
      },
    })
    const session = await startCollectors(makePlan({ databaseUrl: dsn }), dir, makeDeps(lines), {
      collectors: [leaky],
    })
    await session.finish()
    const everything = [JSON.stringify(session.parts()), lines.join('\n')]
    for (const file of await readdir(dir)) everything.push(await readFile(path.join(dir, file), 'utf8'))
    for (const text of everything) assert.ok(!text.includes('s3cretpw'), text)
    assert.deepEqual(session.parts().postgres, { unavailable: 'password authentication failed for ***' })
  })
})

describe('the adaptive cool-down', () => {
  it('ends once the goroutine count is back to its pre-load level and the leak check is told why', async () => {
    const sleeps: number[] = []
    let clock = 0
    const deps = {
      ...makeDeps(),
      now: () => clock,
      sleep: async (ms: number) => void (sleeps.push(ms), (clock += ms)),
    }
    const levels = [90, 40, 10]
    const pprof: Collector = {
      name: 'profiles',
      before: async () => {},
      after: async () => {},
      settleReading: async () => ({ what: 'goroutines', value: levels.shift() ?? 10, before: 12 }),
      coolDown: async () => {},
      result: () => ({ files: [], missing: [] }),
    }
    const session = await startCollectors(makePlan({ coolDownS: 10 }), await tempDir(), deps, {
      collectors: [pprof],
    })
    await session.finish()
    assert.deepEqual(sleeps, [1000, 1000, 1000])
    assert.deepEqual(session.parts().profiles, {
      files: [],
      missing: [],
      coolDown: { waitedS: 3, reason: 'back to the pre-load level: goroutines 10 (12 before the load)' },
    })
  })

  it('also waits for the in-flight gauge to return to its pre-load level, and says so', async () => {
    // Scrapes in order: before the load, after it, then one per cool-down sample.
    const inFlight = [1, 9, 6, 1]
    const server = await serve((_req, res) => {
      const level = inFlight.length > 1 ? inFlight.shift()! : inFlight[0]!
      res.setHeader('content-type', 'text/plain; version=0.0.4')
      // Two series (per handler): the level is their sum.
      res.end(
        `# TYPE http_in_flight_requests gauge\nhttp_in_flight_requests{handler="a"} ${level}\n` +
          `http_in_flight_requests{handler="b"} 0\n# TYPE go_goroutines gauge\ngo_goroutines 10\n`,
      )
    })
    try {
      let clock = 0
      const deps = { ...makeDeps(), now: () => clock, sleep: async (ms: number) => void (clock += ms) }
      const profiles: Collector = {
        name: 'profiles',
        before: async () => {},
        after: async () => {},
        settleReading: async () => ({ what: 'goroutines', value: 10, before: 10 }),
        coolDown: async () => {},
        result: () => ({ files: [], missing: [] }),
      }
      const url = `${server.url}/metrics`
      const session = await startCollectors(
        makePlan({ metricsUrl: url, coolDownS: 10 }),
        await tempDir(),
        deps,
        {
          collectors: [createPrometheusCollector(url), profiles],
        },
      )
      await session.finish()
      assert.deepEqual((session.parts().profiles as { coolDown: unknown }).coolDown, {
        waitedS: 2,
        reason:
          'back to the pre-load level: in-flight requests (http_in_flight_requests) 1 (1 before the load), goroutines 10 (10 before the load)',
      })
    } finally {
      await server.close()
    }
  })

  it('waits the whole maximum when the plan asks for a fixed cool-down (the overhead bench)', async () => {
    let clock = 0
    const deps = { ...makeDeps(), now: () => clock, sleep: async (ms: number) => void (clock += ms) }
    let reads = 0
    const profiles: Collector = {
      name: 'profiles',
      before: async () => {},
      after: async () => {},
      settleReading: async () => (reads++, { what: 'goroutines', value: 10, before: 12 }),
      coolDown: async () => {},
      result: () => ({ files: [], missing: [] }),
    }
    const plan = makePlan({ coolDownS: 4, coolDownFixed: true })
    const session = await startCollectors(plan, await tempDir(), deps, { collectors: [profiles] })
    await session.finish()
    assert.equal(reads, 0)
    assert.equal((session.parts().profiles as { coolDown: { waitedS: number } }).coolDown.waitedS, 4)
  })
})
