/**
 * The hidden first line of perfgate's PR comment for one report name: the sticky-comment code
 * finds the comment by it, and the renderer writes it. Characters that could end the HTML comment
 * or break the line are dropped.
 */
export function commentMarker(reportName: string): string {
  const name = reportName
    .replace(/[\r\n<>]/g, '')
    .replace(/-{2,}/g, '-')
    .trim()
  return `<!-- perfgate:report-name=${name} -->`
}
