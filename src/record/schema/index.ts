// The full RunRecord schema (zod), checked once when a record is loaded (record/io.ts). The
// interfaces in record/*.ts stay the documentation; each schema is typed against its interface,
// so a field added to one and not the other fails the typecheck.
import { z } from 'zod'
import type { BaseCollectorParts, PlanSummary, RunMeta, RunRecord } from '../index.ts'
import { num, part, str } from './common.ts'
import { loadSchema, pairedSchema } from './load.ts'
import {
  appStatsSchema,
  postgresSchema,
  profilesSchema,
  prometheusSchema,
  redisSchema,
} from './collectors.ts'
import { analysisSchema, findingSchema } from './analysis.ts'
import { outcomeSchema, slosSchema } from './outcome.ts'

const opt = num.optional()
const optStr = str.optional()

const metaSchema: z.ZodType<RunMeta> = z.object({
  tool: str,
  toolVersion: str,
  startedAt: str,
  endedAt: str,
  targetUrl: str,
  k6Version: optStr,
  git: z.object({ sha: optStr, ref: optStr, baseRef: optStr, pr: opt, repository: optStr }).optional(),
  workflow: z
    .object({ runId: opt, runAttempt: opt, workflow: optStr, job: optStr, serverUrl: optStr })
    .optional(),
  shard: z.object({ index: num, count: num }).optional(),
})

const planSchema: z.ZodType<PlanSummary> = z.object({
  scenario: str,
  vus: num,
  durationS: num,
  stages: z.array(z.object({ duration: str, target: num })),
  thinkTimeScale: num,
  userTypes: z.array(z.object({ name: str, weight: num })),
  script: optStr,
  endpoints: z.array(z.object({ name: str, method: str, route: str })),
  slos: slosSchema,
})

const baseCollectorsSchema: z.ZodType<BaseCollectorParts> = z.object({
  url: str,
  prometheus: part(prometheusSchema),
  appStats: part(appStatsSchema),
  profiles: part(profilesSchema),
})

export const recordSchema: z.ZodType<RunRecord> = z.object({
  schema: num,
  meta: metaSchema,
  plan: planSchema,
  load: part(loadSchema),
  prometheus: part(prometheusSchema),
  postgres: part(postgresSchema),
  redis: part(redisSchema),
  appStats: part(appStatsSchema),
  profiles: part(profilesSchema),
  findings: z.array(findingSchema),
  analysis: analysisSchema.optional(),
  outcome: outcomeSchema.optional(),
  paired: pairedSchema.optional(),
  baseCollectors: baseCollectorsSchema.optional(),
  timeline: z.array(z.object({ stage: str, startMs: num, endMs: num })).optional(),
})

/** The first problem of `data` against the record schema, one line; undefined when it is valid. */
export function recordProblem(data: unknown): string | undefined {
  const result = recordSchema.safeParse(data, { reportInput: true })
  if (result.success) return undefined
  const issues = result.error.issues
  const first = describeIssue(issues[0]!, [])
  return issues.length > 1 ? `${first} (and ${issues.length - 1} more)` : first
}

type Issue = z.core.$ZodIssue

/** `load.endpoints[0].name: missing`, `schema: wrong type (string, want number)`. */
function describeIssue(issue: Issue, prefix: PropertyKey[]): string {
  const at = [...prefix, ...issue.path]
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // A part is `{ unavailable }` or its data: report the branch the value got furthest in.
    const branch = issue.errors.reduce((best, candidate) =>
      depth(candidate) >= depth(best) ? candidate : best,
    )
    if (branch.length > 0) return describeIssue(branch[0]!, at)
  }
  const where = fieldPath(at) || '(the record)'
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `${where}: missing (want ${issue.expected})`
    return `${where}: wrong type (${typeName(issue.input)}, want ${issue.expected})`
  }
  if (issue.code === 'invalid_value')
    return `${where}: ${JSON.stringify(issue.input)} is not allowed (want ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`
  return `${where}: ${issue.message}`
}

function depth(issues: Issue[]): number {
  return issues[0]?.path.length ?? -1
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

/** `load.endpoints[0].name`. */
export function fieldPath(path: PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('')
}
