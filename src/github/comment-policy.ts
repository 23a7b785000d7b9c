// When perfgate (re)writes the sticky comment, and whether it writes the job summary: the
// `comment` input (always | changes | never) and the `summary` input (true | false). For
// `changes`, the comment carries a hidden digest of what gates (the verdict, every SLO's status,
// every compared metric's verdict; not the numbers, which move on every run), and a rerun whose
// digest equals the previous comment's leaves the comment alone.
import { createHash } from 'node:crypto'
import type { Comparison, GateVerdict, SloResult } from '../record/compare.ts'
import { upsertStickyComment, type StickyCommentResult, type StickyCommentTarget } from './comment.ts'
import type { GitHubClient } from './octokit.ts'

export type CommentPolicy = 'always' | 'changes' | 'never'
export const COMMENT_POLICIES: readonly CommentPolicy[] = ['always', 'changes', 'never']

/** The `comment` input; empty means `always`. Throws one line naming the input and the values allowed. */
export function parseCommentPolicy(value: string | undefined): CommentPolicy {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '') return 'always'
  if ((COMMENT_POLICIES as readonly string[]).includes(text)) return text as CommentPolicy
  throw new Error(`comment is "${value}": expected always, changes or never`)
}

/** The `summary` input; empty means true. */
export function parseSummarySwitch(value: string | undefined): boolean {
  const text = (value ?? '').trim().toLowerCase()
  if (text === '' || text === 'true') return true
  if (text === 'false') return false
  throw new Error(`summary is "${value}": expected true or false`)
}

export interface GatedOutcome {
  gate: Pick<GateVerdict, 'verdict'>
  slos: Pick<SloResult, 'id' | 'status'>[]
  comparison: Pick<Comparison, 'rows'>
}

/** `verdict:rows-hash`, e.g. `warn:3f2a…`: equal exactly when the verdict and every gated row's state are. */
export function reportDigest(outcome: GatedOutcome): string {
  const rows = [
    ...outcome.slos.map((s) => `slo ${s.id} ${s.status}`),
    ...outcome.comparison.rows.map((r) => `metric ${r.id} ${r.verdict}`),
  ].sort()
  const hash = createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)
  return `${outcome.gate.verdict}:${hash}`
}

const DIGEST_LINE = /^<!-- perfgate:digest=v1 ([a-z-]+:[0-9a-f]{16}) -->$/m

/** The hidden line that carries the digest, placed right under the report-name marker. */
export function digestLine(digest: string): string {
  return `<!-- perfgate:digest=v1 ${digest} -->`
}

/** The comment body with its digest line first (an older digest line is replaced). */
export function withDigest(body: string, digest: string): string {
  return `${digestLine(digest)}\n${body.replace(new RegExp(DIGEST_LINE.source + '\\n?', 'gm'), '')}`
}

/** The digest a posted comment carries, or undefined (an older perfgate, or not ours). */
export function digestOf(body: string): string | undefined {
  return DIGEST_LINE.exec(body)?.[1]
}

/**
 * Whether an existing sticky comment may be left as it is: only under `changes`, and only when
 * it carries the same digest. A comment without a digest is rewritten (it cannot be compared).
 */
export function keepsExistingComment(policy: CommentPolicy, existingBody: string, digest: string): boolean {
  return policy === 'changes' && digestOf(existingBody) === digest
}

/**
 * Posts (or keeps) the report's sticky comment as `policy` says: `never` posts nothing,
 * `changes` leaves an existing comment with the same digest alone, `always` rewrites it.
 */
export async function postReportComment(
  octokit: GitHubClient,
  target: Omit<StickyCommentTarget, 'keepExisting'>,
  policy: CommentPolicy,
  outcome: GatedOutcome,
): Promise<StickyCommentResult> {
  if (policy === 'never') return { skipped: 'comment: never' }
  const digest = reportDigest(outcome)
  return upsertStickyComment(octokit, {
    ...target,
    body: withDigest(target.body, digest),
    keepExisting: (existing) => keepsExistingComment(policy, existing, digest),
  })
}
