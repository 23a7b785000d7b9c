// Recommendations: the template's priority tiers from a finding's estimated impact, and the
// implementation plan and success criteria the report prints (template sections 5–7).
import type { Finding, Tier } from '../record/findings.ts'
import type { Slos } from '../plan/types.ts'

/** The template's tiers: > 30 % → 1, 10–30 % → 2, 5–10 % → 3, < 5 % → 4 (unknown impact → 4). */
export function tierOf(impact: number | undefined): Tier {
  if (impact === undefined || !Number.isFinite(impact)) return 4
  if (impact > 0.3) return 1
  if (impact >= 0.1) return 2
  if (impact >= 0.05) return 3
  return 4
}

export const TIER_TITLES: Record<Tier, string> = {
  1: 'Priority 1: Critical (Expected Impact >30%)',
  2: 'Priority 2: High (Expected Impact 10-30%)',
  3: 'Priority 3: Medium (Expected Impact 5-10%)',
  4: 'Priority 4: Low (Expected Impact <5%)',
}

/** Findings grouped by tier, each group largest impact first. */
export function findingsByTier(findings: Finding[]): Record<Tier, Finding[]> {
  const out: Record<Tier, Finding[]> = { 1: [], 2: [], 3: [], 4: [] }
  for (const f of findings) out[f.tier].push(f)
  for (const tier of [1, 2, 3, 4] as const) out[tier].sort((a, b) => (b.impact ?? 0) - (a.impact ?? 0))
  return out
}

/** `12.3%` for a share 0..1. */
export function percent(share: number | undefined, digits = 1): string {
  return share === undefined ? 'n/a' : `${(share * 100).toFixed(digits)}%`
}

export interface PlanItem {
  text: string
  /** The finding it comes from (index in the list given), if any. */
  finding?: number
}

export interface PlanPhase {
  title: string
  items: PlanItem[]
}

const PHASES: { title: string; kinds: Finding['kind'][] }[] = [
  { title: 'Phase 1: Database optimizations', kinds: ['missing-index', 'n-plus-one', 'slow-query'] },
  { title: 'Phase 2: Caching optimizations', kinds: ['cache', 'external-dependency'] },
  {
    title: 'Phase 3: Application optimizations',
    kinds: ['cpu-hotspot', 'allocation-hotspot', 'contention', 'goroutine-leak', 'bottleneck-area', 'other'],
  },
]

function itemText(f: Finding): string {
  const where = f.location ? ` (${f.location})` : ''
  const endpoint = f.endpoint ? ` [${f.endpoint}]` : ''
  switch (f.kind) {
    case 'missing-index':
      return `Add index: \`${f.fix.split('\n')[0]}\`${endpoint}`
    case 'n-plus-one':
      return `Fix N+1${endpoint}: ${f.title}${where}`
    default:
      return `${f.title}${endpoint}${where}`
  }
}

/**
 * implementationPlan turns findings (SLO findings aside) into the template's phases: database,
 * caching, application, then re-profiling. Items are ordered by tier, then impact; empty
 * phases are left out, except re-profiling which always closes the plan.
 */
export function implementationPlan(findings: Finding[]): PlanPhase[] {
  const ordered = findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => a.f.tier - b.f.tier || (b.f.impact ?? 0) - (a.f.impact ?? 0))
  const phases: PlanPhase[] = []
  for (const phase of PHASES) {
    const items = ordered
      .filter(({ f }) => phase.kinds.includes(f.kind))
      .map(({ f, i }): PlanItem => ({ text: itemText(f), finding: i }))
    if (phase.title.startsWith('Phase 1') && items.some((it) => /^Add index/.test(it.text)))
      items.push({ text: 'Run ANALYZE on the tables that got new indexes' })
    if (items.length > 0) phases.push({ title: phase.title, items })
  }
  phases.push({
    title: `Phase ${phases.length + 1}: Re-profiling`,
    items: [
      { text: 'Run the same load test again (same scenario, VUs and duration)' },
      { text: 'Collect new profiles and compare with this run (perfgate compares with the baseline)' },
      { text: 'Check that each finding above is gone and no SLO regressed' },
      { text: 'Document the improvements' },
    ],
  })
  return phases
}

export interface SuccessCriterion {
  text: string
  /** The finding it verifies, if any (index in the list given). */
  finding?: number
}

/**
 * successCriteria lists the performance targets to meet (from the SLOs) and, per finding,
 * the observable sign that it is fixed.
 */
export function successCriteria(findings: Finding[], slos: Slos): SuccessCriterion[] {
  const out: SuccessCriterion[] = []
  for (const e of slos.endpoints) {
    if (e.p95Ms)
      out.push({ text: `${e.endpoint} p95 ${e.p95Ms.text.startsWith('<') ? '' : '< '}${e.p95Ms.text}` })
  }
  if (slos.errorRate) out.push({ text: `Error rate ${slos.errorRate.text}` })
  if (slos.minRps) out.push({ text: `Throughput ${slos.minRps.text} req/s` })
  if (slos.cacheHitRate) out.push({ text: `Cache hit rate ${slos.cacheHitRate.text}` })
  findings.forEach((f, i) => {
    const sign = fixedSign(f)
    if (sign) out.push({ text: sign, finding: i })
  })
  return out
}

function fixedSign(f: Finding): string | undefined {
  const ev = f.evidence ?? {}
  switch (f.kind) {
    case 'n-plus-one':
      return `${f.endpoint ?? 'The endpoint'} runs the statement at most once per request (now ${ev.perRequest ?? '?'})`
    case 'missing-index':
      return `The plan of the ${ev.table ?? ''} query uses an index scan instead of a Seq Scan`
    case 'cpu-hotspot':
      return `${ev.function ?? 'The hotspot'} below 5% of CPU (now ${percent(f.impact)})`
    case 'goroutine-leak':
      return 'Goroutine count after the cool-down back within 20 of the count before the load'
    case 'contention':
      return `${ev.function ?? 'The lock'} no longer among the top contention sites`
    case 'cache':
      return f.title.startsWith('Cache hit rate') ? undefined : `${f.title}: resolved`
    default:
      return undefined
  }
}
