// The sticky PR comment: one per pull request per report name, found by a hidden marker and
// updated in place on every push. A comment is ours only when it carries the marker *and* was
// written by the identity of the token in use: anyone can type the marker into a comment.
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
  /** The token's login when the caller knows it; otherwise it is asked of GitHub (tokenLogin). */
  author?: string
  /** Given the existing comment's body: true to leave it as it is (see comment-policy.ts). */
  keepExisting?: (existingBody: string) => boolean
}

/** The login of the bot GITHUB_TOKEN acts as; also the last resort when GitHub cannot say. */
export const ACTIONS_BOT = 'github-actions[bot]'

const logins = new WeakMap<GitHubClient, Promise<string>>()

/**
 * The login the token of `octokit` writes comments as. `GET /user` names a personal access token's
 * user; an app installation token (GITHUB_TOKEN, a GitHub App's token) gets 403 there and
 * `GET /app` needs the app's JWT, so GraphQL `viewer` names its bot (`github-actions[bot]`,
 * `<app-slug>[bot]`). When neither answers, `github-actions[bot]`: only this repository's own
 * workflows write as that bot. Asked once per client.
 */
export function tokenLogin(octokit: GitHubClient): Promise<string> {
  let login = logins.get(octokit)
  if (!login) {
    login = askLogin(octokit)
    logins.set(octokit, login)
  }
  return login
}

async function askLogin(octokit: GitHubClient): Promise<string> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated()
    if (data.login) return data.login
  } catch {
    // An installation token: 403 "Resource not accessible by integration". Asked below.
  }
  try {
    const data = await octokit.graphql<{ viewer?: { login?: string } }>('query { viewer { login } }')
    const login = data.viewer?.login
    // An installation token acts as a bot, whose comments carry the `[bot]` suffix.
    if (login) return login.endsWith('[bot]') ? login : `${login}[bot]`
  } catch {
    // Unknown identity: fall back below.
  }
  return ACTIONS_BOT
}

/** True for a comment of ours: written by `author`, opening with the marker (a quoting reply starts with `>`). */
export function isOurComment(
  comment: { body?: string | null; user?: { login?: string } | null },
  marker: string,
  author: string,
): boolean {
  return comment.user?.login === author && (comment.body ?? '').startsWith(marker)
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
 * Creates or updates the report's sticky comment on a PR. Reads every page of comments; only the
 * token's own marked comments count (others' are never edited and do not stop ours being
 * created); when several are ours (left by an old bug or a race), the newest is updated and none
 * is deleted. A read-only token (fork PR) yields `{ skipped }`; so does nothing else — other errors throw.
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
  const author = target.author ?? (await tokenLogin(octokit))
  const ours = comments.filter((c) => isOurComment(c, marker, author)).sort((a, b) => b.id - a.id)
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
