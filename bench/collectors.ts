// Collector overhead: the testbed's p95 at the same load with collectors off, on (without the CPU
// profile) and on with the CPU profile, interleaved in one run so drift hits every variant alike.
//
//   node --import tsx bench/collectors.ts [--rounds 3] [--seconds 10] [--workers 8]
//
// Loopback only; the load is a bounded fetch loop (closed model: each worker sends its next
// request when the previous one answered). Goal: collectors add under 5 % to p95.
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createCollectors, defaultCollectDeps, startCollectors } from '../src/collect/index.ts'
import {
  DEFAULT_COLLECTORS,
  DEFAULT_ENDPOINTS,
  DEFAULT_SLOS,
  DEFAULT_TOLERANCES,
  defaultScenario,
} from '../src/plan/defaults.ts'
import type { Plan } from '../src/plan/types.ts'
import { ensureStack } from '../__tests__/helpers/stack.ts'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    workers: { type: 'string', default: '8' },
  },
})
const rounds = Number(values.rounds)
const seconds = Number(values.seconds)
const workers = Number(values.workers)

const PATHS = [
  '/api/v1/clips?sort=hot&limit=25',
  '/api/v1/clips?sort=new&limit=25',
  '/api/v1/clips/1',
  '/api/v1/clips/2/related',
  '/api/v1/clips/3/comments?limit=20',
  '/api/v1/tags/frog/clips',
]

type Variant = 'off' | 'on' | 'on+cpu'

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
}

async function load(
  target: string,
  durationMs: number,
  onTick: (elapsedS: number) => void,
): Promise<number[]> {
  const latencies: number[] = []
  const started = performance.now()
  const ticker = setInterval(() => onTick((performance.now() - started) / 1000), 250)
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = w; performance.now() - started < durationMs; i++) {
        const t0 = performance.now()
        const r = await fetch(`${target}${PATHS[i % PATHS.length]}`)
        await r.arrayBuffer()
        latencies.push(performance.now() - t0)
      }
    }),
  )
  clearInterval(ticker)
  return latencies
}

async function main() {
  const stack = await ensureStack()
  const ramp = Math.max(1, Math.round(seconds * 0.2))
  const plan: Plan = {
    targetUrl: stack.TARGET_URL!,
    scenario: {
      ...defaultScenario(workers, seconds),
      stages: [
        { duration: `${ramp}s`, target: workers },
        { duration: `${seconds - ramp}s`, target: workers },
      ],
    },
    endpoints: DEFAULT_ENDPOINTS,
    slos: DEFAULT_SLOS,
    collectors: {
      ...DEFAULT_COLLECTORS,
      metricsUrl: stack.METRICS_URL,
      databaseUrl: stack.DATABASE_URL_RO,
      redisUrl: stack.REDIS_URL,
      appStatsUrls: stack.APP_STATS_URLS!.split(','),
      pprofUrl: stack.PPROF_URL,
      debugAuthHeader: `Authorization: Bearer ${stack.ADMIN_TOKEN}`,
      coolDownS: 0,
      // The probe runs after the load window; it is not part of the measured p95.
      probeRequests: 0,
    },
    baseline: { kind: 'none', history: 1 },
    gate: { failOn: [], tolerances: DEFAULT_TOLERANCES },
    mode: 'run',
    reportName: 'bench',
    outputDir: '',
    shards: 1,
    shard: 0,
    debug: false,
  }
  const deps = defaultCollectDeps(() => undefined)
  const byVariant: Record<Variant, number[]> = { off: [], on: [], 'on+cpu': [] }
  const rows: string[] = []
  // Warm-up: caches, connection pools, JIT.
  await load(stack.TARGET_URL!, 3000, () => undefined)
  for (let round = 0; round < rounds; round++) {
    const order: Variant[] = round % 2 === 0 ? ['off', 'on', 'on+cpu'] : ['on+cpu', 'on', 'off']
    for (const variant of order) {
      let latencies: number[]
      if (variant === 'off') latencies = await load(stack.TARGET_URL!, seconds * 1000, () => undefined)
      else {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-bench-'))
        const collectors = createCollectors(plan).map((c) =>
          variant === 'on' && c.name === 'profiles' ? { ...c, steady: undefined } : c,
        )
        const session = await startCollectors(plan, dir, deps, { collectors })
        latencies = await load(stack.TARGET_URL!, seconds * 1000, (s) => session.tick(s))
        await session.finish()
        const down = Object.entries(session.parts()).filter(([, p]) => 'unavailable' in (p as object))
        if (down.length) console.error(`round ${round + 1} ${variant}: unavailable ${JSON.stringify(down)}`)
      }
      latencies.sort((a, b) => a - b)
      byVariant[variant].push(...latencies)
      rows.push(
        `| ${round + 1} | ${variant} | ${latencies.length} | ${quantile(latencies, 0.5).toFixed(2)} | ${quantile(latencies, 0.95).toFixed(2)} |`,
      )
    }
  }
  console.log(`workers ${workers}, ${seconds}s per window, ${rounds} rounds\n`)
  console.log('| round | collectors | requests | p50 ms | p95 ms |\n|---|---|---|---|---|')
  for (const row of rows) console.log(row)
  const p95 = (v: Variant) =>
    quantile(
      [...byVariant[v]].sort((a, b) => a - b),
      0.95,
    )
  const base = p95('off')
  console.log('\n| collectors | requests | p95 ms | vs off |\n|---|---|---|---|')
  for (const v of ['off', 'on', 'on+cpu'] as Variant[]) {
    const delta = ((p95(v) - base) / base) * 100
    console.log(
      `| ${v} | ${byVariant[v].length} | ${p95(v).toFixed(2)} | ${v === 'off' ? '' : `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} %`} |`,
    )
  }
}

await main()
