// A local fake of the parts of GitHub perfgate talks to: the REST API (comments, statuses,
// workflow runs, run artifacts, contents, pulls, git refs), the Actions results service's Twirp
// ArtifactService that @actions/artifact v6 uses, and a blob store standing in for Azure Blob
// Storage (signed upload and download URLs). It runs on 127.0.0.1 on a free port, is as strict as
// GitHub where perfgate could get it wrong (auth, pagination, body limits, read-only tokens,
// secondary rate limits, contents sha conflicts, expired artifacts), and records every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { makeZip } from './zip.ts'

export interface TokenConfig {
  /** A fork PR's token: every write answers 403 "Resource not accessible by integration". */
  readOnly?: boolean
  /** Who the token acts as: comments it writes carry this login (default `github-actions[bot]`). */
  login?: string
  /**
   * `installation` (default): an app installation token such as GITHUB_TOKEN, for which `GET /user`
   * answers 403 and GraphQL `viewer` names the bot; `user`: a personal access token.
   */
  kind?: 'installation' | 'user'
}

/** The login a token acts as. */
export function tokenLogin(config: TokenConfig | undefined): string {
  return config?.login ?? 'github-actions[bot]'
}

export interface FakeGitHubOptions {
  owner?: string
  repo?: string
  /** Accepted tokens; default: `ghs_write` (read-write) and `ghs_readonly` (read-only). */
  tokens?: Record<string, TokenConfig>
  defaultBranch?: string
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string | string[] | undefined>
  body: string
  status?: number
}

export interface FakeComment {
  id: number
  issueNumber: number
  body: string
  login: string
  createdAt: string
  updatedAt: string
}

export interface FakePull {
  number: number
  state: 'open' | 'closed'
  headSha: string
  headRef: string
  baseRef: string
  /** owner/repo of the head; a fork when it differs from the base repository. */
  headRepo: string
}

export interface FakeRun {
  id: number
  workflowId: number
  /** Workflow file path, e.g. `.github/workflows/perf.yml`. */
  path: string
  name: string
  headBranch: string
  headSha: string
  event: string
  status: string
  conclusion: string | null
  createdAt: string
  headRepo: string
  pullRequests: number[]
  /** GITHUB_RUN_ATTEMPT of the run's latest attempt (default 1). */
  runAttempt: number
}

export interface FakeArtifact {
  id: number
  name: string
  runId: number
  jobId: string
  expired: boolean
  zip?: Buffer
  createdAt: string
  finalized: boolean
  uploadKey: string
  blocks: Map<string, Buffer>
}

export interface FakeStatus {
  sha: string
  state: string
  context: string
  description?: string
  targetUrl?: string
}

export interface SecondaryRateLimit {
  method?: string
  /** Matched against the request path; every request matches when absent. */
  path?: RegExp
  retryAfterS: number
  status?: 403 | 429
  /** How many requests get the limit (default 1). */
  times?: number
}

interface FileEntry {
  content: Buffer
  sha: string
}

export interface ConcurrentWrite {
  branch: string
  path: string
  content: string
}

export class FakeState {
  requests: RecordedRequest[] = []
  comments: FakeComment[] = []
  pulls: FakePull[] = []
  runs: FakeRun[] = []
  artifacts: FakeArtifact[] = []
  statuses: FakeStatus[] = []
  branches = new Map<string, { commit: string; files: Map<string, FileEntry> }>()
  rateLimits: SecondaryRateLimit[] = []
  /** Applied just before the next contents PUT to the same path: a push that won the race. */
  concurrentWrites: ConcurrentWrite[] = []
  /** Commits the commits API knows, with their parents (e.g. a PR's test merge commit). */
  commits = new Map<string, string[]>()
  tokens: Map<string, TokenConfig>
  runtimeTokens = new Map<
    string,
    { runId: number; jobId: string; runBackendId: string; jobBackendId: string }
  >()
  private nextId = 1000

  constructor(
    readonly owner: string,
    readonly repo: string,
    tokens: Record<string, TokenConfig>,
    readonly defaultBranch: string,
  ) {
    this.tokens = new Map(Object.entries(tokens))
    this.branches.set(defaultBranch, { commit: hex(40), files: new Map() })
  }

