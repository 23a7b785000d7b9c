// External dependencies from the Prometheus part: calls whose latency or share of request
// time makes them worth a look.
import type { DependencySummary } from '../../record/analysis.ts'
import type { DependencyMetrics, PrometheusData } from '../../record/collectors.ts'
import { isUnavailable, type Part } from '../../record/common.ts'
import type { Finding } from '../../record/findings.ts'
import { percent } from '../recommend.ts'
import { finding, unavailable } from './rules.ts'

/** perfgate's own requests (profiles, metrics) are not the service's traffic. */
export const OWN_ROUTES = /^\/debug\/(pprof|metrics)\b/

/**
 * isExternal: a dependency named in perfgate.yml, or a discovered histogram whose name or labels
 * say it times calls to another service (an internal histogram is not a dependency).
 */
function isExternal(d: DependencyMetrics): boolean {
  if (d.declared) return true
  if (/external|outbound|upstream|downstream|client|dependency|remote/i.test(d.metric)) return true
  return Object.keys(d.labels).some((k) => /^(peer|upstream|dependency|remote|target_service)/.test(k))
}

export function dependencyAnalysis(
  prom: Part<PrometheusData>,
  slowP95Ms: number,
  findings: Finding[],
): Part<DependencySummary[]> {
  if (isUnavailable(prom)) return unavailable(`Prometheus: ${prom.unavailable}`)
  const requestSeconds = prom.routes
    .filter((r) => !OWN_ROUTES.test(r.path))
    .reduce((sum, r) => sum + r.sumSeconds, 0)
  const out: DependencySummary[] = []
  for (const d of prom.dependencies) {
    if (d.count === 0 || !isExternal(d)) continue
    const slow = (d.p95Ms ?? 0) > slowP95Ms
    out.push({
      name: d.name,
      count: d.count,
      ...(d.p50Ms !== undefined ? { p50Ms: d.p50Ms } : {}),
      ...(d.p95Ms !== undefined ? { p95Ms: d.p95Ms } : {}),
      ...(d.meanMs !== undefined ? { meanMs: d.meanMs } : {}),
      slow,
    })
    const share = requestSeconds > 0 ? Math.min(1, d.sumSeconds / requestSeconds) : undefined
    // Its share of request time alone is shown in the table, not a finding: waiting on an API
    // that answers in its usual time is the cost of calling it, not a fault.
    if (!slow) continue
    findings.push(
      finding({
        kind: 'external-dependency',
        title: `Slow dependency: ${d.name} p95 ${d.p95Ms?.toFixed(0) ?? '?'} ms`,
        detail:
          `${d.count} calls, p50 ${d.p50Ms?.toFixed(1) ?? '?'} ms, p95 ${d.p95Ms?.toFixed(1) ?? '?'} ms; ` +
          `${percent(share)} of the time spent serving requests (a dependency is slow above p95 ${slowP95Ms} ms).`,
        ...(share !== undefined ? { impact: share } : {}),
        impactBasis: 'share of request time spent waiting on the dependency',
        effort: 'medium',
        fix: 'Cache its answers, call it concurrently or off the request path, and set a tight timeout with a fallback.',
        evidence: { name: d.name, count: d.count },
      }),
    )
  }
  return out
}
