// Reading the result.json of a fork's artifact in `mode: comment`. A fork's code decides every
// byte of it, so it is checked here, in one place, before anything reads it: the record check
// every loader uses (schema, top-level parts), then the shape of what the gate and the comment
// read (load rows, plan, findings), so a hostile record is refused in one line instead of
// crashing the judge or the renderer. When records get a deep schema validator, it replaces
// `parseRecord` + `checkShape` here.
import { parseRecord, RecordError } from '../record/io.ts'
import type { RunRecord } from '../record/index.ts'
import { isUnavailable } from '../record/common.ts'

export { RecordError }

/** Parses and checks the fork's result.json; throws RecordError naming the field that is wrong. */
export function readForkRecord(text: string, source: string): RunRecord {
  const record = parseRecord(text, source)
  const problem = checkShape(record)
  if (problem) throw new RecordError(`${source} is malformed: ${problem}`)
  return record
}

type Check = (value: unknown, path: string) => string | undefined

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const finite: Check = (v, path) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `${path} must be a finite number`
const text: Check = (v, path) => (typeof v === 'string' ? undefined : `${path} must be a string`)
const optional =
  (check: Check): Check =>
  (v, path) =>
    v === undefined ? undefined : check(v, path)
const positiveInt: Check = (v, path) =>
  Number.isSafeInteger(v) && (v as number) > 0 ? undefined : `${path} must be a positive integer`

function fields(spec: Record<string, Check>): Check {
  return (v, path) => {
    if (!isObject(v)) return `${path} must be an object`
    for (const [key, check] of Object.entries(spec)) {
      const problem = check(v[key], `${path}.${key}`)
      if (problem) return problem
    }
    return undefined
  }
}

function listOf(check: Check, max = 100_000): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return `${path} must be a list`
    if (v.length > max) return `${path} has ${v.length} entries, more than ${max}`
    for (let i = 0; i < v.length; i++) {
      const problem = check(v[i], `${path}[${i}]`)
      if (problem) return problem
    }
    return undefined
  }
}

const latency = fields({ p50Ms: finite, p90Ms: finite, p95Ms: finite, p99Ms: finite, maxMs: finite })
const window = fields({ startMs: finite, count: finite, errors: finite, p95Ms: finite, histogram: text })
const endpoint = fields({
  name: text,
  count: finite,
  rps: finite,
  errors: finite,
  errorRate: finite,
  duration: latency,
  histogram: text,
  windows: listOf(window),
  statuses: (v, path) => (isObject(v) ? undefined : `${path} must be an object`),
})
const load = fields({
  durationS: finite,
  overall: endpoint,
  endpoints: listOf(endpoint),
  k6Summary: optional(text),
  partial: optional(text),
})
const plan = fields({
  scenario: text,
  vus: finite,
  durationS: finite,
  endpoints: listOf(fields({ name: text, method: text, route: text })),
})
const oneOf =
  (...allowed: unknown[]): Check =>
  (v, path) =>
    allowed.includes(v) ? undefined : `${path} must be one of ${allowed.join(', ')}`
const finding = fields({
  kind: text,
  title: text,
  detail: text,
  fix: text,
  tier: oneOf(1, 2, 3, 4),
  effort: oneOf('low', 'medium', 'high'),
  impact: optional(finite),
  location: optional(text),
  endpoint: optional(text),
})
const meta = fields({
  toolVersion: text,
  startedAt: text,
  targetUrl: text,
  git: fields({ sha: text, pr: positiveInt }),
  workflow: fields({ runId: positiveInt, runAttempt: optional(positiveInt) }),
})

/** What is wrong with the parts the gate and the comment read, or undefined. */
function checkShape(record: RunRecord): string | undefined {
  return (
    meta(record.meta, 'meta') ??
    plan(record.plan, 'plan') ??
    (isUnavailable(record.load) ? undefined : load(record.load, 'load')) ??
    listOf(finding)(record.findings, 'findings') ??
    optional((v, path) => (isObject(v) ? undefined : `${path} must be an object`))(
      record.analysis,
      'analysis',
    )
  )
}
