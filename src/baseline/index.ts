// Where the baseline comes from: the artifact of the base branch's latest successful run
// (default), a file in the repository, or records committed to a branch.
import path from 'node:path'
import type { Plan } from '../plan/types.ts'
import type { GitHubContext } from '../github/context.ts'
import { findArtifactBaseline } from './artifact.ts'
import { findPathBaseline } from './path.ts'
import { findBranchBaseline } from './branch.ts'
import type { BaselineDeps, BaselineResult } from './types.ts'

export type { BaselineDeps, BaselineResult } from './types.ts'
export { artifactNameFor } from './types.ts'
export { saveBranchBaseline } from './branch.ts'

/**
 * Finds the baseline record and its history for `plan.baseline`. Never throws for what it
 * observes (no runs yet, expired or corrupt records): those become `notes`; only unexpected
 * GitHub errors are thrown.
 */
export async function findBaseline(
  plan: Plan,
  ctx: GitHubContext | undefined,
  deps: BaselineDeps = {},
): Promise<BaselineResult> {
  const kind = plan.baseline.kind
  if (kind === 'none')
    return { history: [], source: 'none', notes: ['baseline comparison is off (baseline: none)'] }
  if (kind === 'path') {
    const root = plan.repoDir ?? ctx?.workspace ?? deps.cwd ?? process.cwd()
    return findPathBaseline(plan, path.resolve(root))
  }
  const source = kind === 'branch' ? `branch ${plan.baseline.branch ?? 'perfgate-baselines'}` : 'artifact'
  if (!ctx || !ctx.owner || !ctx.repo)
    return {
      history: [],
      source,
      notes: [`no baseline: baseline=${kind} needs a GitHub repository (GITHUB_REPOSITORY)`],
    }
  if (!deps.octokit)
    return { history: [], source, notes: [`no baseline: baseline=${kind} needs the github-token input`] }
  if (kind === 'branch') return findBranchBaseline(plan, ctx, deps.octokit)
  return findArtifactBaseline(plan, ctx, deps.octokit, deps)
}
