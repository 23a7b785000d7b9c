// The baseline's profiles for the profile diff: fetched with the baseline record from each source
// (artifact, path, branch) into <output-dir>/baseline-profiles. The record and its files are
// untrusted, so names that leave the folder, files over the limits and files that are not there
// are left out with one line each, and nothing is ever written outside the folder.
import { test, describe, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.ts'
import { makeRecord } from '../fakes/record.ts'
import { fakeOctokit, pushContext, shaOf as sha, startPullRequestRun } from '../helpers/pull-request.ts'
import { RECORDS } from '../report/fixtures.ts'
import type { GitHubContext } from '../../src/github/context.ts'
import { listReportFiles } from '../../src/github/artifacts.ts'
import type { Plan, BaselineSource } from '../../src/plan/types.ts'
import type { ProfileFile, ProfileKind } from '../../src/record/collectors.ts'
import type { RunRecord } from '../../src/record/index.ts'
import { findBaseline, saveBranchBaseline } from '../../src/baseline/index.ts'
import {
  BASELINE_PROFILES_DIR,
  keepBaselineProfiles,
  unsafeFileName,
  type FetchedFile,
} from '../../src/baseline/profiles.ts'
import { folderFetcher } from '../../src/baseline/path.ts'

const fixture = (file: string) => readFile(path.join(RECORDS, 'testbed-baseline', file))

/** A record whose profiles part names `files` (kind → file name). */
function withProfiles(
  files: Partial<Record<ProfileKind, string>>,
  base: RunRecord = makeRecord(),
): RunRecord {
  const list: ProfileFile[] = Object.entries(files).map(([kind, file]) => ({
    kind: kind as ProfileKind,
    file,
    bytes: 1,
    samplesCount: 1,
  }))
  return { ...base, profiles: { files: list, missing: [] } }
}

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}

describe('baseline profile names', () => {
  const cases: [string, unknown, RegExp | undefined][] = [
    ['a plain file name', 'cpu.pb.gz', undefined],
    ['a name in a sub-folder', 'profiles/cpu.pb.gz', undefined],
    ['a parent-folder step', '../cpu.pb.gz', /"\.\."/],
    ['a parent-folder step in the middle', 'profiles/../../cpu.pb.gz', /"\.\."/],
    ['an absolute path', '/etc/passwd', /absolute/],
    ['a backslash path', '..\\cpu.pb.gz', /only letters/],
    ['an empty part', 'profiles//cpu.pb.gz', /empty/],
    ['a "." part', './cpu.pb.gz', /"\."/],
    ['a NUL byte', 'cpu.pb.gz\u0000', /only letters/],
    ['a very long name', `${'a'.repeat(201)}`, /200 characters/],
    ['no string at all', 42, /not a file name/],
  ]
  for (const [what, name, refused] of cases)
    test(`${what} is ${refused ? 'refused' : 'allowed'}`, () => {
      const why = unsafeFileName(name)
      if (refused) assert.match(why ?? '', refused)
      else assert.equal(why, undefined)
    })
})

