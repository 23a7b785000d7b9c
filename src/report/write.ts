// The one I/O helper of the report: writes its renderings into the output folder.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { renderComment, renderSummary } from './comment.ts'
import { renderHtml } from './html.ts'
import type { ReportModel } from './model.ts'
import { renderMarkdown } from './render-markdown.ts'

export interface WrittenReports {
  markdown: string
  html: string
  comment: string
  summary: string
}

/** Writes report.md, report.html, comment.md and summary.md into `outDir`; returns their paths. */
export async function writeReports(outDir: string, model: ReportModel): Promise<WrittenReports> {
  await mkdir(outDir, { recursive: true })
  const files: [keyof WrittenReports, string, string][] = [
    ['markdown', 'report.md', renderMarkdown(model)],
    ['html', 'report.html', renderHtml(model)],
    ['comment', 'comment.md', renderComment(model)],
    ['summary', 'summary.md', renderSummary(model)],
  ]
  const out = {} as WrittenReports
  for (const [key, name, text] of files) {
    const file = path.join(outDir, name)
    await writeFile(file, text)
    out[key] = file
  }
  return out
}
