// Synthetic RunRecords for the compare and SLO tests: per-window latencies drawn from a seeded
// lognormal, recorded into real HDR histograms (microseconds), so every percentile the code reads
// is computed, not hard-coded.
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js'
import { DEFAULT_TOLERANCES } from '../../src/plan/defaults.ts'
import type { GatePolicy } from '../../src/plan/types.ts'
import type { RunRecord } from '../../src/record/index.ts'
import type { EndpointLoad, LatencyStats, LoadPart, LoadWindow } from '../../src/record/load.ts'
import { mulberry32 } from '../../src/compare/stats.ts'

export interface EndpointGen {
  name: string
  /** Median latency of the lognormal, ms. */
  medianMs: number
  /** Lognormal shape (sd of log latency), default 0.5. */
  sigma?: number
  /** Multiplies every sample: 1.3 is a +30 % shift of every percentile. */
  scale?: number
  /** Mean requests per window, default 200 (each window varies by ~5 %). */
  perWindow?: number
  /** Probability that a request fails, default 0. */
  errorRate?: number
  /** Sd of a per-window log multiplier of latency: window-to-window noise, default 0.03. */
  windowNoise?: number
}

export interface RecordGen {
  seed: number
  endpoints: EndpointGen[]
  /** Number of windows, default 18 (3 minutes of 10 s windows). */
  windows?: number
  windowS?: number
  partial?: string
  startedAt?: string
  vus?: number
}

function normal(random: () => number): number {
  const u = 1 - random()
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

const newHistogram = () =>
  build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true })

function stats(h: Histogram): LatencyStats {
  if (h.totalCount === 0) return { minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 }
  const at = (p: number) => h.getValueAtPercentile(p) / 1000
  return {
    minMs: h.minNonZeroValue / 1000,
    meanMs: h.mean / 1000,
    p50Ms: at(50),
    p90Ms: at(90),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: h.maxValue / 1000,
  }
}

function endpointLoad(
  name: string,
  windows: { hist: Histogram; count: number; errors: number; startMs: number }[],
  durationS: number,
): EndpointLoad {
  const total = newHistogram()
  let count = 0
  let errors = 0
  const out: LoadWindow[] = []
  for (const w of windows) {
    total.add(w.hist)
    count += w.count
    errors += w.errors
    const s = stats(w.hist)
    out.push({
      startMs: w.startMs,
      count: w.count,
      errors: w.errors,
      p50Ms: s.p50Ms,
      p95Ms: s.p95Ms,
      histogram: encodeIntoCompressedBase64(w.hist),
    })
  }
  const duration = stats(total)
  const zero = stats(newHistogram())
  return {
    name,
    count,
    rps: count / durationS,
    errors,
    errorRate: count > 0 ? errors / count : 0,
    checks: { passes: count - errors, fails: errors },
    statuses: { '200': count - errors, ...(errors > 0 ? { '500': errors } : {}) },
    duration,
    waiting: duration,
    connecting: zero,
    blocked: zero,
    histogram: encodeIntoCompressedBase64(total),
    windows: out,
  }
}

/** A whole RunRecord with one load part built from seeded lognormal samples. */
export function syntheticRecord(gen: RecordGen): RunRecord {
  const random = mulberry32(gen.seed)
  const nWindows = gen.windows ?? 18
  const windowS = gen.windowS ?? 10
  const durationS = nWindows * windowS
  const overallWindows = Array.from({ length: nWindows }, (_, i) => ({
    hist: newHistogram(),
    count: 0,
    errors: 0,
    startMs: i * windowS * 1000,
  }))
  const endpoints: EndpointLoad[] = []
  for (const e of gen.endpoints) {
    const mu = Math.log(e.medianMs * 1000 * (e.scale ?? 1))
    const sigma = e.sigma ?? 0.5
    const windows = []
    for (let i = 0; i < nWindows; i++) {
      const hist = newHistogram()
      const shift = (e.windowNoise ?? 0.03) * normal(random)
      const count = Math.max(0, Math.round((e.perWindow ?? 200) * Math.exp(0.05 * normal(random))))
      let errors = 0
      for (let k = 0; k < count; k++) {
        hist.recordValue(Math.max(1, Math.round(Math.exp(mu + shift + sigma * normal(random)))))
        if (random() < (e.errorRate ?? 0)) errors++
      }
      windows.push({ hist, count, errors, startMs: i * windowS * 1000 })
      const o = overallWindows[i]!
      o.hist.add(hist)
      o.count += count
      o.errors += errors
    }
    endpoints.push(endpointLoad(e.name, windows, durationS))
  }
  const load: LoadPart = {
    startedAt: gen.startedAt ?? '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:03:00.000Z',
    durationS,
    windowS,
    vusMax: gen.vus ?? 100,
    overall: endpointLoad('overall', overallWindows, durationS),
    endpoints,
    k6Summary: '',
    k6ExitCode: 0,
    thresholdsCrossed: false,
    ...(gen.partial ? { partial: gen.partial } : {}),
    files: [],
  }
  return recordWith(load, gen)
}

export function recordWith(load: RunRecord['load'], gen: Partial<RecordGen> = {}): RunRecord {
  return {
    schema: 1,
    meta: {
      tool: 'perfgate',
      toolVersion: '0.0.0-test',
      startedAt: gen.startedAt ?? `2025-01-01T00:00:${String(gen.seed ?? 0).padStart(2, '0')}.000Z`,
      endedAt: '2025-01-01T00:03:00.000Z',
      targetUrl: 'http://127.0.0.1:8080',
    },
    plan: {
      scenario: 'Mixed behavior',
      vus: gen.vus ?? 100,
      durationS: 180,
      stages: [],
      thinkTimeScale: 1,
      userTypes: [],
      endpoints: (gen.endpoints ?? []).map((e) => ({ name: e.name, method: 'GET', route: `/${e.name}` })),
      slos: { endpoints: [] },
    },
    load,
    prometheus: { unavailable: 'not configured' },
    postgres: { unavailable: 'not configured' },
    redis: { unavailable: 'not configured' },
    appStats: { unavailable: 'not configured' },
    profiles: { unavailable: 'not configured' },
    findings: [],
  }
}

/** Three endpoints of different speeds, the shape most tests start from. */
export const ENDPOINTS: EndpointGen[] = [
  { name: 'feed', medianMs: 30 },
  { name: 'search', medianMs: 60, sigma: 0.6 },
  { name: 'vote', medianMs: 12, sigma: 0.4, perWindow: 80 },
]

/** ENDPOINTS with `changes` applied to the named endpoint(s). */
export function endpointsWith(changes: Record<string, Partial<EndpointGen>>): EndpointGen[] {
  return ENDPOINTS.map((e) => ({ ...e, ...changes[e.name] }))
}

export function policy(failOn: GatePolicy['failOn'] = ['slo', 'regression'], tolerances = {}): GatePolicy {
  return { failOn, tolerances: { ...DEFAULT_TOLERANCES, ...tolerances } }
}

export const t = (text: string, value: number) => ({ text, value })
