// Every rendering of one report model as strings; writing them is the caller's step (write.ts).
import { renderComment } from './comment.ts'
import { renderSummary } from './job-summary.ts'
import { renderHtml } from './html.ts'
import type { ReportModel } from './model.ts'
import { renderMarkdown } from './render-markdown.ts'

export interface RenderedReports {
  /** report.md: the whole template. */
  reportMd: string
  /** report.html: the same content as one self-contained page with charts. */
  html: string
  /** comment.md: the sticky PR comment, trimmed to GitHub's limit. */
  comment: string
  /** summary.md: the job summary. */
  summary: string
  /** The raw data files the appendix names (statistics as JSON), by file name. */
  dataFiles: { name: string; text: string }[]
}

/** renderReports renders the model four ways, with the appendix's data files. Pure; does not modify the model. */
export function renderReports(model: ReportModel): RenderedReports {
  return {
    reportMd: renderMarkdown(model),
    html: renderHtml(model),
    comment: renderComment(model),
    summary: renderSummary(model),
    dataFiles: model.dataFiles,
  }
}
