// A Plan built from the defaults, shortened for tests (a few seconds, few VUs, think time × 0.05).
import {
  DEFAULT_COLLECTORS,
  DEFAULT_ENDPOINTS,
  DEFAULT_SLOS,
  DEFAULT_TOLERANCES,
  defaultScenario,
} from '../../../src/plan/defaults.ts'
import type { Plan } from '../../../src/plan/types.ts'

export function testPlan(targetUrl: string, overrides: Partial<Plan> = {}): Plan {
  return {
    targetUrl,
    scenario: defaultScenario(4, 6, 0.05),
    endpoints: DEFAULT_ENDPOINTS,
    slos: DEFAULT_SLOS,
    collectors: { ...DEFAULT_COLLECTORS },
    baseline: { kind: 'none', history: 1 },
    gate: { failOn: [], tolerances: DEFAULT_TOLERANCES },
    mode: 'run',
    reportName: 'perfgate',
    outputDir: 'perfgate-report',
    shards: 1,
    shard: 0,
    debug: false,
    ...overrides,
  }
}