describe('keeping the baseline profiles', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'perfgate-bprof-'))
  })

  const fromMap =
    (files: Record<string, Buffer>) =>
    async (file: string, maxBytes: number): Promise<FetchedFile> => {
      const bytes = files[file]
      if (!bytes) return { missing: `no ${file}` }
      return bytes.length > maxBytes ? { tooLarge: true } : { bytes }
    }

  test('the CPU and allocation profiles are written into baseline-profiles, nothing else', async () => {
    const cpu = await fixture('cpu.pb.gz')
    const allocs = await fixture('allocs.pb.gz')
    const out = path.join(dir, 'out')
    const notes: string[] = []
    const kept = await keepBaselineProfiles(
      withProfiles({ cpu: 'cpu.pb.gz', allocs: 'p/allocs.pb.gz', heap: 'heap.pb.gz' }),
      out,
      fromMap({ 'cpu.pb.gz': cpu, 'p/allocs.pb.gz': allocs, 'heap.pb.gz': cpu }),
      notes,
    )
    assert.deepEqual(notes, [])
    assert.equal(kept?.dir, path.join(out, BASELINE_PROFILES_DIR))
    assert.deepEqual(kept?.files, [
      { kind: 'cpu', file: 'cpu.pb.gz' },
      { kind: 'allocs', file: 'p/allocs.pb.gz' },
    ])
    assert.deepEqual(await filesUnder(out), [
      'baseline-profiles/cpu.pb.gz',
      'baseline-profiles/p/allocs.pb.gz',
    ])
    assert.ok((await readFile(path.join(kept!.dir, 'cpu.pb.gz'))).equals(cpu))
  })

  test('a name that leaves the folder is refused and nothing is written outside it', async () => {
    const out = path.join(dir, 'deep', 'out')
    const notes: string[] = []
    let asked = 0
    const kept = await keepBaselineProfiles(
      withProfiles({ cpu: '../../escaped.pb.gz', allocs: '/tmp/abs.pb.gz' }),
      out,
      async () => {
        asked++
        return { bytes: Buffer.from('x') }
      },
      notes,
    )
    assert.equal(kept, undefined)
    assert.equal(asked, 0, 'a refused name is never fetched')
    assert.equal(notes.length, 2)
    assert.match(
      notes[0]!,
      /^the baseline's cpu profile name "\.\.\/\.\.\/escaped\.pb\.gz" was refused: .*"\.\."/,
    )
    assert.match(
      notes[1]!,
      /^the baseline's allocs profile name "\/tmp\/abs\.pb\.gz" was refused: .*absolute/,
    )
    assert.deepEqual(await filesUnder(dir), [])
  })

  test('a file over the limit is left out with its reason; the others are kept', async () => {
    const out = path.join(dir, 'out')
    const notes: string[] = []
    const kept = await keepBaselineProfiles(
      withProfiles({ cpu: 'cpu.pb.gz', allocs: 'allocs.pb.gz' }),
      out,
      fromMap({ 'cpu.pb.gz': Buffer.alloc(2048), 'allocs.pb.gz': Buffer.alloc(100) }),
      notes,
      { fileBytes: 1024 },
    )
    assert.deepEqual(kept?.files, [{ kind: 'allocs', file: 'allocs.pb.gz' }])
    assert.deepEqual(notes, [
      "the baseline's cpu profile cpu.pb.gz was left out: it is over 0.0009765625 MiB, the limit for a baseline profile",
    ])
  })

  test('files that together pass the total limit are left out from the first one over it', async () => {
    const notes: string[] = []
    const kept = await keepBaselineProfiles(
      withProfiles({ cpu: 'cpu.pb.gz', allocs: 'allocs.pb.gz' }),
      path.join(dir, 'out'),
      fromMap({ 'cpu.pb.gz': Buffer.alloc(600), 'allocs.pb.gz': Buffer.alloc(600) }),
      notes,
      { fileBytes: 1000, totalBytes: 1000 },
    )
    assert.deepEqual(kept?.files, [{ kind: 'cpu', file: 'cpu.pb.gz' }])
    assert.equal(notes.length, 1)
    assert.match(notes[0]!, /^the baseline's allocs profile allocs\.pb\.gz was left out: it is over/)
  })

  test('a file the record names but the source lacks is one note; a record without profiles says so', async () => {
    const notes: string[] = []
    const kept = await keepBaselineProfiles(
      withProfiles({ cpu: 'cpu.pb.gz' }),
      path.join(dir, 'out'),
      fromMap({}),
      notes,
    )
    assert.equal(kept, undefined)
    assert.deepEqual(notes, ["the baseline's cpu profile cpu.pb.gz is missing: no cpu.pb.gz"])
    const none: string[] = []
    assert.equal(
      await keepBaselineProfiles(makeRecord(), path.join(dir, 'out'), fromMap({}), none),
      undefined,
    )
    assert.deepEqual(none, ['the baseline run took no profiles (not configured)'])
  })

  test("a previous run's baseline profiles are removed first", async () => {
    const out = path.join(dir, 'out')
    await mkdir(path.join(out, BASELINE_PROFILES_DIR), { recursive: true })
    await writeFile(path.join(out, BASELINE_PROFILES_DIR, 'allocs.pb.gz'), 'stale')
    const kept = await keepBaselineProfiles(
      withProfiles({ cpu: 'cpu.pb.gz' }),
      out,
      fromMap({ 'cpu.pb.gz': Buffer.from('new') }),
      [],
    )
    assert.deepEqual(kept?.files, [{ kind: 'cpu', file: 'cpu.pb.gz' }])
    assert.deepEqual(await filesUnder(out), ['baseline-profiles/cpu.pb.gz'])
  })

  test('the folder fetcher refuses a link out of the folder and stops past the size limit', async () => {
    const folder = path.join(dir, 'repo', 'baseline')
    await mkdir(folder, { recursive: true })
    await writeFile(path.join(dir, 'secret.txt'), 'not a profile')
    await symlink(path.join(dir, 'secret.txt'), path.join(folder, 'cpu.pb.gz'))
    await writeFile(path.join(folder, 'allocs.pb.gz'), Buffer.alloc(64))
    const read = folderFetcher(folder)
    assert.deepEqual(await read('cpu.pb.gz', 1000), {
      missing: "cpu.pb.gz resolves outside the baseline record's folder, not read",
    })
    assert.deepEqual(await read('allocs.pb.gz', 63), { tooLarge: true })
    assert.equal(((await read('allocs.pb.gz', 64)) as { bytes: Buffer }).bytes.length, 64)
    assert.deepEqual(await read('heap.pb.gz', 64), {
      missing: 'heap.pb.gz is not beside the baseline record',
    })
  })

  test('the report artifact leaves the baseline profiles out', async () => {
    const out = path.join(dir, 'out')
    await mkdir(path.join(out, BASELINE_PROFILES_DIR), { recursive: true })
    await writeFile(path.join(out, BASELINE_PROFILES_DIR, 'cpu.pb.gz'), 'x')
    await writeFile(path.join(out, 'result.json'), '{}')
    assert.deepEqual(await listReportFiles(out), [path.join(out, 'result.json')])
  })
})

