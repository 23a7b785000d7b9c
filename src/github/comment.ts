// The sticky PR comment: one per pull request per report name, found by a hidden marker and
// updated in place on every push.
import type { GitHubClient } from './octokit.ts'
import { commentMarker } from '../report/marker.ts'
import { describeError, isReadOnlyTokenError } from './octokit.ts'

/** GitHub rejects comment bodies longer than this (422). */
export const MAX_COMMENT_CHARS = 65536

export class CommentTooLongError extends Error {
  override name = 'CommentTooLongError'
}

export interface StickyCommentTarget {
  owner: string
  repo: string
  issueNumber: number
  reportName: string
  /** The rendered comment, without the marker (it is added here). */
  body: string
  /** Given the existing comment's body: true to leave it as it is (see comment-policy.ts). */
  keepExisting?: (existingBody: string) => boolean
}

export { commentMarker }

export type StickyCommentResult =
  | { url: string; id: number; action: 'created' | 'updated' | 'unchanged'; duplicates: number }
  | { skipped: string }

/** The body sent to GitHub: the marker line, then the rendered comment. */
export function stickyBody(reportName: string, body: string): string {
  const marker = commentMarker(reportName)
  // A body that already carries a perfgate marker (a re-post, or an artifact from elsewhere) keeps only ours.
  const rest = body.replace(/^<!-- perfgate:report-name=[^\n]*-->\n?/gm, '')
  return `${marker}\n${rest}`
}

/**
 * Creates or updates the report's sticky comment on a PR. Reads every page of comments; when
 * several carry the marker (left by an old bug or a race), the newest is updated and none is
 * deleted. A read-only token (fork PR) yields `{ skipped }`; so does nothing else — other errors throw.
 */
export async function upsertStickyComment(
  octokit: GitHubClient,
  target: StickyCommentTarget,
): Promise<StickyCommentResult> {
  const { owner, repo, issueNumber, reportName } = target
  const body = stickyBody(reportName, target.body)
  if (body.length > MAX_COMMENT_CHARS)
    throw new CommentTooLongError(
      `the ${reportName} comment is ${body.length} characters, over GitHub's ${MAX_COMMENT_CHARS}: the report must be trimmed before posting`,
    )
  const marker = commentMarker(reportName)
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  })
  // The marker must open the body: a reply quoting our comment starts with `>` and is not ours.
  const ours = comments.filter((c) => (c.body ?? '').startsWith(marker)).sort((a, b) => b.id - a.id)
  try {
    const newest = ours[0]
    if (newest && target.keepExisting?.(newest.body ?? ''))
      return { url: newest.html_url, id: newest.id, action: 'unchanged', duplicates: ours.length - 1 }
    if (newest) {
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: newest.id, body })
      return { url: data.html_url, id: data.id, action: 'updated', duplicates: ours.length - 1 }
    }
    const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })
    return { url: data.html_url, id: data.id, action: 'created', duplicates: 0 }
  } catch (error) {
    if (isReadOnlyTokenError(error))
      return {
        skipped: `the token cannot write PR comments (${describeError(error)}); a fork's pull_request run gets a read-only token: the report is in the job summary, and \`mode: comment\` in a workflow_run workflow can post it`,
      }
    throw error
  }
}
