// A small synthetic RunRecord: just enough fields to pass validateRecord, with the facts the
// baseline and comment-mode code look at (git sha, PR, run id).
import { SCHEMA_VERSION, type RunRecord } from '../../src/record/index.ts'

export interface RecordFacts {
  sha?: string
  pr?: number
  runId?: number
  ref?: string
  p95Ms?: number
}

const latency = (p95: number) => ({
  minMs: 1,
  meanMs: p95 / 2,
  p50Ms: p95 / 2,
  p90Ms: p95 * 0.9,
  p95Ms: p95,
  p99Ms: p95 * 1.2,
  maxMs: p95 * 2,
})

export function makeRecord(facts: RecordFacts = {}): RunRecord {
  const p95 = facts.p95Ms ?? 40
  const endpoint = {
    name: 'feed',
    count: 100,
    rps: 10,
    errors: 0,
    errorRate: 0,
    checks: { passes: 100, fails: 0 },
    statuses: { '200': 100 },
    duration: latency(p95),
    waiting: latency(p95),
    connecting: latency(0),
    blocked: latency(0),
    histogram: '',
    windows: [],
  }
  return {
    schema: SCHEMA_VERSION,
    meta: {
      tool: 'perfgate',
      toolVersion: '0.1.0',
      startedAt: '2024-01-01T00:00:00.000Z',
      endedAt: '2024-01-01T00:01:00.000Z',
      targetUrl: 'http://127.0.0.1:8080',
      git: {
        ...(facts.sha ? { sha: facts.sha } : {}),
        ...(facts.ref ? { ref: facts.ref } : {}),
        ...(facts.pr !== undefined ? { pr: facts.pr } : {}),
        repository: 'acme/shop',
      },
      workflow: facts.runId !== undefined ? { runId: facts.runId } : {},
    },
    plan: {
      scenario: 'mixed',
      vus: 10,
      durationS: 60,
      stages: [{ duration: '60s', target: 10 }],
      thinkTimeScale: 1,
      userTypes: [{ name: 'casual', weight: 100 }],
      endpoints: [{ name: 'feed', method: 'GET', route: '/api/v1/clips' }],
      slos: { endpoints: [] },
    },
    load: {
      startedAt: '2024-01-01T00:00:00.000Z',
      endedAt: '2024-01-01T00:01:00.000Z',
      durationS: 60,
      windowS: 10,
      vusMax: 10,
      overall: { ...endpoint, name: 'overall' },
      endpoints: [endpoint],
      k6Summary: '',
      k6ExitCode: 0,
      thresholdsCrossed: false,
      files: [],
    },
    prometheus: { unavailable: 'not configured' },
    postgres: { unavailable: 'not configured' },
    redis: { unavailable: 'not configured' },
    appStats: { unavailable: 'not configured' },
    profiles: { unavailable: 'not configured' },
    findings: [],
  }
}
