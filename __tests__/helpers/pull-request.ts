// A pull request's workflow run on the fake GitHub (__tests__/fakes/github.ts), as the baseline,
// action and security tests set it up: PR 7 of acme/shop from `feature` into `main`, its run (900
// unless given), the GitHubContext and event file that run sees, and an Octokit that never waits.
import { writeFile } from 'node:fs/promises'
import { createOctokit } from '../../src/github/octokit.ts'
import type { GitHubContext } from '../../src/github/context.ts'
import type { FakeGitHub, FakeRun, FakeState } from '../fakes/github.ts'

/** A 40-digit commit sha made from `n` (hex, zero-padded), so tests can tell commits apart by number. */
export const shaOf = (n: number) => n.toString(16).padStart(40, '0')

/** The PR the run belongs to. */
export const PR_NUMBER = 7

/** An Octokit on the fake with a write token; retries do not sleep. */
export const fakeOctokit = (gh: FakeGitHub) =>
  createOctokit({ token: 'ghs_write', baseUrl: gh.url, sleep: async () => {} })

/** Adds the current run: a pull_request run of the same workflow on `feature`, still in progress. */
export function addPullRequestRun(state: FakeState, id?: number): FakeRun {
  return state.addRun({
    ...(id !== undefined ? { id } : {}),
    event: 'pull_request',
    headBranch: 'feature',
    status: 'in_progress',
    conclusion: null,
  })
}

/**
 * Empties the fake's runs, artifacts, recorded requests and pending concurrent writes, leaves
 * `main` (at shaOf(999)) as its only branch, and adds the pull request's run 900: the state each
 * baseline test starts from. Returns the context that run sees.
 */
export function startPullRequestRun(gh: FakeGitHub): GitHubContext {
  gh.state.runs = []
  gh.state.artifacts = []
  gh.state.requests = []
  gh.state.concurrentWrites = []
  gh.state.branches = new Map([['main', { commit: shaOf(999), files: new Map() }]])
  addPullRequestRun(gh.state, 900)
  return pullRequestContext(gh, 900)
}

/** The context the pull request's run `runId` sees. */
export function pullRequestContext(gh: FakeGitHub, runId = 900): GitHubContext {
  return {
    owner: 'acme',
    repo: 'shop',
    apiUrl: gh.url,
    serverUrl: 'https://github.com',
    eventName: 'pull_request',
    event: {},
    runId,
    prNumber: PR_NUMBER,
    baseRef: 'main',
    fork: false,
  }
}

/** The context of the base branch's push run `runId` (commit shaOf(runId)), which saves baselines. */
export function pushContext(gh: FakeGitHub, runId = 700): GitHubContext {
  return {
    ...pullRequestContext(gh, runId),
    eventName: 'push',
    refName: 'main',
    sha: shaOf(runId),
    event: { repository: { default_branch: 'main' } },
  }
}

/** Writes the pull_request event (GITHUB_EVENT_PATH) of the PR to `file`. */
export async function writePullRequestEvent(file: string): Promise<void> {
  await writeFile(
    file,
    JSON.stringify({
      number: PR_NUMBER,
      pull_request: {
        number: PR_NUMBER,
        head: { sha: 'a'.repeat(40), ref: 'feature', repo: { full_name: 'acme/shop' } },
        base: { ref: 'main', repo: { full_name: 'acme/shop' } },
      },
    }),
  )
}
