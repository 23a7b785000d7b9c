// The one I/O helper of the report: writes its renderings into the output folder.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { RenderedReports } from './render.ts'

/** The paths of the written files. */
export interface WrittenReports {
  markdown: string
  html: string
  comment: string
  summary: string
  /** The appendix's data files. */
  dataFiles: string[]
}

/** Writes report.md, report.html, comment.md, summary.md and the appendix's data files into `outDir`; returns their paths. */
export async function writeReports(outDir: string, rendered: RenderedReports): Promise<WrittenReports> {
  await mkdir(outDir, { recursive: true })
  const files: [Exclude<keyof WrittenReports, 'dataFiles'>, string, string][] = [
    ['markdown', 'report.md', rendered.reportMd],
    ['html', 'report.html', rendered.html],
    ['comment', 'comment.md', rendered.comment],
    ['summary', 'summary.md', rendered.summary],
  ]
  const out = { dataFiles: [] as string[] } as WrittenReports
  for (const [key, name, text] of files) {
    const file = path.join(outDir, name)
    await writeFile(file, text)
    out[key] = file
  }
  for (const data of rendered.dataFiles) {
    // The names are perfgate's own (appendix-*.json), never from the record.
    const file = path.join(outDir, path.basename(data.name))
    await writeFile(file, data.text)
    out.dataFiles.push(file)
  }
  return out
}