  id(): number {
    return this.nextId++
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`
  }

  addPull(pull: Partial<FakePull> & { number: number }): FakePull {
    const full: FakePull = {
      state: 'open',
      headSha: hex(40),
      headRef: `feature-${pull.number}`,
      baseRef: this.defaultBranch,
      headRepo: this.fullName,
      ...pull,
    }
    this.pulls.push(full)
    return full
  }

  /** The test merge commit of a PR (GITHUB_SHA of its pull_request runs): parents base head and PR head. */
  addMergeCommit(pull: FakePull): string {
    const sha = hex(40)
    this.commits.set(sha, [this.branches.get(pull.baseRef)?.commit ?? hex(40), pull.headSha])
    return sha
  }

  addComment(issueNumber: number, body: string, login = 'github-actions[bot]'): FakeComment {
    const at = new Date(Date.UTC(2024, 0, 1) + this.comments.length * 1000).toISOString()
    const comment = { id: this.id(), issueNumber, body, login, createdAt: at, updatedAt: at }
    this.comments.push(comment)
    return comment
  }

  addRun(run: Partial<FakeRun> = {}): FakeRun {
    const id = run.id ?? this.id()
    const full: FakeRun = {
      id,
      workflowId: 161335,
      path: '.github/workflows/perf.yml',
      name: 'perf',
      headBranch: this.defaultBranch,
      headSha: hex(40),
      event: 'push',
      status: 'completed',
      conclusion: 'success',
      createdAt: new Date(Date.UTC(2024, 0, 1) + id * 60_000).toISOString(),
      headRepo: this.fullName,
      pullRequests: [],
      runAttempt: 1,
      ...run,
    }
    this.runs.push(full)
    return full
  }

  /** Adds a finalized artifact to a run, zipped from `files`. */
  addArtifact(
    runId: number,
    name: string,
    files: Record<string, string | Buffer>,
    expired = false,
  ): FakeArtifact {
    const artifact: FakeArtifact = {
      id: this.id(),
      name,
      runId,
      jobId: 'job',
      expired,
      zip: makeZip(files),
      createdAt: new Date().toISOString(),
      finalized: true,
      uploadKey: hex(16),
      blocks: new Map(),
    }
    this.artifacts.push(artifact)
    return artifact
  }

  /** Writes a file on a branch (creating the branch from the default one) as a push would. */
  putFile(branch: string, path: string, content: string | Buffer): string {
    let b = this.branches.get(branch)
    if (!b) {
      b = { commit: hex(40), files: new Map(this.branches.get(this.defaultBranch)!.files) }
      this.branches.set(branch, b)
    }
    const data = typeof content === 'string' ? Buffer.from(content) : content
    const sha = gitBlobSha(data)
    b.files.set(path, { content: data, sha })
    b.commit = hex(40)
    return sha
  }

  getFile(branch: string, path: string): string | undefined {
    return this.branches.get(branch)?.files.get(path)?.content.toString('utf8')
  }

  requestsTo(method: string, pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path))
  }
}

export interface FakeGitHub {
  /** Base URL of the REST API (use as GITHUB_API_URL and as the Octokit baseUrl). */
  url: string
  /** ACTIONS_RESULTS_URL for @actions/artifact. */
  resultsUrl: string
  /** An ACTIONS_RUNTIME_TOKEN whose `scp` claim names this run and job. */
  runtimeToken(runId: number, jobId?: string): string
  /**
   * The runner environment of a run against this fake, for e2e tests of dist/index.js.
   * GITHUB_SERVER_URL stays https://github.com: @actions/artifact refuses to upload on any other
   * host (it takes it for GHES), and nothing perfgate calls goes to the server URL.
   */
  env(runId: number, jobId?: string): Record<string, string>
  state: FakeState
  close(): Promise<void>
}

interface Ctx {
  req: IncomingMessage
  url: URL
  params: string[]
  body: Buffer
  token?: string
  tokenConfig?: TokenConfig
}

interface Reply {
  status: number
  json?: unknown
  raw?: Buffer
  headers?: Record<string, string>
}

type Handler = (ctx: Ctx) => Reply | Promise<Reply>

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/'
const MAX_COMMENT = 65536

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const state = new FakeState(
    options.owner ?? 'acme',
    options.repo ?? 'shop',
    options.tokens ?? { ghs_write: {}, ghs_readonly: { readOnly: true } },
    options.defaultBranch ?? 'main',
  )
  let base = ''
  const repoPath = () => `/repos/${state.owner}/${state.repo}`

  const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
    status,
    json: body,
    ...(headers ? { headers } : {}),
  })
  const ghError = (status: number, message: string) =>
    json(status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) })
  const parseJson = (ctx: Ctx): Record<string, unknown> | undefined => {
    try {
      const value = JSON.parse(ctx.body.toString('utf8') || 'null') as unknown
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
    } catch {
      return undefined
    }
  }

  /** GitHub's pagination: `per_page` (default 30, max 100), `page`, and a Link header. */
  function paginate<T>(ctx: Ctx, items: T[]): { page: T[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Math.max(1, Number(ctx.url.searchParams.get('per_page') ?? 30) || 30))
    const page = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (p: number, rel: string) => {
      const u = new URL(ctx.url.pathname + ctx.url.search, base)
      u.searchParams.set('per_page', String(perPage))
      u.searchParams.set('page', String(p))
      return `<${u.toString()}>; rel="${rel}"`
    }
    const links: string[] = []
    if (page > 1) links.push(link(page - 1, 'prev'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    if (page > 1) links.push(link(1, 'first'))
    return {
      page: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length ? { link: links.join(', ') } : {},
    }
  }

  const commentJson = (c: FakeComment) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}${repoPath()}/issues/comments/${c.id}`,
    html_url: `https://github.com/${state.fullName}/pull/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${base}${repoPath()}/issues/${c.issueNumber}`,
    body: c.body,
    user: { login: c.login, type: c.login.endsWith('[bot]') ? 'Bot' : 'User' },
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  })

  const repoJson = (fullName: string) => ({
    full_name: fullName,
    name: fullName.split('/')[1],
    owner: { login: fullName.split('/')[0] },
  })
  const pullJson = (p: FakePull) => ({
    number: p.number,
    state: p.state,
    html_url: `https://github.com/${state.fullName}/pull/${p.number}`,
    head: { sha: p.headSha, ref: p.headRef, repo: repoJson(p.headRepo) },
    base: {
      sha: state.branches.get(p.baseRef)?.commit ?? hex(40),
      ref: p.baseRef,
      repo: repoJson(state.fullName),
    },
  })
  const runJson = (r: FakeRun) => ({
    id: r.id,
    name: r.name,
    workflow_id: r.workflowId,
    path: r.path,
    head_branch: r.headBranch,
    head_sha: r.headSha,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    run_attempt: r.runAttempt,
    created_at: r.createdAt,
    html_url: `https://github.com/${state.fullName}/actions/runs/${r.id}`,
    head_repository: repoJson(r.headRepo),
    repository: repoJson(state.fullName),
    pull_requests: r.pullRequests
      .map((n) => state.pulls.find((p) => p.number === n))
      .filter((p): p is FakePull => p !== undefined && p.headRepo === state.fullName)
      .map((p) => ({ number: p.number, head: { sha: p.headSha, ref: p.headRef }, base: { ref: p.baseRef } })),
  })
  const artifactJson = (a: FakeArtifact) => {
    const run = state.runs.find((r) => r.id === a.runId)
    return {
      id: a.id,
      node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
      name: a.name,
      size_in_bytes: a.zip?.length ?? 0,
      url: `${base}${repoPath()}/actions/artifacts/${a.id}`,
      archive_download_url: `${base}${repoPath()}/actions/artifacts/${a.id}/zip`,
      expired: a.expired,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      expires_at: a.expired ? '2000-01-01T00:00:00Z' : '2099-01-01T00:00:00Z',
      digest: a.zip ? `sha256:${createHash('sha256').update(a.zip).digest('hex')}` : null,
      workflow_run: { id: a.runId, head_branch: run?.headBranch, head_sha: run?.headSha },
    }
  }
  const signature = (key: string) =>
    createHash('sha256').update(`fake-signing-key:${key}`).digest('hex').slice(0, 32)
  const downloadUrl = (a: FakeArtifact) =>
    `${base}/_blob/download/${a.id}/${encodeURIComponent(a.name)}.zip?sig=${signature(`d${a.id}`)}&se=2099-01-01`

  function filterRuns(ctx: Ctx, runs: FakeRun[]): FakeRun[] {
    const q = ctx.url.searchParams
    return runs
      .filter((r) => !q.get('branch') || r.headBranch === q.get('branch'))
      .filter((r) => !q.get('event') || r.event === q.get('event'))
      .filter((r) => !q.get('head_sha') || r.headSha === q.get('head_sha'))
      .filter((r) => !q.get('status') || r.status === q.get('status') || r.conclusion === q.get('status'))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
  }

  const rest: [string, RegExp, Handler][] = [
    [
      'GET',
      /^\/issues\/(\d+)\/comments$/,
      (ctx) => {
        const n = Number(ctx.params[0])
        if (!state.pulls.some((p) => p.number === n)) return ghError(404, 'Not Found')
        const { page, headers } = paginate(
          ctx,
          state.comments.filter((c) => c.issueNumber === n).sort((a, b) => a.id - b.id),
        )
        return json(200, page.map(commentJson), headers)
      },
    ],
    [
      'POST',
      /^\/issues\/(\d+)\/comments$/,
      (ctx) => {
        const n = Number(ctx.params[0])
        if (!state.pulls.some((p) => p.number === n)) return ghError(404, 'Not Found')
        const body = parseJson(ctx)?.body
        if (typeof body !== 'string' || body.length === 0)
          return ghError(422, 'Invalid request.\n\n"body" is missing.')
        if (body.length > MAX_COMMENT) return bodyTooLong()
        const comment = state.addComment(n, body, tokenLogin(ctx.tokenConfig))
        return json(201, commentJson(comment))
      },
    ],
    [
      'PATCH',
      /^\/issues\/comments\/(\d+)$/,
      (ctx) => {
        const comment = state.comments.find((c) => c.id === Number(ctx.params[0]))
        if (!comment) return ghError(404, 'Not Found')
        if (comment.login !== tokenLogin(ctx.tokenConfig)) return notAuthor()
        const body = parseJson(ctx)?.body
        if (typeof body !== 'string' || body.length === 0)
          return ghError(422, 'Invalid request.\n\n"body" is missing.')
        if (body.length > MAX_COMMENT) return bodyTooLong()
        comment.body = body
        comment.updatedAt = new Date().toISOString()
        return json(200, commentJson(comment))
      },
    ],
    [
      'DELETE',
      /^\/issues\/comments\/(\d+)$/,
      (ctx) => {
        const index = state.comments.findIndex((c) => c.id === Number(ctx.params[0]))
        if (index < 0) return ghError(404, 'Not Found')
        if (state.comments[index]!.login !== tokenLogin(ctx.tokenConfig)) return notAuthor()
        state.comments.splice(index, 1)
        return { status: 204 }
      },
    ],
    [
      'POST',
      /^\/statuses\/([^/]+)$/,
      (ctx) => {
        const sha = ctx.params[0]!
        if (!/^[0-9a-f]{40}$/.test(sha)) return ghError(422, `No commit found for SHA: ${sha}`)
        const body = parseJson(ctx) ?? {}
        if (!['error', 'failure', 'pending', 'success'].includes(String(body.state)))
          return ghError(422, 'Validation Failed: state is not included in the list')
        if (typeof body.description === 'string' && body.description.length > 140)
          return ghError(422, 'Validation Failed: description is too long (maximum is 140 characters)')
        const status: FakeStatus = {
          sha,
          state: String(body.state),
          context: typeof body.context === 'string' ? body.context : 'default',
          ...(typeof body.description === 'string' ? { description: body.description } : {}),
          ...(typeof body.target_url === 'string' ? { targetUrl: body.target_url } : {}),
        }
        state.statuses.push(status)
        return json(201, {
          id: state.id(),
          state: status.state,
          context: status.context,
          description: status.description,
        })
      },
    ],
    [
      'GET',
      /^\/pulls$/,
      (ctx) => {
        const wanted = ctx.url.searchParams.get('state') ?? 'open'
        const head = ctx.url.searchParams.get('head')
        const pulls = state.pulls
          .filter((p) => wanted === 'all' || p.state === wanted)
          .filter((p) => !head || `${p.headRepo.split('/')[0]}:${p.headRef}` === head)
          .sort((a, b) => b.number - a.number)
        const { page, headers } = paginate(ctx, pulls)
        return json(200, page.map(pullJson), headers)
      },
    ],
    [
      'GET',
      /^\/pulls\/(\d+)$/,
      (ctx) => {
        const pull = state.pulls.find((p) => p.number === Number(ctx.params[0]))
        return pull ? json(200, pullJson(pull)) : ghError(404, 'Not Found')
      },
    ],
    [
      'GET',
      /^\/commits\/([0-9a-f]{40})\/pulls$/,
      (ctx) => {
        // Like GitHub for a commit of a fork: only pull requests whose head lives in this repository.
        const pulls = state.pulls.filter((p) => p.headSha === ctx.params[0] && p.headRepo === state.fullName)
        const { page, headers } = paginate(ctx, pulls)
        return json(200, page.map(pullJson), headers)
      },
    ],
    [
      'GET',
      /^\/commits\/([0-9a-f]{40})$/,
      (ctx) => {
        const parents = state.commits.get(ctx.params[0]!)
        if (!parents) return ghError(422, `No commit found for SHA: ${ctx.params[0]}`)
        return json(200, { sha: ctx.params[0], parents: parents.map((sha) => ({ sha })) })
      },
    ],
    [
      'GET',
      /^\/actions\/runs\/(\d+)$/,
      (ctx) => {
        const run = state.runs.find((r) => r.id === Number(ctx.params[0]))
        return run ? json(200, runJson(run)) : ghError(404, 'Not Found')
      },
    ],
    [
      'GET',
      /^\/actions\/runs$/,
      (ctx) => {
        const runs = filterRuns(ctx, state.runs)
        const { page, headers } = paginate(ctx, runs)
        return json(200, { total_count: runs.length, workflow_runs: page.map(runJson) }, headers)
      },
    ],
    [
      'GET',
      /^\/actions\/workflows\/([^/]+)\/runs$/,
      (ctx) => {
        const wf = decodeURIComponent(ctx.params[0]!)
        const ofWorkflow = state.runs.filter(
          (r) => String(r.workflowId) === wf || r.path.split('/').pop() === wf,
        )
        if (ofWorkflow.length === 0 && !state.runs.some((r) => String(r.workflowId) === wf))
          return ghError(404, 'Not Found')
        const runs = filterRuns(ctx, ofWorkflow)
        const { page, headers } = paginate(ctx, runs)
        return json(200, { total_count: runs.length, workflow_runs: page.map(runJson) }, headers)
      },
    ],
    [
      'GET',
      /^\/actions\/runs\/(\d+)\/artifacts$/,
      (ctx) => {
        const runId = Number(ctx.params[0])
        if (!state.runs.some((r) => r.id === runId)) return ghError(404, 'Not Found')
        const name = ctx.url.searchParams.get('name')
        const artifacts = state.artifacts
          .filter((a) => a.runId === runId && a.finalized && (!name || a.name === name))
          .sort((a, b) => a.id - b.id)
        const { page, headers } = paginate(ctx, artifacts)
        return json(200, { total_count: artifacts.length, artifacts: page.map(artifactJson) }, headers)
      },
    ],
    [
      'GET',
      /^\/actions\/artifacts\/(\d+)\/zip$/,
      (ctx) => {
        const artifact = state.artifacts.find((a) => a.id === Number(ctx.params[0]) && a.finalized)
        if (!artifact) return ghError(404, 'Not Found')
        if (artifact.expired) return ghError(410, 'Artifact has expired')
        return { status: 302, headers: { location: downloadUrl(artifact) } }
      },
    ],
    [
      'GET',
      /^\/git\/ref\/(.+)$/,
      (ctx) => {
        // Octokit sends `heads/x` as `heads%2Fx`; GitHub accepts both.
        const ref = decodeURIComponent(ctx.params[0]!)
        if (!ref.startsWith('heads/')) return ghError(404, 'Not Found')
        const name = ref.slice('heads/'.length)
        const branch = state.branches.get(name)
        if (!branch) return ghError(404, 'Not Found')
        return json(200, { ref: `refs/heads/${name}`, object: { sha: branch.commit, type: 'commit' } })
      },
    ],
    [
      'POST',
      /^\/git\/refs$/,
      (ctx) => {
        const body = parseJson(ctx) ?? {}
        const ref = String(body.ref ?? '')
        const sha = String(body.sha ?? '')
        if (!ref.startsWith('refs/heads/') || ref.split('/').length < 3)
          return ghError(422, 'Reference name must start with refs/')
        const name = ref.slice('refs/heads/'.length)
        if (state.branches.has(name)) return ghError(422, 'Reference already exists')
        const from = [...state.branches.values()].find((b) => b.commit === sha)
        if (!from) return ghError(422, 'Object does not exist')
        state.branches.set(name, { commit: hex(40), files: new Map(from.files) })
        return json(201, { ref, object: { sha: state.branches.get(name)!.commit, type: 'commit' } })
      },
    ],
    [
      'GET',
      /^\/contents\/(.+)$/,
      (ctx) => {
        const filePath = decodeURIComponent(ctx.params[0]!)
        const ref = ctx.url.searchParams.get('ref') ?? state.defaultBranch
        const branch = state.branches.get(ref)
        if (!branch) return ghError(404, `No commit found for the ref ${ref}`)
        const file = branch.files.get(filePath)
        if (!file) return ghError(404, 'Not Found')
        if (/\.raw/.test(String(ctx.req.headers.accept ?? '')))
          return {
            status: 200,
            raw: file.content,
            headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' },
          }
        // Like GitHub, the JSON form carries no content for files over 1 MB.
        if (file.content.length > 1024 * 1024)
          return json(200, {
            type: 'file',
            encoding: 'none',
            content: '',
            size: file.content.length,
            path: filePath,
            sha: file.sha,
          })
        return json(200, {
          type: 'file',
          encoding: 'base64',
          size: file.content.length,
          name: filePath.split('/').pop(),
          path: filePath,
          sha: file.sha,
          content: file.content.toString('base64').replace(/(.{60})/g, '$1\n'),
        })
      },
    ],
    [
      'PUT',
      /^\/contents\/(.+)$/,
      (ctx) => {
        const filePath = decodeURIComponent(ctx.params[0]!)
        const body = parseJson(ctx) ?? {}
        const branchName = typeof body.branch === 'string' ? body.branch : state.defaultBranch
        if (typeof body.message !== 'string')
          return ghError(422, 'Invalid request.\n\n"message" wasn\'t supplied.')
        if (typeof body.content !== 'string')
          return ghError(422, 'Invalid request.\n\n"content" wasn\'t supplied.')
        for (const write of state.concurrentWrites.filter(
          (w) => w.branch === branchName && w.path === filePath,
        )) {
          state.concurrentWrites.splice(state.concurrentWrites.indexOf(write), 1)
          state.putFile(write.branch, write.path, write.content)
          break
        }
        const branch = state.branches.get(branchName)
        if (!branch) return ghError(404, `Branch ${branchName} not found`)
        const existing = branch.files.get(filePath)
        if (existing && body.sha === undefined)
          return ghError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
        if (existing && body.sha !== existing.sha)
          return ghError(409, `${filePath} does not match ${String(body.sha)}`)
        if (!existing && body.sha !== undefined)
          return ghError(409, `${filePath} does not match ${String(body.sha)}`)
        const sha = state.putFile(branchName, filePath, Buffer.from(body.content, 'base64'))
        return json(existing ? 200 : 201, {
          content: { path: filePath, sha, name: filePath.split('/').pop() },
          commit: { sha: branch.commit, message: body.message },
        })
      },
    ],
  ]

  /** Stricter than needed on purpose: perfgate must never touch a comment it did not write. */
  function notAuthor(): Reply {
    return ghError(403, 'Forbidden: the comment was written by someone else')
  }

  /** `GET /user` and GraphQL `viewer`: who the token is, as GitHub answers for each kind of token. */
  function identity(ctx: Ctx, path: string, method: string): Reply | undefined {
    const config = ctx.tokenConfig
    const login = tokenLogin(config)
    if (path === '/user' && method === 'GET') {
      if ((config?.kind ?? 'installation') === 'installation')
        return ghError(403, 'Resource not accessible by integration')
      return json(200, { login, type: 'User', id: 1 })
    }
    if (path === '/graphql' && method === 'POST') {
      const query = String(parseJson(ctx)?.query ?? '')
      if (!/\bviewer\b/.test(query) || !/\blogin\b/.test(query))
        return json(200, { errors: [{ message: 'the fake only answers { viewer { login } }' }] })
      return json(200, { data: { viewer: { login } } })
    }
    return undefined
  }

  function bodyTooLong(): Reply {
    return json(422, {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'unprocessable',
          field: 'data',
          message: 'Body is too long (maximum is 65536 characters)',
        },
      ],
      documentation_url: 'https://docs.github.com/rest/issues/comments',
    })
  }

  // --- Twirp ArtifactService (results service) ---
  const twirpError = (status: number, code: string, msg: string): Reply => json(status, { code, msg })
  const twirp: Record<string, (ctx: Ctx, body: Record<string, unknown>) => Reply> = {
    CreateArtifact(ctx, body) {
      const scope = runtimeScope(ctx, body)
      if ('status' in scope) return scope
      const name = String(body.name ?? '')
      if (!name) return twirpError(400, 'invalid_argument', 'name is required')
      if (body.version !== 4 && body.version !== 7)
        return twirpError(400, 'invalid_argument', 'unsupported version')
      if (state.artifacts.some((a) => a.runId === scope.runId && a.name === name && a.finalized))
        return twirpError(
          409,
          'already_exists',
          'an artifact with this name already exists on the workflow run',
        )
      const artifact: FakeArtifact = {
        id: state.id(),
        name,
        runId: scope.runId,
        jobId: scope.jobId,
        expired: false,
        createdAt: new Date().toISOString(),
        finalized: false,
        uploadKey: hex(16),
        blocks: new Map(),
      }
      state.artifacts.push(artifact)
      const key = `u${artifact.uploadKey}`
      return json(200, {
        ok: true,
        signed_upload_url: `${base}/_blob/upload/${artifact.uploadKey}/${encodeURIComponent(name)}.zip?sig=${signature(key)}&sp=cw`,
      })
    },
    FinalizeArtifact(ctx, body) {
      const scope = runtimeScope(ctx, body)
      if ('status' in scope) return scope
      const artifact = state.artifacts.find(
        (a) => a.runId === scope.runId && a.name === body.name && !a.finalized,
      )
      if (!artifact) return twirpError(404, 'not_found', 'artifact not found')
      if (!artifact.zip) return twirpError(400, 'failed_precondition', 'no blob was uploaded')
      if (String(body.size) !== String(artifact.zip.length))
        return twirpError(
          400,
          'invalid_argument',
          `size ${String(body.size)} does not match ${artifact.zip.length}`,
        )
      const hash = `sha256:${createHash('sha256').update(artifact.zip).digest('hex')}`
      if (body.hash !== undefined && body.hash !== hash)
        return twirpError(400, 'invalid_argument', 'hash mismatch')
      artifact.finalized = true
      return json(200, { ok: true, artifact_id: String(artifact.id) })
    },
    ListArtifacts(ctx, body) {
      const scope = runtimeScope(ctx, body)
      if ('status' in scope) return scope
      const artifacts = state.artifacts
        .filter((a) => a.runId === scope.runId && a.finalized && !a.expired)
        .filter((a) => body.name_filter === undefined || a.name === body.name_filter)
        .filter((a) => body.id_filter === undefined || String(a.id) === String(body.id_filter))
      return json(200, {
        artifacts: artifacts.map((a) => ({
          workflow_run_backend_id: scope.runBackendId,
          workflow_job_run_backend_id: backendId('job', a.runId, a.jobId),
          database_id: String(a.id),
          name: a.name,
          size: String(a.zip?.length ?? 0),
          created_at: a.createdAt,
        })),
      })
    },
    GetSignedArtifactURL(ctx, body) {
      const scope = runtimeScope(ctx, body)
      if ('status' in scope) return scope
      const artifact = state.artifacts.find(
        (a) => a.runId === scope.runId && a.name === body.name && a.finalized,
      )
      if (!artifact) return twirpError(404, 'not_found', 'artifact not found')
      return json(200, { signed_url: downloadUrl(artifact) })
    },
  }

  function runtimeScope(
    ctx: Ctx,
    body: Record<string, unknown>,
  ): Reply | { runId: number; jobId: string; runBackendId: string; jobBackendId: string } {
    const token = /^Bearer (.+)$/.exec(String(ctx.req.headers.authorization ?? ''))?.[1]
    const scope = token ? state.runtimeTokens.get(token) : undefined
    if (!scope) return twirpError(401, 'unauthenticated', 'invalid runtime token')
    if (
      body.workflow_run_backend_id !== scope.runBackendId ||
      body.workflow_job_run_backend_id !== scope.jobBackendId
    )
      return twirpError(403, 'permission_denied', 'backend ids do not match the runtime token')
    return scope
  }

  // --- blob store (Azure Blob Storage stand-in) ---
  function blob(ctx: Ctx): Reply {
    const q = ctx.url.searchParams
    const download = /^\/_blob\/download\/(\d+)\//.exec(ctx.url.pathname)
    if (download && ctx.req.method === 'GET') {
      const artifact = state.artifacts.find((a) => a.id === Number(download[1]))
      if (!artifact?.zip || q.get('sig') !== signature(`d${artifact.id}`))
        return {
          status: 403,
          raw: Buffer.from('AuthenticationFailed'),
          headers: { 'content-type': 'application/xml' },
        }
      return { status: 200, raw: artifact.zip, headers: { 'content-type': 'application/zip' } }
    }
    const upload = /^\/_blob\/upload\/([0-9a-f]+)\//.exec(ctx.url.pathname)
    if (upload && ctx.req.method === 'PUT') {
      const artifact = state.artifacts.find((a) => a.uploadKey === upload[1] && !a.finalized)
      if (!artifact || q.get('sig') !== signature(`u${artifact.uploadKey}`))
        return {
          status: 403,
          raw: Buffer.from('AuthenticationFailed'),
          headers: { 'content-type': 'application/xml' },
        }
      const headers = {
        etag: `"0x${hex(16)}"`,
        'last-modified': new Date().toUTCString(),
        'x-ms-request-id': hex(32),
        'x-ms-version': '2025-01-05',
        'x-ms-request-server-encrypted': 'true',
        date: new Date().toUTCString(),
      }
      if (q.get('comp') === 'block') {
        const id = q.get('blockid')
        if (!id) return { status: 400, raw: Buffer.from('InvalidQueryParameterValue') }
        artifact.blocks.set(id, ctx.body)
        return { status: 201, headers }
      }
      if (q.get('comp') === 'blocklist') {
        const ids = [
          ...ctx.body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g),
        ].map((m) => m[1]!)
        const parts: Buffer[] = []
        for (const id of ids) {
          const block = artifact.blocks.get(id)
          if (!block) return { status: 400, raw: Buffer.from('InvalidBlockList') }
          parts.push(block)
        }
        artifact.zip = Buffer.concat(parts)
        return { status: 201, headers }
      }
      if (!q.get('comp')) {
        artifact.zip = ctx.body
        return { status: 201, headers }
      }
    }
    return { status: 404, raw: Buffer.from('BlobNotFound') }
  }

  async function route(ctx: Ctx): Promise<Reply> {
    const method = ctx.req.method ?? 'GET'
    const path = ctx.url.pathname
    if (path.startsWith('/_blob/')) return blob(ctx)
    if (path.startsWith(TWIRP)) {
      if (method !== 'POST') return twirpError(404, 'bad_route', 'no handler')
      const handler = twirp[path.slice(TWIRP.length)]
      if (!handler) return twirpError(404, 'bad_route', `no handler for ${path}`)
      if (!String(ctx.req.headers['content-type'] ?? '').startsWith('application/json'))
        return twirpError(400, 'malformed', 'expected application/json')
      const body = parseJson(ctx)
      if (!body) return twirpError(400, 'malformed', 'invalid JSON')
      return handler(ctx, body)
    }
    // REST: authentication first, as GitHub does.
    const auth = /^(?:token|Bearer) (\S+)$/i.exec(String(ctx.req.headers.authorization ?? ''))?.[1]
    const config = auth ? state.tokens.get(auth) : undefined
    if (!config) return ghError(401, 'Bad credentials')
    ctx.token = auth
    ctx.tokenConfig = config
    const limit = state.rateLimits.find(
      (l) => (!l.method || l.method === method) && (!l.path || l.path.test(path)) && (l.times ?? 1) > 0,
    )
    if (limit) {
      limit.times = (limit.times ?? 1) - 1
      if (limit.times <= 0) state.rateLimits.splice(state.rateLimits.indexOf(limit), 1)
      return json(
        limit.status ?? 403,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        { 'retry-after': String(limit.retryAfterS) },
      )
    }
    const who = identity(ctx, path, method)
    if (who) return who
    const prefix = repoPath()
    if (!path.startsWith(`${prefix}/`)) return ghError(404, 'Not Found')
    const sub = path.slice(prefix.length)
    for (const [m, pattern, handler] of rest) {
      const match = pattern.exec(sub)
      if (!match) continue
      if (m !== method) continue
      if (config.readOnly && method !== 'GET') return ghError(403, 'Resource not accessible by integration')
      ctx.params = match.slice(1)
      return handler(ctx)
    }
    return ghError(404, 'Not Found')
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base)
      const body = Buffer.concat(chunks)
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: url.pathname.startsWith('/_blob/') ? `<${body.length} bytes>` : body.toString('utf8'),
      }
      state.requests.push(recorded)
      route({ req, url, params: [], body })
        .catch((error: unknown) => json(500, { message: String(error) }))
        .then((reply) => {
          recorded.status = reply.status
          const headers: Record<string, string> = { 'x-github-request-id': hex(8), ...reply.headers }
          let payload: Buffer | undefined = reply.raw
          if (reply.json !== undefined) {
            payload = Buffer.from(JSON.stringify(reply.json))
            headers['content-type'] = 'application/json; charset=utf-8'
          }
          if (payload) headers['content-length'] = String(payload.length)
          res.writeHead(reply.status, headers)
          res.end(payload)
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const runtimeToken = (runId: number, jobId = 'job'): string => {
    const runBackendId = backendId('run', runId)
    const jobBackendId = backendId('job', runId, jobId)
    const token = [
      b64url({ typ: 'JWT', alg: 'RS256' }),
      b64url({
        scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId}`,
        exp: Math.floor(Date.now() / 1000) + 3600,
      }),
      randomBytes(16).toString('base64url'),
    ].join('.')
    state.runtimeTokens.set(token, { runId, jobId, runBackendId, jobBackendId })
    if (!state.runs.some((r) => r.id === runId))
      state.addRun({ id: runId, status: 'in_progress', conclusion: null })
    return token
  }

  return {
    url: base,
    resultsUrl: `${base}/`,
    runtimeToken,
    env(runId: number, jobId = 'job') {
      return {
        GITHUB_API_URL: base,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: state.fullName,
        GITHUB_RUN_ID: String(runId),
        ACTIONS_RESULTS_URL: `${base}/`,
        ACTIONS_RUNTIME_TOKEN: runtimeToken(runId, jobId),
      }
    },
    state,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** A deterministic UUID-looking backend id, as the results service uses. */
function backendId(kind: string, runId: number, jobId = ''): string {
  const h = createHash('sha1').update(`${kind}:${runId}:${jobId}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

function hex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length)
}

function gitBlobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex')
}
