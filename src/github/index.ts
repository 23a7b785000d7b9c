// Publishing to GitHub: the sticky PR comment, the job summary, the report artifact, the commit
// status, and the fork-safe `mode: comment`.
export { readGitHubContext, type GitHubContext } from './context.ts'
export {
  createOctokit,
  installRateLimitRetry,
  rateLimitWaitS,
  isReadOnlyTokenError,
  describeError,
  type GitHubClient,
  type ClientOptions,
} from './octokit.ts'
export {
  upsertStickyComment,
  tokenLogin,
  isOurComment,
  ACTIONS_BOT,
  commentMarker,
  stickyBody,
  CommentTooLongError,
  MAX_COMMENT_CHARS,
  type StickyCommentTarget,
  type StickyCommentResult,
} from './comment.ts'
export {
  writeJobSummary,
  trimToBytes,
  MAX_SUMMARY_BYTES,
  SUMMARY_TRIMMED_NOTE,
  type SummaryResult,
} from './summary.ts'
export {
  uploadReportArtifact,
  listReportFiles,
  artifactNameFor,
  type ArtifactUploadClient,
  type UploadDeps,
  type UploadResult,
} from './artifacts.ts'
export {
  setCommitStatus,
  statusContext,
  statusDescription,
  MAX_STATUS_DESCRIPTION,
  type CommitState,
  type CommitStatusTarget,
  type CommitStatusResult,
} from './status.ts'
export {
  runCommentMode,
  RESULT_FILE,
  COMMENT_FILE,
  type CommentModeInput,
  type CommentModeDeps,
  type CommentModeResult,
} from './comment-mode.ts'
export { downloadArtifactFiles, type ArtifactRef } from './download.ts'
