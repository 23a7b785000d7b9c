// What the runner tells us about this run: repository, event, PR, shas, run URL. Read once from
// the environment and the event payload (GITHUB_EVENT_PATH) into a small typed value.
import { readFileSync } from 'node:fs'

export interface GitHubContext {
  owner: string
  repo: string
  apiUrl: string
  serverUrl: string
  eventName: string
  /** The event payload (empty object when there is none). */
  event: Record<string, unknown>
  runId?: number
  runAttempt?: number
  runUrl?: string
  /** GITHUB_SHA: for pull_request events the test merge commit. */
  sha?: string
  /** The PR's head commit for pull_request events, GITHUB_SHA otherwise: where statuses belong. */
  headSha?: string
  prNumber?: number
  /** The PR's base branch, or GITHUB_BASE_REF. */
  baseRef?: string
  headRef?: string
  /** GITHUB_REF_NAME: the branch of a push. */
  refName?: string
  /** The PR comes from a fork: its token is read-only and secrets are absent. */
  fork: boolean
  workspace?: string
  workflowRef?: string
}

interface PullPayload {
  number?: number
  head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null }
  base?: { ref?: string; repo?: { full_name?: string } | null }
}

/** Reads the GitHub Actions context from `env` (and the event file it names). */
export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  let event: Record<string, unknown> = {}
  if (env.GITHUB_EVENT_PATH) {
    try {
      const parsed = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as unknown
      if (typeof parsed === 'object' && parsed !== null) event = parsed as Record<string, unknown>
    } catch {
      // No payload (a local run, or the file is gone): the environment alone still says a lot.
    }
  }
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')
  const runId = toNumber(env.GITHUB_RUN_ID)
  const pull = (event.pull_request ?? event.pull_request_target) as PullPayload | undefined
  const prFromRef = toNumber(/^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1])
  const prNumber = pull?.number ?? (typeof event.number === 'number' ? event.number : undefined) ?? prFromRef
  const headFull = pull?.head?.repo?.full_name
  const baseFull = pull?.base?.repo?.full_name
  const runAttempt = toNumber(env.GITHUB_RUN_ATTEMPT)
  const headSha = pull?.head?.sha ?? env.GITHUB_SHA
  const baseRef = pull?.base?.ref ?? nonEmpty(env.GITHUB_BASE_REF)
  const headRef = pull?.head?.ref ?? nonEmpty(env.GITHUB_HEAD_REF)
  return {
    owner,
    repo,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
    ...(runId !== undefined ? { runId } : {}),
    ...(runAttempt !== undefined ? { runAttempt } : {}),
    ...(runId !== undefined && owner
      ? { runUrl: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` }
      : {}),
    ...(env.GITHUB_SHA ? { sha: env.GITHUB_SHA } : {}),
    ...(headSha ? { headSha } : {}),
    ...(prNumber !== undefined ? { prNumber } : {}),
    ...(baseRef ? { baseRef } : {}),
    ...(headRef ? { headRef } : {}),
    ...(env.GITHUB_REF_NAME ? { refName: env.GITHUB_REF_NAME } : {}),
    // A deleted fork has head.repo null: still a fork.
    fork: pull !== undefined && baseFull !== undefined && headFull !== baseFull,
    ...(env.GITHUB_WORKSPACE ? { workspace: env.GITHUB_WORKSPACE } : {}),
    ...(env.GITHUB_WORKFLOW_REF ? { workflowRef: env.GITHUB_WORKFLOW_REF } : {}),
  }
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

function nonEmpty(value: string | undefined): string | undefined {
  return value ? value : undefined
}
