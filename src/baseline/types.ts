import type { RunRecord } from '../record/index.ts'
import type { GitHubClient } from '../github/octokit.ts'
import type { BaselineProfiles } from './profiles.ts'

export interface BaselineResult {
  /** The newest usable record; absent on a first run. */
  baseline?: RunRecord
  /** Newest first, the baseline included; at most `plan.baseline.history` records. */
  history: RunRecord[]
  /** Where they came from, for the report (e.g. `artifact perfgate-default of run 123 on main`). */
  source: string
  /** What was skipped or missing and why, in the report's words. */
  notes: string[]
  /** The baseline run's CPU and allocation profiles, copied beside the output, for the profile diff. */
  profiles?: BaselineProfiles
  /** Why some or all of the baseline's profiles are not there (for the log and the report's one line). */
  profileNotes?: string[]
}

export interface BaselineDeps {
  /** Needed by the `artifact` and `branch` sources. */
  octokit?: GitHubClient
  /** Used to fetch signed artifact URLs (default: global fetch). */
  fetch?: typeof fetch
  /** Resolves relative paths when neither plan.repoDir nor GITHUB_WORKSPACE is set. */
  cwd?: string
  log?: (line: string) => void
  /** Runs searched for an artifact baseline (default: 10 × history, at least 30). */
  maxRuns?: number
}

/** perfgate's artifact name for a report: `perfgate-<report-name>`, with characters GitHub refuses replaced. */
export function artifactNameFor(reportName: string): string {
  return `perfgate-${reportName}`.replace(/[":<>|*?\r\n\\/]/g, '-')
}
