// Publishing to GitHub: the sticky PR comment, the job summary, the report artifact, the commit
// status, and the fork-safe `mode: comment`.
export { readGitHubContext, type GitHubContext } from './context.ts'
export { createOctokit, rateLimitWaitS, type GitHubClient } from './octokit.ts'
export { writeJobSummary, trimToBytes, MAX_SUMMARY_BYTES } from './summary.ts'
export { uploadReportArtifact } from './artifacts.ts'
export { setCommitStatus, statusDescription } from './status.ts'
export { runCommentMode } from './comment-mode.ts'
