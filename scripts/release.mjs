#!/usr/bin/env node
// Cuts a release, as actions/typescript-action's script/release does, without its prompts so that
// a workflow can run it: checks that dist/ is built from src/, turns CHANGELOG.md's "Unreleased"
// section into the version's section, sets the version (package.json, src/version.ts), rebuilds
// dist/, commits, tags vX.Y.Z, moves the
// major tag (v0 for every 0.x), pushes, and writes the release notes (that section) to a file.
//
//   scripts/release X.Y.Z [--remote origin] [--no-push] [--skip-build] [--notes-file FILE]
//                         [--date YYYY-MM-DD]
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

const USAGE =
  'usage: scripts/release X.Y.Z [--remote NAME] [--no-push] [--skip-build] [--notes-file FILE] [--date YYYY-MM-DD]'

function fail(message) {
  console.error(`release: ${message}`)
  process.exit(1)
}

const git = (args, options = {}) =>
  (
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }) ?? ''
  ).trim()

/** [major, minor, patch] of "1.2.3" (a leading v allowed), or undefined. */
function parseVersion(text) {
  const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text ?? '')
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]

/** Splits CHANGELOG.md into the Unreleased section's entries and the text around them. */
function takeUnreleased(changelog) {
  const start = changelog.search(/^## Unreleased[ \t]*$/m)
  if (start < 0) return undefined
  const bodyStart = changelog.indexOf('\n', start) + 1
  const next = changelog.slice(bodyStart).search(/^## /m)
  const bodyEnd = next < 0 ? changelog.length : bodyStart + next
  return {
    before: changelog.slice(0, start),
    notes: changelog.slice(bodyStart, bodyEnd).trim(),
    after: changelog.slice(bodyEnd),
  }
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      remote: { type: 'string', default: 'origin' },
      'no-push': { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      'notes-file': { type: 'string' },
      date: { type: 'string', default: new Date().toISOString().slice(0, 10) },
    },
  })
  if (positionals.length !== 1) fail(USAGE)
  const version = parseVersion(positionals[0])
  if (!version) fail(`version "${positionals[0]}" is not X.Y.Z (semantic versioning, e.g. 0.2.0)`)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.date)) fail(`--date "${values.date}" is not YYYY-MM-DD`)
  const tag = `v${version.join('.')}`
  const majorTag = `v${version[0]}`

  const root = git(['rev-parse', '--show-toplevel'])
  process.chdir(root)
  if (git(['status', '--porcelain']))
    fail('the work tree has uncommitted changes: commit or stash them first')
  const tags = git(['tag', '--list', 'v*.*.*']).split('\n').filter(Boolean)
  if (tags.includes(tag)) fail(`tag ${tag} exists already`)
  const latest = tags.map(parseVersion).filter(Boolean).sort(compare).at(-1)
  if (latest && compare(version, latest) <= 0)
    fail(`${tag} is not newer than the latest release v${latest.join('.')}`)

  const changelogPath = path.join(root, 'CHANGELOG.md')
  if (!existsSync(changelogPath)) fail('CHANGELOG.md is missing')
  const parts = takeUnreleased(readFileSync(changelogPath, 'utf8'))
  if (!parts) fail('CHANGELOG.md has no "## Unreleased" section')
  if (!parts.notes) fail('CHANGELOG.md\'s "## Unreleased" section is empty: say what this release changes')

  const build = !values['skip-build']
  if (build) {
    // dist/ is what users run: a release whose bundle is not built from its src/ is broken.
    console.log('release: checking that dist/ is built from src/')
    execFileSync(process.execPath, [path.join(root, 'scripts/check-dist.mjs')], { stdio: 'inherit' })
  }

  writeFileSync(
    changelogPath,
    `${parts.before}## Unreleased\n\n## ${tag} — ${values.date}\n\n${parts.notes}\n\n${parts.after.replace(/^\n+/, '')}`,
  )
  const pkgPath = path.join(root, 'package.json')
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'))
  pkg.version = version.join('.')
  writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`)
  const lockPath = path.join(root, 'package-lock.json')
  const files = ['CHANGELOG.md', 'package.json']
  if (existsSync(lockPath)) {
    const lock = JSON.parse(readFileSync(lockPath, 'utf8'))
    lock.version = pkg.version
    if (lock.packages?.['']) lock.packages[''].version = pkg.version
    writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`)
    files.push('package-lock.json')
  }
  const versionPath = path.join(root, 'src/version.ts')
  if (existsSync(versionPath)) {
    const source = readFileSync(versionPath, 'utf8')
    const bumped = source.replace(/VERSION = '[^']*'/, `VERSION = '${pkg.version}'`)
    if (bumped === source && !source.includes(`'${pkg.version}'`))
      fail('src/version.ts has no VERSION constant')
    writeFileSync(versionPath, bumped)
    files.push('src/version.ts')
  }
  if (build) {
    // The bundle carries the version string: rebuild it after the bump.
    console.log('release: building dist/')
    execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
    files.push('dist')
  }
  git(['add', ...files])
  git(['commit', '-q', '-m', `release: ${tag}`])
  git(['tag', '-a', tag, '-m', `perfgate ${tag}\n\n${parts.notes}`])
  // The major tag is what `uses: perfgate/perfgate@v0` resolves: it moves to every release.
  git(['tag', '-f', '-a', majorTag, '-m', `perfgate ${majorTag} (now ${tag})`, `${tag}^{commit}`])
  console.log(`release: committed ${tag}, tagged ${tag} and ${majorTag}`)

  if (values['notes-file']) {
    writeFileSync(values['notes-file'], `${parts.notes}\n`)
    console.log(`release: release notes in ${values['notes-file']}`)
  }
  if (!values['no-push']) {
    const branch = git(['rev-parse', '--abbrev-ref', 'HEAD'])
    git(['push', values.remote, `HEAD:refs/heads/${branch}`, `refs/tags/${tag}`], { stdio: 'inherit' })
    git(['push', '--force', values.remote, `refs/tags/${majorTag}`], { stdio: 'inherit' })
    console.log(`release: pushed ${branch}, ${tag} and ${majorTag} to ${values.remote}`)
  }
}

main()
