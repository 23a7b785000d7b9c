// report — pure rendering of a run into the profiling template's sections: buildReportModel()
// computes the rows and verdicts, the renderers format them (PR comment, job summary, report.md,
// report.html) into strings, renderReports() gives all four, writeReports() writes them.
export { buildReportModel } from './build.ts'
export { renderComment, commentMarker, COMMENT_LIMIT } from './comment.ts'
export { renderSummary, SUMMARY_LIMIT } from './job-summary.ts'
export { renderMarkdown } from './render-markdown.ts'
export type * from './model.ts'
export { renderHtml } from './html.ts'
export { renderReports } from './render.ts'
export { writeReports, type WrittenReports } from './write.ts'
export { reportFiles } from './files.ts'
