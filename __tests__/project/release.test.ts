// scripts/release against a local bare repository: the tags it pushes, the CHANGELOG entry it
// writes, the version it sets, and the releases it refuses.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = process.cwd()
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'release test',
  GIT_AUTHOR_EMAIL: 'release@test.invalid',
  GIT_COMMITTER_NAME: 'release test',
  GIT_COMMITTER_EMAIL: 'release@test.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim()
}

function release(cwd: string, ...args: string[]) {
  return spawnSync(path.join(cwd, 'scripts/release'), args, { cwd, env: gitEnv, encoding: 'utf8' })
}

/** A clone of a fresh bare repository holding the release script, a CHANGELOG and a version. */
function setUp(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'perfgate-release-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const bare = path.join(dir, 'origin.git')
  const work = path.join(dir, 'work')
  git(dir, 'init', '-q', '--bare', '-b', 'main', bare)
  git(dir, 'clone', '-q', bare, work)
  mkdirSync(path.join(work, 'scripts'))
  mkdirSync(path.join(work, 'src'))
  for (const file of ['scripts/release', 'scripts/release.mjs'])
    cpSync(path.join(root, file), path.join(work, file))
  writeFileSync(
    path.join(work, 'package.json'),
    `${JSON.stringify({ name: 'perfgate', version: '0.0.0' })}\n`,
  )
  writeFileSync(path.join(work, 'src/version.ts'), "export const VERSION = '0.0.0'\n")
  writeFileSync(
    path.join(work, 'CHANGELOG.md'),
    '# Changelog\n\nIntro.\n\n## Unreleased\n\n- First release.\n- The CLI.\n',
  )
  git(work, 'checkout', '-q', '-b', 'main')
  git(work, 'add', '-A')
  git(work, 'commit', '-q', '-m', 'initial')
  git(work, 'push', '-q', 'origin', 'main')
  return { dir, bare, work }
}

const tagCommit = (repo: string, tag: string) => git(repo, 'rev-parse', `refs/tags/${tag}^{commit}`)

test('a release tags vX.Y.Z and v0 on the release commit in the remote and moves the changelog entries under the version', (t) => {
  const { dir, bare, work } = setUp(t)
  const notes = path.join(dir, 'notes.md')
  const r = release(work, '0.1.0', '--skip-build', '--date', '2026-12-02', '--notes-file', notes)
  assert.equal(r.status, 0, r.stderr)
  const head = git(bare, 'rev-parse', 'refs/heads/main')
  assert.equal(tagCommit(bare, 'v0.1.0'), head)
  assert.equal(tagCommit(bare, 'v0'), head)
  assert.equal(git(bare, 'log', '-1', '--format=%s', 'main'), 'release: v0.1.0')
  const changelog = readFileSync(path.join(work, 'CHANGELOG.md'), 'utf8')
  assert.equal(
    changelog,
    '# Changelog\n\nIntro.\n\n## Unreleased\n\n## v0.1.0 — 2026-12-02\n\n- First release.\n- The CLI.\n\n',
  )
  assert.equal(readFileSync(notes, 'utf8'), '- First release.\n- The CLI.\n')
  assert.equal(JSON.parse(readFileSync(path.join(work, 'package.json'), 'utf8')).version, '0.1.0')
  assert.match(readFileSync(path.join(work, 'src/version.ts'), 'utf8'), /VERSION = '0\.1\.0'/)
  assert.equal(git(work, 'status', '--porcelain'), '')
})

test('the next release moves v0 to the new release and keeps the earlier tag where it was', (t) => {
  const { bare, work } = setUp(t)
  assert.equal(release(work, '0.1.0', '--skip-build').status, 0)
  const first = tagCommit(bare, 'v0.1.0')
  const changelog = readFileSync(path.join(work, 'CHANGELOG.md'), 'utf8')
  writeFileSync(
    path.join(work, 'CHANGELOG.md'),
    changelog.replace('## Unreleased\n', '## Unreleased\n\n- Proxies.\n'),
  )
  git(work, 'commit', '-q', '-am', 'changelog: proxies')
  const r = release(work, '0.2.0', '--skip-build', '--date', '2026-12-03')
  assert.equal(r.status, 0, r.stderr)
  assert.equal(tagCommit(bare, 'v0.1.0'), first)
  assert.equal(tagCommit(bare, 'v0.2.0'), git(bare, 'rev-parse', 'refs/heads/main'))
  assert.equal(tagCommit(bare, 'v0'), tagCommit(bare, 'v0.2.0'))
  const text = readFileSync(path.join(work, 'CHANGELOG.md'), 'utf8')
  assert.ok(text.indexOf('## v0.2.0 — 2026-12-03\n\n- Proxies.') < text.indexOf('## v0.1.0'))
})

test('a release is refused when the version is not newer, malformed, unannounced in the changelog, or the tree is dirty', (t) => {
  const { bare, work } = setUp(t)
  assert.equal(release(work, '0.2.0', '--skip-build').status, 0)
  const refused = (args: string[], message: RegExp) => {
    const r = release(work, ...args)
    assert.equal(r.status, 1, `${args.join(' ')} was refused`)
    assert.match(r.stderr, message)
  }
  refused(['0.2.0', '--skip-build'], /tag v0\.2\.0 exists already/)
  refused(['0.1.9', '--skip-build'], /v0\.1\.9 is not newer than the latest release v0\.2\.0/)
  refused(['1.0', '--skip-build'], /version "1\.0" is not X\.Y\.Z/)
  refused(['0.3.0', '--skip-build'], /"## Unreleased" section is empty/)
  writeFileSync(path.join(work, 'stray.txt'), 'x')
  refused(['0.3.0', '--skip-build'], /uncommitted changes/)
  assert.deepEqual(git(bare, 'tag', '--list').split('\n').sort(), ['v0', 'v0.2.0'])
})
