import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile, mkdir, readFile, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DefaultArtifactClient } from '@actions/artifact'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { createOctokit } from '../../src/github/octokit.ts'
import { uploadReportArtifact, listReportFiles } from '../../src/github/artifacts.ts'
import { downloadArtifactFiles } from '../../src/github/download.ts'

describe('report artifact', () => {
  let gh: FakeGitHub
  let report: string
  const saved: Record<string, string | undefined> = {}
  const env = { ACTIONS_RUNTIME_TOKEN: '', ACTIONS_RESULTS_URL: '', GITHUB_WORKSPACE: '' }

  before(async () => {
    gh = await startFakeGitHub()
    report = await mkdtemp(path.join(tmpdir(), 'perfgate-report-'))
    await mkdir(path.join(report, 'profiles/after'), { recursive: true })
    await writeFile(path.join(report, 'result.json'), '{"schema":1}\n')
    await writeFile(path.join(report, 'comment.md'), '## perfgate\n')
    await writeFile(path.join(report, 'profiles/after/cpu.pb.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]))
    await writeFile(path.join(report, 'k6.ndjson'), 'line\n'.repeat(50_000))
    await symlink('/etc/passwd', path.join(report, 'leak'))
    for (const key of Object.keys(env)) saved[key] = process.env[key]
    process.env.ACTIONS_RUNTIME_TOKEN = gh.runtimeToken(4242, 'perf')
    process.env.ACTIONS_RESULTS_URL = gh.resultsUrl
    process.env.GITHUB_WORKSPACE = await mkdtemp(path.join(tmpdir(), 'perfgate-ws-'))
  })
  after(async () => {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    await gh.close()
  })

  test('all files under the folder are listed recursively and symlinks are left out', async () => {
    const files = await listReportFiles(report)
    assert.deepEqual(
      files.map((f) => path.relative(report, f)),
      ['comment.md', 'k6.ndjson', 'profiles/after/cpu.pb.gz', 'result.json'],
    )
  })

  test('the report folder is uploaded through the Twirp service and downloads back intact', async () => {
    const result = await uploadReportArtifact(report, 'default')
    assert.ok(!('failed' in result), JSON.stringify(result))
    assert.equal(result.name, 'perfgate-default')
    assert.equal(result.files, 4)
    const stored = gh.state.artifacts.find((a) => a.id === result.id)!
    assert.equal(stored.runId, 4242)
    assert.ok(stored.finalized)
    const twirp = gh.state.requests
      .filter((r) => r.path.startsWith('/twirp/'))
      .map((r) => r.path.split('/').pop())
    assert.deepEqual(twirp, ['CreateArtifact', 'FinalizeArtifact'])
    assert.ok(gh.state.requests.some((r) => r.method === 'PUT' && r.query.comp === 'blocklist'))

    // Back through @actions/artifact, as the same run would.
    const client = new DefaultArtifactClient()
    const listed = await client.listArtifacts()
    assert.deepEqual(
      listed.artifacts.map((a) => a.name),
      ['perfgate-default'],
    )
    const out = await mkdtemp(path.join(tmpdir(), 'perfgate-dl-'))
    await client.downloadArtifact(result.id!, { path: out })
    assert.equal(await readFile(path.join(out, 'comment.md'), 'utf8'), '## perfgate\n')
    assert.deepEqual([...(await readFile(path.join(out, 'profiles/after/cpu.pb.gz')))], [0x1f, 0x8b, 1, 2, 3])

    // And through the REST zip endpoint, as a later run or the workflow_run job would.
    const octokit = createOctokit({ token: 'ghs_write', baseUrl: gh.url })
    const files = await downloadArtifactFiles(
      octokit,
      { owner: 'acme', repo: 'shop', artifactId: result.id! },
      ['result.json', 'comment.md'],
    )
    assert.equal(files.get('result.json')?.toString(), '{"schema":1}\n')
    assert.equal(files.get('comment.md')?.toString(), '## perfgate\n')
    const zip = gh.state.requestsTo('GET', /\/actions\/artifacts\/\d+\/zip$/)[0]!
    assert.equal(zip.status, 302)
    const blob = gh.state.requests.find((r) => r.path.startsWith('/_blob/download/'))!
    assert.equal(blob.headers.authorization, undefined, 'the token must not travel to blob storage')
  })

  test('a second upload of the same name fails as a warning, not an exception', async () => {
    const warnings: string[] = []
    const result = await uploadReportArtifact(report, 'default', {
      client: {
        uploadArtifact: async () => {
          throw new Error(
            'Failed to CreateArtifact: Received non-retryable error: (409) Conflict: an artifact with this name already exists',
          )
        },
      },
      warn: (w) => warnings.push(w),
    })
    assert.ok('failed' in result)
    assert.match(result.failed, /already exists/)
    assert.deepEqual(warnings, [result.failed])
  })

  test('outside a runner the upload is skipped with a reason', async () => {
    const result = await uploadReportArtifact(report, 'default', { env: {} })
    assert.ok('failed' in result)
    assert.match(result.failed, /ACTIONS_RUNTIME_TOKEN/)
  })

  test('an empty or missing folder is a reason, not an exception', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'perfgate-empty-'))
    const a = await uploadReportArtifact(empty, 'default')
    assert.ok('failed' in a)
    assert.match(a.failed, /is empty/)
    const b = await uploadReportArtifact(path.join(empty, 'nope'), 'default')
    assert.ok('failed' in b)
    assert.match(b.failed, /cannot read/)
  })
})