describe('baseline profiles from each source', () => {
  let gh: FakeGitHub
  let ctx: GitHubContext
  let dir: string
  const octokit = () => fakeOctokit(gh)
  const planWith = (baseline: Partial<BaselineSource>, outputDir: string): Plan =>
    ({ reportName: 'default', outputDir, baseline: { kind: 'artifact', history: 1, ...baseline } }) as Plan

  before(async () => {
    gh = await startFakeGitHub()
  })
  after(() => gh.close())
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'perfgate-bsrc-'))
    // The current run: a pull_request run of the same workflow.
    ctx = startPullRequestRun(gh)
  })

  test("an artifact's profiles come with its record; its other and hostile entries are never written", async () => {
    const cpu = await fixture('cpu.pb.gz')
    const allocs = await fixture('allocs.pb.gz')
    const record = withProfiles(
      { cpu: 'cpu.pb.gz', allocs: 'allocs.pb.gz', heap: '../../heap.pb.gz' },
      makeRecord({ sha: sha(101), runId: 101 }),
    )
    gh.state.addRun({ id: 101, headSha: sha(101) })
    gh.state.addArtifact(101, 'perfgate-default', {
      'result.json': JSON.stringify(record),
      'cpu.pb.gz': cpu,
      'allocs.pb.gz': allocs,
      '../../escaped.txt': 'a zip entry that climbs out',
      'k6.ndjson': 'raw load data the diff does not read',
    })
    const out = path.join(dir, 'out')
    const result = await findBaseline(planWith({}, out), ctx, { octokit: octokit() })
    assert.equal(result.baseline?.meta.git?.sha, sha(101))
    assert.deepEqual(result.profiles?.files, [
      { kind: 'cpu', file: 'cpu.pb.gz' },
      { kind: 'allocs', file: 'allocs.pb.gz' },
    ])
    assert.equal(result.profileNotes, undefined)
    assert.deepEqual(await filesUnder(dir), [
      'out/baseline-profiles/allocs.pb.gz',
      'out/baseline-profiles/cpu.pb.gz',
    ])
    assert.ok((await readFile(path.join(out, BASELINE_PROFILES_DIR, 'cpu.pb.gz'))).equals(cpu))
    assert.equal(existsSync(path.join(dir, '..', 'escaped.txt')), false)
  })

  test("an artifact without the record's profiles gives the baseline and one note per file", async () => {
    gh.state.addRun({ id: 102, headSha: sha(102) })
    gh.state.addArtifact(102, 'perfgate-default', {
      'result.json': JSON.stringify(
        withProfiles({ cpu: 'cpu.pb.gz' }, makeRecord({ sha: sha(102), runId: 102 })),
      ),
    })
    const result = await findBaseline(planWith({}, path.join(dir, 'out')), ctx, { octokit: octokit() })
    assert.equal(result.baseline?.meta.git?.sha, sha(102))
    assert.equal(result.profiles, undefined)
    assert.equal(result.profileNotes?.length, 1)
    assert.match(
      result.profileNotes![0]!,
      /^the baseline's cpu profile cpu\.pb\.gz is missing: the artifact \d+ has no cpu\.pb\.gz$/,
    )
  })

  test('a path baseline brings the profiles beside it', async () => {
    const repo = path.join(dir, 'repo')
    await mkdir(path.join(repo, 'perf'), { recursive: true })
    await writeFile(path.join(repo, 'perf', 'cpu.pb.gz'), await fixture('cpu.pb.gz'))
    await writeFile(
      path.join(repo, 'perf', 'baseline.json'),
      JSON.stringify(withProfiles({ cpu: 'cpu.pb.gz', allocs: 'allocs.pb.gz' })),
    )
    const out = path.join(dir, 'out')
    const plan = { ...planWith({ kind: 'path', path: 'perf/baseline.json' }, out), repoDir: repo } as Plan
    const result = await findBaseline(plan, undefined)
    assert.ok(result.baseline)
    assert.deepEqual(result.profiles?.files, [{ kind: 'cpu', file: 'cpu.pb.gz' }])
    assert.deepEqual(result.profileNotes, [
      "the baseline's allocs profile allocs.pb.gz is missing: allocs.pb.gz is not beside the baseline record",
    ])
  })

  test('a branch baseline saves its profiles beside its record and a pull request brings them back', async () => {
    const out = path.join(dir, 'push-out')
    await mkdir(out, { recursive: true })
    const cpu = await fixture('cpu.pb.gz')
    await writeFile(path.join(out, 'cpu.pb.gz'), cpu)
    await writeFile(path.join(out, 'allocs.pb.gz'), Buffer.alloc(1024 * 1024 + 1))
    const record = withProfiles({ cpu: 'cpu.pb.gz', allocs: 'allocs.pb.gz' }, makeRecord({ sha: sha(700) }))
    const plan = planWith({ kind: 'branch', branch: 'perfgate-baselines' }, out)
    const logs: string[] = []
    const saved = await saveBranchBaseline(record, plan, pushContext(gh, 700), {
      octokit: octokit(),
      log: (l) => logs.push(l),
    })
    assert.ok('saved' in saved)
    const folder = `perfgate/default/${sha(700).slice(0, 7)}-700`
    assert.ok(gh.state.getFile('perfgate-baselines', `${folder}/cpu.pb.gz`) !== undefined)
    assert.equal(gh.state.getFile('perfgate-baselines', `${folder}/allocs.pb.gz`), undefined)
    assert.ok(
      logs.some((l) =>
        /allocs profile allocs\.pb\.gz is not saved to perfgate-baselines: it is over 1 MB/.test(l),
      ),
    )

    const prOut = path.join(dir, 'pr-out')
    const result = await findBaseline({ ...plan, outputDir: prOut } as Plan, ctx, { octokit: octokit() })
    assert.equal(result.baseline?.meta.git?.sha, sha(700))
    assert.deepEqual(result.profiles?.files, [{ kind: 'cpu', file: 'cpu.pb.gz' }])
    assert.ok((await readFile(path.join(prOut, BASELINE_PROFILES_DIR, 'cpu.pb.gz'))).equals(cpu))
    assert.match(
      result.profileNotes?.[0] ?? '',
      /allocs profile allocs\.pb\.gz is missing: .* is not on perfgate-baselines/,
    )
  })

  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })
})
