// A commit status per report (`perfgate/<report-name>`), so `mode: comment` can surface the gate's
// verdict on a fork PR's head commit.
import type { GitHubClient } from './octokit.ts'
import { describeError, isReadOnlyTokenError } from './octokit.ts'

export const MAX_STATUS_DESCRIPTION = 140

export type CommitState = 'success' | 'failure' | 'error' | 'pending'

export interface CommitStatusTarget {
  owner: string
  repo: string
  sha: string
  reportName: string
  state: CommitState
  description: string
  targetUrl?: string
}

export type CommitStatusResult = { context: string; state: CommitState } | { skipped: string }

export function statusContext(reportName: string): string {
  return `perfgate/${reportName}`
}

/** Shortens a description to GitHub's 140 characters, ending with an ellipsis when cut. */
export function statusDescription(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  const chars = [...oneLine]
  return chars.length <= MAX_STATUS_DESCRIPTION
    ? oneLine
    : `${chars.slice(0, MAX_STATUS_DESCRIPTION - 1).join('')}…`
}

/** Sets the report's commit status; a read-only token yields `{ skipped }`. */
export async function setCommitStatus(
  octokit: GitHubClient,
  target: CommitStatusTarget,
): Promise<CommitStatusResult> {
  const context = statusContext(target.reportName)
  try {
    await octokit.rest.repos.createCommitStatus({
      owner: target.owner,
      repo: target.repo,
      sha: target.sha,
      state: target.state,
      context,
      description: statusDescription(target.description),
      ...(target.targetUrl ? { target_url: target.targetUrl } : {}),
    })
    return { context, state: target.state }
  } catch (error) {
    if (isReadOnlyTokenError(error))
      return { skipped: `the token cannot set commit statuses (${describeError(error)})` }
    throw error
  }
}
