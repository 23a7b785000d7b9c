// buildReportModel: record + findings + SLO rows + comparison + gate → the report model, every
// section of the profiling template filled, or saying in one line why it cannot be. Pure. Each
// section of the template is built by its module in sections/; this file only lists them.
import { reportContext, type ReportContext } from './context.ts'
import type { ReportInput, ReportModel, Section } from './model.ts'
import { reportOverview } from './overview.ts'
import { appendix, appendixFiles } from './sections/appendix.ts'
import { bottlenecks } from './sections/bottlenecks.ts'
import { testConfiguration } from './sections/configuration.ts'
import { measuredMetrics } from './sections/metrics.ts'
import { notes } from './sections/notes.ts'
import { implementationPlanSection, successCriteriaSection } from './sections/plan.ts'
import { profiling } from './sections/profiling.ts'
import { recommendations } from './sections/recommendations.ts'
import { executiveSummary } from './sections/summary.ts'

/** The template's sections in their order (report-template.md), each built from the context. */
const SECTIONS: ((ctx: ReportContext) => Section)[] = [
  executiveSummary,
  testConfiguration,
  measuredMetrics,
  profiling,
  bottlenecks,
  recommendations,
  implementationPlanSection,
  successCriteriaSection,
  notes,
  appendix,
]

/**
 * buildReportModel computes every row, verdict and section of the report from the record, its
 * findings, the SLO rows, the comparison and the gate. Pure; does not modify its input.
 */
export function buildReportModel(input: ReportInput): ReportModel {
  const ctx = reportContext(input)
  const { footer, ...overview } = reportOverview(ctx)
  return { ...overview, sections: SECTIONS.map((build) => build(ctx)), footer, dataFiles: appendixFiles(ctx) }
}
