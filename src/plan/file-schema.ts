// The schema of perfgate.yml. Keys are kebab-case like the action's inputs; unknown keys are
// errors (a typo must not silently fall back to a default).
import { z } from 'zod'

const scalarOrList = z.union([z.string(), z.array(z.string())])
const durationText = z.union([z.string(), z.number()])
const targetText = z.union([z.string(), z.number()])

const stepSchema: z.ZodType<FileStep> = z.lazy(() =>
  z.strictObject({
    endpoint: z.string().optional(),
    think: z.number().min(0).optional(),
    probability: z.number().min(0).max(1).optional(),
    repeat: z
      .union([z.number().int().min(1), z.tuple([z.number().int().min(0), z.number().int().min(1)])])
      .optional(),
    query: z.record(z.string(), scalarOrList).optional(),
    steps: z.array(stepSchema).optional(),
  }),
)

export interface FileStep {
  endpoint?: string
  think?: number
  probability?: number
  repeat?: number | [number, number]
  query?: Record<string, string | string[]>
  steps?: FileStep[]
}

const endpointSloSchema = z.strictObject({
  p50: targetText.optional(),
  p95: targetText.optional(),
  p99: targetText.optional(),
  'error-rate': targetText.optional(),
  'min-rps': targetText.optional(),
})

export const fileSchema = z.strictObject({
  'target-url': z.string().optional(),
  'target-wait': durationText.optional(),
  'warm-up': durationText.optional(),
  script: z.string().optional(),
  scenario: z
    .strictObject({
      name: z.string().optional(),
      vus: z.number().int().min(1).optional(),
      duration: durationText.optional(),
      'think-time-scale': z.number().positive().optional(),
      stages: z.array(z.strictObject({ duration: durationText, target: z.number().int().min(0) })).optional(),
      'user-types': z
        .array(
          z.strictObject({ name: z.string(), weight: z.number().min(0), steps: z.array(stepSchema).min(1) }),
        )
        .min(1)
        .optional(),
      fixtures: z.string().optional(),
    })
    .optional(),
  endpoints: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).optional(),
        route: z.string().startsWith('/'),
        query: z.record(z.string(), scalarOrList).optional(),
        body: z.unknown().optional(),
        auth: z.boolean().optional(),
        'expect-status': z.array(z.number().int()).optional(),
      }),
    )
    .optional(),
  slos: z
    .strictObject({
      'error-rate': targetText.optional(),
      throughput: targetText.optional(),
      'cache-hit-rate': targetText.optional(),
      endpoints: z.record(z.string(), endpointSloSchema).optional(),
    })
    .optional(),
  gate: z
    .strictObject({
      'fail-on': z.union([z.string(), z.array(z.string())]).optional(),
      tolerances: z
        .strictObject({
          p50: targetText.optional(),
          p95: targetText.optional(),
          p99: targetText.optional(),
          'error-rate': targetText.optional(),
          'error-rate-floor': targetText.optional(),
          throughput: targetText.optional(),
          'db-time': targetText.optional(),
          statements: targetText.optional(),
          'cache-hit-rate': targetText.optional(),
          alpha: z.number().positive().max(0.5).optional(),
        })
        .optional(),
    })
    .optional(),
  // A paired run's design (with the baseline-url input).
  'paired-design': z.string().optional(),
  // How long a paired run may keep loading for its rows to resolve (the stopping rule).
  'paired-max-duration': z.union([z.string(), z.number()]).optional(),
  baseline: z
    .strictObject({
      source: z.enum(['artifact', 'path', 'branch', 'none']).optional(),
      path: z.string().optional(),
      branch: z.string().optional(),
      history: z.number().int().min(1).max(50).optional(),
    })
    .optional(),
  collectors: z
    .strictObject({
      'metrics-url': z.string().optional(),
      'pprof-url': z.string().optional(),
      'app-stats-urls': z.array(z.string()).optional(),
      // A paired run's base deployment (with baseline-url): the same collectors on its side.
      'baseline-metrics-url': z.string().optional(),
      'baseline-pprof-url': z.string().optional(),
      'baseline-app-stats-urls': z.array(z.string()).optional(),
      dependencies: z
        .array(
          z.strictObject({
            name: z.string(),
            metric: z.string(),
            labels: z.record(z.string(), z.string()).optional(),
          }),
        )
        .optional(),
      areas: z.array(z.strictObject({ area: z.string(), patterns: z.array(z.string()).min(1) })).optional(),
      'cool-down': durationText.optional(),
      timeout: durationText.optional(),
      'probe-requests': z.number().int().min(1).max(100).optional(),
      // The target's HTTP metric and label names (issue 15); each absent key keeps its default.
      metrics: z
        .strictObject({
          requests: z.string().min(1).optional(),
          duration: z.string().min(1).optional(),
          'in-flight': z.string().min(1).optional(),
          'route-label': z.string().min(1).optional(),
          'method-label': z.string().min(1).optional(),
          'status-label': z.string().min(1).optional(),
          'exclude-routes': z.array(z.string().startsWith('/')).optional(),
        })
        .optional(),
    })
    .optional(),
})

export type PerfgateFile = z.infer<typeof fileSchema>
